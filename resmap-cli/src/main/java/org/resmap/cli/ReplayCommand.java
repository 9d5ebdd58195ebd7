package org.resmap.cli;

import org.resmap.Backend;
import org.resmap.Exchange;
import org.resmap.SimulatorConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code resmap replay FILE}: runs the scenarios of a record made by {@code selftest --record} on the
 * simulator configured as the record's Windows build, and reports every disagreement; exits 1 if any.
 *
 * <p>Compared, per scenario: the outcome, the number of requests, and each request's IOCTL, status and
 * reply length; the reply bytes too when the record was made on the simulator. A kernel's replies carry
 * handles whose session field counts every handle the driver has seen since it started, so their bytes
 * are not comparable with a fresh simulated machine's. A scenario the record skipped (simulator-only, on
 * the kernel) is not compared.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run a selftest record's scenarios on the simulator, as the record's Windows build, "
                + "and report every disagreement; exit 1 if any.")
final class ReplayCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "A record written by resmap selftest --record.")
    File recordFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        RunRecord recorded = RunRecord.read(recordFile);
        SimulatorConfig config = SimulatorConfig.builder().windowsBuild(recorded.windowsBuild()).build();
        RunRecord replayed = RecordedRun.run(Backend.SIMULATOR, config, (index, total, scenario) -> { })
                .toRecord(Backend.SIMULATOR, recorded.windowsBuild(), "simulated");
        List<String> disagreements = compare(recorded, replayed);
        out.printf("replayed %s (%s back end, Windows build %d, %s) on the simulator as build %d%n", recordFile,
                recorded.backend(), recorded.windowsBuild(), recorded.windows(), recorded.windowsBuild());
        disagreements.forEach(d -> out.println("DISAGREE " + d));
        out.printf("%d scenarios compared: %d disagreements%n", comparedCount(recorded), disagreements.size());
        return disagreements.isEmpty() ? 0 : Main.CHECK_FAILED;
    }

    private static long comparedCount(RunRecord recorded) {
        return recorded.scenarios().stream().filter(s -> !s.outcome().equals("skip")).count();
    }

    /** Every way the replay differs from the record, one line each. */
    static List<String> compare(RunRecord recorded, RunRecord replayed) {
        boolean sameBackend = recorded.backend().equals(Backend.SIMULATOR.id());
        Map<String, RunRecord.ScenarioRecord> byId = replayed.scenarios().stream()
                .collect(Collectors.toMap(RunRecord.ScenarioRecord::id, Function.identity()));
        List<String> found = new ArrayList<>();
        for (RunRecord.ScenarioRecord then : recorded.scenarios()) {
            if (then.outcome().equals("skip")) {
                continue;
            }
            RunRecord.ScenarioRecord now = byId.get(then.id());
            if (now == null) {
                found.add(then.id() + ": not in this catalogue");
                continue;
            }
            if (!then.outcome().equals(now.outcome())) {
                found.add(then.id() + ": recorded " + then.outcome() + describe(then) + ", simulator " + now.outcome()
                        + describe(now));
            }
            int common = Math.min(then.requests().size(), now.requests().size());
            for (int i = 0; i < common; i++) {
                RunRecord.RequestRecord a = then.requests().get(i);
                RunRecord.RequestRecord b = now.requests().get(i);
                String where = then.id() + " request " + (i + 1) + " (" + a.request() + ")";
                if (!a.request().equals(b.request())) {
                    found.add(where + ": the simulator sent " + b.request() + " instead");
                    break;
                }
                if (!a.status().equals(b.status())) {
                    found.add(where + ": recorded status " + a.status() + ", simulator " + b.status());
                } else if (a.output().length() != b.output().length()) {
                    found.add(where + ": recorded " + a.output().length() / 2 + " reply bytes, simulator "
                            + b.output().length() / 2);
                } else if (sameBackend && !Objects.equals(Exchange.repeatableOutputHex(a.request(), a.output()),
                        Exchange.repeatableOutputHex(b.request(), b.output()))) {
                    found.add(where + ": reply bytes differ: recorded " + a.output() + ", simulator " + b.output());
                }
            }
            if (then.requests().size() != now.requests().size()) {
                found.add(then.id() + ": recorded " + then.requests().size() + " requests, simulator "
                        + now.requests().size());
            }
        }
        return found;
    }

    private static String describe(RunRecord.ScenarioRecord scenario) {
        return scenario.reason().isEmpty() ? "" : " (" + scenario.reason() + ")";
    }
}
