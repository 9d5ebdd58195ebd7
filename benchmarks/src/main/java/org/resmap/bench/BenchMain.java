package org.resmap.bench;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the map + unmap benchmark with JMH's GC profiler and prints the Java / C ratio and the bytes
 * allocated per operation. Any JMH option may be given (e.g. {@code -f 1 -wi 2 -i 3}); they override
 * the defaults annotated on {@link ReservedMapUnmapBenchmark}.
 */
public final class BenchMain {

    static final double RATIO_TARGET = PairwiseMain.JAVA_TARGET;

    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Options options = new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(ReservedMapUnmapBenchmark.class.getName() + "\\.")
                .addProfiler(GCProfiler.class)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.print(report(results));
    }

    static String report(Collection<RunResult> results) {
        RunResult java = find(results, "javaReservedMapUnmap");
        RunResult ordinary = find(results, "javaOrdinaryMapUnmap");
        RunResult newObject = find(results, "javaMapNewObject");
        RunResult floor = find(results, "cFloorReservedMapUnmap");
        RunResult ordinaryFloor = find(results, "cFloorOrdinaryMapUnmap");
        StringBuilder out = new StringBuilder();
        out.append(System.lineSeparator()).append("resmap map + unmap, 1 page, simulator")
                .append(System.lineSeparator());
        out.append(String.format("%-26s %12s %10s %10s%n", "benchmark", "ns/op", "error", "B/op"));
        for (RunResult result : new RunResult[] {java, ordinary, newObject, floor, ordinaryFloor}) {
            Result<?> time = result.getPrimaryResult();
            out.append(String.format("%-26s %12.1f %10.1f %10s%n", shortName(result), time.getScore(),
                    time.getScoreError(), allocation(result).map(b -> String.format("%.1f", b)).orElse("n/a")));
        }
        ratio(out, "reserved", java, floor);
        ratio(out, "ordinary", ordinary, ordinaryFloor);
        for (RunResult result : new RunResult[] {java, ordinary}) {
            out.append(String.format("%s B/op: %s (target 0: %s)%n", shortName(result),
                    allocation(result).map(b -> String.format("%.1f", b)).orElse("n/a"),
                    allocation(result).map(b -> b < 1.0 ? "met" : "missed").orElse("unknown")));
        }
        return out.toString();
    }

    // JMH's error is a 99.9% confidence interval: the ratio is only called met or missed when the
    // interval of the Java score is on one side of the target, else inconclusive.
    private static void ratio(StringBuilder out, String kind, RunResult java, RunResult floor) {
        double floorScore = floor.getPrimaryResult().getScore();
        double ratio = java.getPrimaryResult().getScore() / floorScore;
        double error = java.getPrimaryResult().getScoreError() / floorScore;
        String verdict = ratio + error <= RATIO_TARGET ? "met" : ratio - error > RATIO_TARGET ? "missed" : "inconclusive";
        out.append(String.format("%s ratio java / C floor: %.3f +- %.3f (target <= %.2f: %s)%n", kind, ratio, error,
                RATIO_TARGET, verdict));
    }

    private static RunResult find(Collection<RunResult> results, String method) {
        return results.stream()
                .filter(r -> r.getParams().getBenchmark().endsWith("." + method))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + method));
    }

    private static String shortName(RunResult result) {
        String name = result.getParams().getBenchmark();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    // The GC profiler's normalised allocation rate; its key has carried a "·" prefix in some JMH versions.
    private static Optional<Double> allocation(RunResult result) {
        Map<String, Result> secondary = result.getSecondaryResults();
        return secondary.entrySet().stream()
                .filter(e -> e.getKey().endsWith("gc.alloc.rate.norm"))
                .map(e -> e.getValue().getScore())
                .findFirst();
    }
}
