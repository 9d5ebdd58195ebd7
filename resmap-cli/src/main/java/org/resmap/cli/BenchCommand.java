package org.resmap.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resmap.BenchResult;
import org.resmap.CachingType;
import org.resmap.PageSet;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.Reservation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code resmap bench}: the in-driver bench ({@code IOCTL_RESMAP_BENCH}) for several page counts,
 * reserved against ordinary, repeated; a table of medians with their spread, optionally JSON and a chart.
 * Each repetition runs every page count once, so that a drift of the machine touches all of them alike.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Time reserved (MmMapLockedPagesWithReservedMapping + MmUnmapReservedMapping) against "
                + "ordinary (MmMapLockedPagesSpecifyCache + MmUnmapLockedPages) map + unmap cycles inside the "
                + "driver, for several page counts, and print the cost per cycle and per page with its spread. "
                + "On the simulator this measures the simulator; on Windows, the kernel.",
        footerHeading = "%nExamples:%n",
        footer = {"  resmap bench", "  resmap bench --pages 1,64 --iterations 500 --repetitions 9",
                "  resmap bench --chart bench.svg --json", "  resmap bench --backend kernel  (on Windows, with the driver)"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:success", "2:an error, e.g. no driver"})
final class BenchCommand implements Callable<Integer> {

    static final int MAX_PAGES = 16_384;                    // 64 MiB, the driver's per-handle page set quota
    static final int MAX_ITERATIONS = 100_000;              // RESMAP_MAX_BENCH_ITERATIONS
    private static final PoolTag TAG = PoolTag.of("RsBn");
    private static final long PAGE = 4096;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    Json.Option_ json;

    @Option(names = "--pages", paramLabel = "N,N,...", split = ",",
            description = "Page counts to bench, 1 to " + MAX_PAGES + " (default: 1,16,256,4096).")
    int[] pages = {1, 16, 256, 4096};

    @Option(names = "--iterations", paramLabel = "N",
            description = "Map + unmap cycles per path in one bench request, 1 to " + MAX_ITERATIONS
                    + " (default: 200; the driver stops a request after one second).")
    int iterations = 200;

    @Option(names = "--repetitions", paramLabel = "N",
            description = "Bench requests per page count, 1 to 99; medians and spread are over these (default: 5).")
    int repetitions = 5;

    @Option(names = "--chart", paramLabel = "FILE.svg",
            description = "Also draw the medians per page count as a bar chart into FILE (SVG).")
    File chart;

    /** What {@code bench --json} prints. */
    record Report(String backend, String machine, long frequency, int iterations, int repetitions, List<Row> rows,
                  String chart) {
    }

    /**
     * One page count: the cycles the driver ran (fewest over the repetitions), whether its time budget
     * cut any repetition short, each path's spread, the ratio ordinary/reserved and what it says.
     */
    record Row(int pages, int cycles, boolean budgetSpent, Spread reserved, Spread ordinary, Ratio ratio,
               String verdict) {
    }

    /**
     * Nanoseconds per map + unmap cycle: the median, extremes and all of the repetitions' means, the
     * median per page, and the single fastest and slowest cycle the driver timed in any repetition.
     */
    record Spread(double nsPerCycleMedian, double nsPerCycleMin, double nsPerCycleMax, double nsPerPageMedian,
                  double[] nsPerCycle, double fastestCycleNs, double slowestCycleNs) {
        static Spread of(double[] samples, int pages, double fastest, double slowest) {
            double median = median(samples);
            return new Spread(median, Arrays.stream(samples).min().orElse(0), Arrays.stream(samples).max().orElse(0),
                    median / pages, samples, fastest, slowest);
        }
    }

    /** Ordinary over reserved, one per repetition (the same request timed both paths, alternating). */
    record Ratio(double median, double min, double max, double[] perRequest) {
        static Ratio of(double[] perRequest) {
            return new Ratio(BenchCommand.median(perRequest), Arrays.stream(perRequest).min().orElse(Double.NaN),
                    Arrays.stream(perRequest).max().orElse(Double.NaN), perRequest);
        }
    }

    @Override
    public Integer call() throws IOException {
        checkOptions();
        PrintWriter out = spec.commandLine().getOut();
        int largest = Arrays.stream(pages).max().orElse(1);
        try (ResMap device = open(largest)) {
            String machine = device.simulator().isPresent() ? machineFor(largest).describe() : null;
            double[][][] samples = new double[pages.length][2][repetitions];
            double[][] fastest = new double[pages.length][2];
            double[][] slowest = new double[pages.length][2];
            for (double[] f : fastest) {
                Arrays.fill(f, Double.MAX_VALUE);
            }
            double[][] ratios = new double[pages.length][repetitions];
            int[] cycles = new int[pages.length];
            boolean[] budgetSpent = new boolean[pages.length];
            Arrays.fill(cycles, Integer.MAX_VALUE);
            long frequency = 0;
            for (int rep = 0; rep < repetitions; rep++) {
                for (int i = 0; i < pages.length; i++) {
                    BenchResult r = benchOnce(device, pages[i]);
                    frequency = r.frequency();
                    BenchResult.Path[] paths = {r.reserved().orElseThrow(), r.ordinary().orElseThrow()};
                    for (int p = 0; p < 2; p++) {
                        samples[i][p][rep] = paths[p].nanosPerCycle();
                        fastest[i][p] = Math.min(fastest[i][p], paths[p].minNanos());
                        slowest[i][p] = Math.max(slowest[i][p], paths[p].maxNanos());
                    }
                    ratios[i][rep] = r.ordinaryOverReserved().orElse(Double.NaN);
                    cycles[i] = Math.min(cycles[i], r.cycles());
                    budgetSpent[i] |= r.budgetSpent();
                }
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < pages.length; i++) {
                Ratio ratio = Ratio.of(ratios[i]);
                rows.add(new Row(pages[i], cycles[i], budgetSpent[i],
                        Spread.of(samples[i][0], pages[i], fastest[i][0], slowest[i][0]),
                        Spread.of(samples[i][1], pages[i], fastest[i][1], slowest[i][1]), ratio, verdict(ratio)));
            }
            Report report = new Report(device.backend().id(), machine, frequency, iterations, repetitions, rows,
                    chart == null ? null : chart.getPath());
            if (chart != null) {
                BenchChart.writeSvg(chart, report);
            }
            if (json.json) {
                Json.print(out, report);
            } else {
                BenchTable.print(out, report, main.terminal());
            }
        }
        return 0;
    }

    private void checkOptions() {
        for (int p : pages) {
            if (p < 1 || p > MAX_PAGES) {
                throw new ParameterException(spec.commandLine(), "--pages must be " + "1 to " + MAX_PAGES
                        + " (the driver's 64 MiB page set quota), not " + p);
            }
        }
        if (pages.length == 0 || Arrays.stream(pages).distinct().count() != pages.length) {
            throw new ParameterException(spec.commandLine(), "--pages needs distinct page counts, not "
                    + Arrays.toString(pages));
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new ParameterException(spec.commandLine(), "--iterations must be 1 to " + MAX_ITERATIONS + ", not "
                    + iterations);
        }
        if (repetitions < 1 || repetitions > 99) {
            throw new ParameterException(spec.commandLine(), "--repetitions must be 1 to 99, not " + repetitions);
        }
    }

    /**
     * The device: as the global options say, except that a simulated machine whose size was not given
     * is made large enough for the largest page count (its reservation and its ordinary mapping both
     * need system PTEs, and the page set needs frames), because the default machine is not.
     */
    private ResMap open(int largest) {
        ResMap device = main.openDevice();
        MachineSettings given = main.machine();
        if (device.simulator().isEmpty() || given.systemPtes() != null || given.memoryBytes() != null) {
            return device;
        }
        MachineSettings sized = machineFor(largest);
        if (sized.equals(given)) {
            return device;
        }
        device.close();
        return ResMap.openSimulator(sized.config());
    }

    private MachineSettings machineFor(int largest) {
        MachineSettings given = main.machine();
        if (given.systemPtes() != null || given.memoryBytes() != null) {
            return given;
        }
        // Reservation (with its two header PTEs) and ordinary mapping side by side, plus room to spare;
        // frames for the page set, with the gaps the simulator's allocator leaves, plus the default's spare.
        int ptes = Math.max(MachineSettings.DEFAULT_PTES, 2 * largest + 64);
        long memory = Math.max(MachineSettings.DEFAULT_MEMORY,
                Math.min(MachineSettings.MAX_MEMORY, (largest + largest / 8 + 2048) * PAGE));
        if (ptes == MachineSettings.DEFAULT_PTES && memory == MachineSettings.DEFAULT_MEMORY) {
            return given;
        }
        return new MachineSettings(given.build(), ptes, memory, given.verifier());
    }

    private BenchResult benchOnce(ResMap device, int pageCount) {
        try (Reservation reservation = device.reserve(pageCount * PAGE, TAG);
             PageSet set = device.allocatePages(pageCount * PAGE, CachingType.CACHED)) {
            return device.bench(set.all(), reservation, 0, iterations, Duration.ZERO);
        }
    }

    /**
     * "reserved cheaper" or "ordinary cheaper" only when every repetition agrees; otherwise the noise
     * is larger than the difference and the answer is "inconclusive".
     */
    static String verdict(Ratio ratio) {
        if (ratio.min() > 1) {
            return "reserved cheaper";
        }
        if (ratio.max() < 1) {
            return "ordinary cheaper";
        }
        return "inconclusive";
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** @return e.g. {@code "1.23 us"} or {@code "850 ns"} */
    static String nanos(double ns) {
        if (ns >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", ns / 1_000_000);
        }
        if (ns >= 10_000) {
            return String.format(Locale.ROOT, "%.1f us", ns / 1000);
        }
        if (ns >= 1000) {
            return String.format(Locale.ROOT, "%.2f us", ns / 1000);
        }
        return String.format(Locale.ROOT, "%.0f ns", ns);
    }
}
