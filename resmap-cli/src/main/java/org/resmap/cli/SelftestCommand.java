package org.resmap.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resmap.Backend;
import org.resmap.ResMap;
import org.resmap.catalogue.CatalogueRunner;
import org.resmap.catalogue.JUnitXml;
import org.resmap.catalogue.Outcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code resmap selftest}: runs the contract catalogue on one back end and prints one row per
 * statement; exits 1 if any failed.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Check every catalogued statement about the API family on a back end; "
                + "exit 1 if any check fails.")
final class SelftestCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--junit-xml", paramLabel = "DIR",
            description = "Also write the results as JUnit XML into DIR (created if missing).")
    File junitXmlDir;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Opening the device first turns a missing driver into one line and exit 2, not a failure per scenario.
        Backend backend = availableBackend();
        List<Outcome> outcomes = new CatalogueRunner(backend).runAll((index, total, scenario) ->
                err.printf("[%d/%d] %s%n", index, total, scenario.id()));
        out.print(Table.render(backend, outcomes));
        if (junitXmlDir != null) {
            File report = JUnitXml.write(junitXmlDir, backend, outcomes);
            out.printf("JUnit XML written to %s%n", report);
        }
        long failed = outcomes.stream().filter(Outcome::failed).count();
        long skipped = outcomes.stream().filter(Outcome::wasSkipped).count();
        out.printf(Locale.ROOT, "%d statements on the %s back end: %d passed, %d failed, %d skipped%n", outcomes.size(),
                backend.id(), outcomes.size() - failed - skipped, failed, skipped);
        return failed == 0 ? 0 : Main.CHECK_FAILED;
    }

    /** The back end asked for, or the one a plain {@code ResMap.open()} picks; throws if it is not there. */
    private Backend availableBackend() {
        try (ResMap probe = main.openDevice()) {
            return probe.backend();
        }
    }
}
