package org.resmap.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resmap.Backend;
import org.resmap.ResMap;
import org.resmap.SimulatorConfig;
import org.resmap.catalogue.JUnitXml;
import org.resmap.catalogue.Outcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code resmap selftest}: runs the contract catalogue on one back end, or on the simulator once per
 * modelled Windows build ({@code --all-builds}), and prints one row per statement; exits 1 if any failed.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Check every catalogued statement about the API family on a back end; exit 1 if any "
                + "check fails. With --all-builds, run the catalogue on the simulator once per modelled "
                + "Windows build, as a matrix.",
        footerHeading = "%nExamples:%n",
        footer = {"  resmap selftest", "  resmap selftest --build win81 --junit-xml reports",
                "  resmap selftest --all-builds --junit-xml reports  (a file per build)",
                "  resmap selftest --backend kernel  (on Windows, with the driver)"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every statement holds", "1:at least one failed", "2:an error, e.g. no driver"})
final class SelftestCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    Json.Option_ json;

    @Option(names = "--junit-xml", paramLabel = "DIR",
            description = "Also write the results as JUnit XML into DIR (created if missing): "
                    + "TEST-resmap.catalogue.<backend>[.<build>].xml.")
    File junitXmlDir;

    @Option(names = "--all-builds", description = "Run on the simulator once per modelled Windows build ("
            + "win7, win81, win10-1507, win10-2004, win11), keeping the other machine settings.")
    boolean allBuilds;

    @Option(names = "--record", paramLabel = "FILE",
            description = "Also write every request, reply, status and outcome, with the Windows build, as "
                    + "JSON to FILE; resmap replay FILE runs the same on the simulator and compares.")
    File recordFile;

    /** What {@code selftest --json} prints: one run per back end or build. */
    record Report(List<Run> runs, long passed, long failed) {
    }

    /** One run of the catalogue. */
    record Run(String backend, String build, String machine, long passed, long failed, long skipped,
               String junitXml, List<Result> results) {
    }

    /** One statement's outcome: skipped when it cannot be checked on the back end (reason says why). */
    record Result(String id, String sources, String statement, boolean passed, boolean skipped, String reason,
                  double seconds) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(spec.commandLine().getErr(), main.terminal());
        List<Run> runs = new ArrayList<>();
        if (allBuilds) {
            if (recordFile != null) {
                throw new ParameterException(spec.commandLine(), "--record records one run; leave out --all-builds");
            }
            if (main.requestedBackend().filter(b -> b != Backend.SIMULATOR).isPresent()) {
                throw new ParameterException(spec.commandLine(),
                        "--all-builds runs on the simulator; a real kernel is one build");
            }
            for (WindowsBuild build : WindowsBuild.values()) {
                runs.add(run(Backend.SIMULATOR, main.machine().onBuild(build), build.label(), progress, out));
            }
            if (!json.json) {
                printMatrix(out, runs);
            }
        } else {
            // Opening the device first turns a missing driver into one line and exit 2, not a failure per scenario.
            Backend backend = availableBackend();
            MachineSettings machine = main.machine();
            runs.add(run(backend, machine, machine.build() == null ? null
                    : machine.build().behaviour().label(), progress, out));
        }
        long failed = runs.stream().mapToLong(Run::failed).sum();
        long passed = runs.stream().mapToLong(Run::passed).sum();
        if (json.json) {
            Json.print(out, new Report(runs, passed, failed));
        }
        return failed == 0 ? 0 : Main.CHECK_FAILED;
    }

    private static int effectiveBuild(SimulatorConfig config) {
        return config.windowsBuild() == 0 ? SimulatorConfig.DEFAULT_BUILD : config.windowsBuild();
    }

    private Run run(Backend backend, MachineSettings machine, String build, Progress progress, PrintWriter out)
            throws IOException {
        boolean simulated = backend == Backend.SIMULATOR;
        String where = "the " + backend.id() + " back end" + (simulated && build != null ? ", build " + build : "");
        SimulatorConfig config = simulated ? machine.config() : SimulatorConfig.defaults();
        RecordedRun recorded = RecordedRun.run(backend, config, (index, total, scenario) ->
                progress.show(String.format(Locale.ROOT, "[%d/%d] %s: %s", index, total, where, scenario.id())));
        List<Outcome> outcomes = recorded.outcomes();
        progress.done();
        if (recordFile != null) {
            WindowsFacts windows = simulated ? null : new NativeWindowsFacts();
            recorded.toRecord(backend, simulated ? effectiveBuild(config) : windows.build(),
                    simulated ? "simulated" : windows.description()).write(recordFile);
            if (!json.json) {
                out.printf("record written to %s%n", recordFile);
            }
        }
        String junit = null;
        if (junitXmlDir != null) {
            junit = JUnitXml.write(junitXmlDir, backend.id() + (build == null ? "" : "." + build), outcomes).getPath();
        }
        long failed = outcomes.stream().filter(Outcome::failed).count();
        long skipped = outcomes.stream().filter(Outcome::wasSkipped).count();
        long passed = outcomes.size() - failed - skipped;
        String machineText = simulated ? machine.describe() : null;
        if (!json.json) {
            out.print(Table.render("Contract catalogue on " + where + (simulated ? ": " + machineText : ""),
                    outcomes, main.terminal()));
            if (junit != null) {
                out.printf("JUnit XML written to %s%n", junit);
            }
            out.printf(Locale.ROOT, "%d statements on %s: %d passed, %d failed, %d skipped%n%n", outcomes.size(),
                    where, passed, failed, skipped);
        }
        List<Result> results = outcomes.stream().map(o -> new Result(o.scenario().id(), o.scenario().sourceTags(),
                o.scenario().statement(), o.passed(), o.wasSkipped(), o.passed() ? null : o.reason(),
                o.duration().toNanos() / 1e9)).toList();
        return new Run(backend.id(), build, machineText, passed, failed, skipped, junit, results);
    }

    private static void printMatrix(PrintWriter out, List<Run> runs) {
        out.println("Matrix: the catalogue on each modelled Windows build");
        out.printf("%-12s %6s %6s%n", "BUILD", "PASSED", "FAILED");
        for (Run run : runs) {
            out.printf("%-12s %6d %6d%n", run.build(), run.passed(), run.failed());
        }
    }

    /** The back end asked for, or the one a plain {@code ResMap.open()} picks; throws if it is not there. */
    private Backend availableBackend() {
        try (ResMap probe = main.openDevice()) {
            return probe.backend();
        }
    }
}
