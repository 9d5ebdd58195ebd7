package org.resmap.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.resmap.Backend;
import org.resmap.Bugcheck;
import org.resmap.catalogue.Catalogue;
import org.resmap.catalogue.Violation;
import org.resmap.catalogue.Violations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code resmap explore}: commits a chosen contract violation directly against a fresh simulated
 * kernel and shows the bug check Windows would raise. Exits 0 when the expected bug check was recorded.
 */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = "Commit a contract violation on a fresh simulated machine and show the bug check "
                + "Windows would raise (simulator only).")
final class ExploreCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--list", description = "List the violations that can be committed (also without VIOLATION).")
    boolean list;

    @Parameters(arity = "0..1", paramLabel = "VIOLATION", description = "The violation to commit (see --list).")
    String violationId;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (main.requestedBackend().filter(b -> b != Backend.SIMULATOR).isPresent()) {
            throw new ParameterException(spec.commandLine(),
                    "explore runs only on the simulator: committing a violation on a real kernel crashes it");
        }
        if (list || violationId == null) {
            out.println("Violations that can be committed (resmap explore NAME):");
            for (Violation violation : Violations.all()) {
                out.printf("%-30s %-18s %s%n", violation.id(), violation.expected(), violation.statement());
            }
            return 0;
        }
        Violation violation = Violations.byId(violationId).orElseThrow(() -> new ParameterException(
                spec.commandLine(), "no violation named '" + violationId + "'; see resmap explore --list"));

        out.printf("Violation: %s %s%n", violation.statement(),
                violation.sources().stream().map(s -> s.tag()).reduce("", String::concat));
        out.printf("Committed on a fresh simulated machine (Windows build %d), calling the kernel directly:%n",
                violation.windowsBuild());
        Violation.Result result = violation.commitOnFreshMachine();
        result.kernelCalls().forEach(call -> out.printf("   kernel: %s%n", call));
        if (result.bugcheck().isEmpty()) {
            out.printf("No bug check was recorded; expected %s.%n", violation.expected());
            return Main.CHECK_FAILED;
        }
        Bugcheck bugcheck = result.bugcheck().get();
        long[] p = bugcheck.params();
        out.printf("Windows would bugcheck: 0x%08X (0x%X, 0x%X, 0x%X, 0x%X)%n", bugcheck.code(), p[0], p[1], p[2], p[3]);
        out.printf("Meaning: %s%n", bugcheck.meaning());
        Catalogue.byId(violation.refusalId()).ifPresent(refusal ->
                out.printf("Through the resmap device instead: %s%n", refusal.statement()));
        if (!violation.matches(bugcheck)) {
            out.printf("This is not the expected bug check %s.%n", violation.expected());
            return Main.CHECK_FAILED;
        }
        return 0;
    }
}
