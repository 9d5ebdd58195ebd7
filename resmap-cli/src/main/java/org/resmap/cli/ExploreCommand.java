package org.resmap.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.resmap.Backend;
import org.resmap.Bugcheck;
import org.resmap.PoolTag;
import org.resmap.catalogue.Violation;
import org.resmap.catalogue.Violations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code resmap explore}: commits a chosen contract violation directly against a fresh simulated
 * kernel and shows the bug check Windows would raise. Exits 0 when the expected bug check was recorded.
 */
@Command(name = "explore", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Commit a contract violation on a fresh simulated machine, calling its kernel directly "
                + "(bypassing the driver, which would refuse it), and show the bug check Windows would raise, "
                + "what its parameters mean, and what the resmap device does instead. Without VIOLATION, list them.",
        footerHeading = "%nExamples:%n",
        footer = {"  resmap explore                    list the violations",
                "  resmap explore free-while-mapped",
                "  resmap explore free-wrong-tag --build win11    (another build)",
                "  resmap explore unlock-never-locked --no-verifier",
                "  resmap explore map-while-mapped --svg stop.svg --json"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the expected bug check was raised (or the list was shown)",
                "1:another bug check, or none", "2:an error, e.g. an unknown violation or --backend kernel"})
final class ExploreCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    Json.Option_ json;

    @Option(names = "--list", description = "List the violations that can be committed (also without VIOLATION).")
    boolean list;

    @Option(names = "--svg", paramLabel = "FILE",
            description = "Draw the simulated address space as the machine stopped into FILE (SVG).")
    File svg;

    @Parameters(arity = "0..1", paramLabel = "VIOLATION", completionCandidates = ViolationNames.class,
            description = "The violation to commit, in any letter case (see --list).")
    String violationId;

    /** The violation names, for shell completion. */
    static final class ViolationNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Violations.all().stream().map(Violation::id).iterator();
        }
    }

    /** What {@code explore --list --json} prints. */
    record Listing(List<Entry> violations) {
    }

    /** One violation that can be committed. */
    record Entry(String id, String expected, int windowsBuild, String sources, String statement) {
    }

    /** What {@code explore VIOLATION --json} prints. */
    record Report(String violation, String statement, String sources, int windowsBuild, String machine,
                  List<String> kernelCalls, BugcheckReport bugcheck, String expected, boolean expectedRaised,
                  String throughDevice, String refusalId, Picture.Model addressSpace) {
    }

    /** A bug check with its parameters as the trace writes them. */
    record BugcheckReport(String code, String meaning, List<Parameter> parameters) {
    }

    /** One parameter: its value in hex, as the trace shows it, and what it is where that is known. */
    record Parameter(String value, String shown, String note) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (list || violationId == null) {
            return list(out);
        }
        if (main.requestedBackend().filter(b -> b != Backend.SIMULATOR).isPresent()) {
            throw new ParameterException(spec.commandLine(), "explore commits violations only on the simulator: "
                    + "on a real kernel each one is a crash (explore --list works anywhere)");
        }
        Violation violation = Violations.byId(violationId).orElseThrow(() -> new ParameterException(
                spec.commandLine(), "no violation named '" + violationId + "'" + suggestion(violationId)));
        MachineSettings settings = main.machine();
        // The build the catalogue checks the violation on, unless --build asks for another.
        MachineSettings machine = settings.build() == null ? settings.onBuild(violation.windowsBuild()) : settings;
        Violation.Result result = violation.commitOn(machine.config());
        Report report = report(violation, machine, result);
        if (svg != null) {
            Picture.writeSvg(svg, List.of(new Picture.Snapshot("As the machine stopped: " + violation.id(),
                    result.addressSpace())));
        }
        if (json.json) {
            Json.print(out, report);
        } else {
            printText(out, report, result);
        }
        return report.expectedRaised() ? 0 : Main.CHECK_FAILED;
    }

    private int list(PrintWriter out) {
        List<Entry> entries = Violations.all().stream().map(v -> new Entry(v.id(), v.expected(), v.windowsBuild(),
                v.sources().stream().map(s -> s.tag()).reduce("", String::concat), v.statement())).toList();
        if (json.json) {
            Json.print(out, new Listing(entries));
            return 0;
        }
        int idWidth = entries.stream().mapToInt(e -> e.id().length()).max().orElse(9);
        int codeWidth = entries.stream().mapToInt(e -> e.expected().length()).max().orElse(8);
        String row = "%-" + idWidth + "s  %-" + codeWidth + "s  %-5s  %s%n";
        out.println("Violations that can be committed (resmap explore NAME), each on the build it is known for:");
        out.printf(row, "NAME", "BUGCHECK", "BUILD", "STATEMENT");
        int textColumn = idWidth + 2 + codeWidth + 2 + 5 + 2;
        int textWidth = main.terminal().interactive() ? main.terminal().width() - 1 - textColumn : Integer.MAX_VALUE;
        for (Entry entry : entries) {
            List<String> lines = Table.wrap(entry.statement(), Math.max(20, textWidth));
            out.printf(row, entry.id(), entry.expected(), entry.windowsBuild(), lines.get(0));
            lines.stream().skip(1).forEach(line -> out.println(" ".repeat(textColumn) + line));
        }
        return 0;
    }

    private static Report report(Violation violation, MachineSettings machine, Violation.Result result) {
        BugcheckReport bugcheck = result.bugcheck().map(b -> {
            List<Parameter> parameters = new ArrayList<>();
            long[] p = b.params();
            for (int i = 0; i < p.length; i++) {
                parameters.add(new Parameter(String.format("0x%X", p[i]), result.describedParameters().get(i),
                        tagNote(p[i])));
            }
            return new BugcheckReport(String.format("0x%08X", b.code()), b.meaning(), parameters);
        }).orElse(null);
        boolean raised = result.bugcheck().map(violation::matches).orElse(false);
        return new Report(violation.id(), violation.statement(),
                violation.sources().stream().map(s -> s.tag()).reduce("", String::concat), machine.buildNumber(),
                machine.describe(), result.kernelCalls(), bugcheck, violation.expected(), raised,
                violation.device().describe(), violation.device().refusalId().orElse(null),
                Picture.model(result.addressSpace()));
    }

    private void printText(PrintWriter out, Report report, Violation.Result result) {
        out.printf("Violation: %s %s%n", report.statement(), report.sources());
        out.printf("Committed on a fresh simulated machine (%s), calling the kernel directly:%n", report.machine());
        report.kernelCalls().forEach(call -> out.printf("   kernel: %s%n", call));
        if (main.terminal().interactive()) {
            out.print(Picture.text(result.addressSpace(), main.terminal().width()));
        }
        if (report.bugcheck() == null) {
            out.printf("No bug check was recorded; expected %s.%n", report.expected());
        } else {
            BugcheckReport b = report.bugcheck();
            out.printf("Windows would bugcheck: %s (%s)%n", b.code(),
                    String.join(", ", b.parameters().stream().map(Parameter::shown).toList()));
            out.printf("Meaning: %s%n", b.meaning());
            b.parameters().stream().filter(p -> p.note() != null).map(Parameter::note).distinct()
                    .forEach(note -> out.printf("   %s%n", note));
            if (!report.expectedRaised()) {
                out.printf("This is not the expected bug check %s.%n", report.expected());
            }
        }
        out.printf("Through the resmap device instead: %s%n", report.throughDevice());
    }

    /** @return for a parameter whose four bytes are printable characters, what tag it is; else null */
    static String tagNote(long value) {
        if (value <= 0 || value > 0xFFFFFFFFL) {
            return null;
        }
        for (int i = 0; i < 4; i++) {
            long b = (value >>> (8 * i)) & 0xFF;
            if (b < 0x21 || b > 0x7E) {
                return null;
            }
        }
        PoolTag tag = PoolTag.ofValue((int) value);
        return String.format("0x%X is the pool tag %s (pool tools' spelling; C and the trace write it '%s')",
                value, tag, new StringBuilder(tag.toString()).reverse());
    }

    /** @return e.g. {@code "; did you mean free-while-mapped?"}, or a pointer to the list */
    private static String suggestion(String wanted) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        String lower = wanted.toLowerCase(Locale.ROOT);
        List<String> close = Violations.all().stream().map(Violation::id)
                .filter(id -> distance.apply(id, lower) <= Math.max(2, lower.length() / 4) || id.contains(lower))
                .sorted(Comparator.comparingInt(id -> distance.apply(id, lower))).limit(3).toList();
        return close.isEmpty() ? "; see resmap explore --list" : "; did you mean " + String.join(" or ", close) + "?";
    }
}
