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

    static final double RATIO_TARGET = 1.3;

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
        RunResult newObject = find(results, "javaMapNewObject");
        RunResult floor = find(results, "cFloorReservedMapUnmap");
        StringBuilder out = new StringBuilder();
        out.append(System.lineSeparator()).append("resmap reserved map + unmap, 1 page, simulator")
                .append(System.lineSeparator());
        out.append(String.format("%-26s %12s %10s %10s%n", "benchmark", "ns/op", "error", "B/op"));
        for (RunResult result : new RunResult[] {java, newObject, floor}) {
            Result<?> time = result.getPrimaryResult();
            out.append(String.format("%-26s %12.1f %10.1f %10s%n", shortName(result), time.getScore(),
                    time.getScoreError(), allocation(result).map(b -> String.format("%.1f", b)).orElse("n/a")));
        }
        double ratio = java.getPrimaryResult().getScore() / floor.getPrimaryResult().getScore();
        out.append(String.format("ratio java / C floor: %.3f (target <= %.1f: %s)%n", ratio, RATIO_TARGET,
                ratio <= RATIO_TARGET ? "met" : "missed"));
        out.append(String.format("java B/op: %s (target 0: %s)%n",
                allocation(java).map(b -> String.format("%.1f", b)).orElse("n/a"),
                allocation(java).map(b -> b < 1.0 ? "met" : "missed").orElse("unknown")));
        return out.toString();
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
