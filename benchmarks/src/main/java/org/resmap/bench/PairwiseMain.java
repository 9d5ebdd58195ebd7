package org.resmap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.resmap.CachingType;
import org.resmap.Mapping;
import org.resmap.PageSet;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.Reservation;
import org.resmap.SimulatorConfig;

/**
 * The Java API against its C floor, and the C floor against the bare host, side by side in one JVM, for
 * 1, 16, 256 and 4,096 pages, reserved and ordinary, with the cost of the two JNA transitions a cycle
 * makes set against the same floor (the least the Java API can add, whatever it does):
 * short blocks of each subject alternate (A B, B A, ...), every adjacent pair gives a ratio, and the
 * summary reports the median ratio with its quartiles. A target is "met" when the whole middle half of
 * the ratios is within it, "missed" when all of it is outside, and "inconclusive" otherwise (the noise
 * is larger than the margin). Nothing here is a test: docs/benchmarks.md records what it measured.
 *
 * <pre>
 *   java -cp benchmarks.jar org.resmap.bench.PairwiseMain [--quick] [--json FILE] [--chart FILE.png]
 * </pre>
 */
public final class PairwiseMain {

    static final double JAVA_TARGET = 1.05;
    static final double REQUEST_TARGET = 1.2;
    private static final int[] PAGE_COUNTS = {1, 16, 256, 4096};
    private static final int SCATTER_RUN = 16; // the simulator's scattered allocations (sim_frames.c)
    private static final PoolTag TAG = PoolTag.of("RsMp");
    private static final long PAGE = 4096;
    private static final int WARM_UP_CYCLES = 50_000;

    /**
     * One of the page sets measured. Its frames come in runs of 16 whatever the request asks: through
     * the protocol a page set can only prefer contiguity, which promises nothing, and the simulator
     * scatters (native-usermode/src/bench/c/bench_sim.c measures contiguous frames on the kernel side).
     */
    record Case(int pages, boolean ordinary) {
        String name() {
            return (ordinary ? "ordinary " : "reserved ") + pages + " (runs of " + Math.min(pages, SCATTER_RUN) + ")";
        }
    }

    /** Something that runs n map + unmap cycles. */
    interface Subject {
        void run(int cycles);
    }

    private PairwiseMain() {
    }

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        List<Comparison> results = new ArrayList<>();
        System.out.printf("resmap pairwise benchmark: %d alternating block pairs per line; ratio [quartiles]%n",
                options.pairs);
        System.out.printf("%-34s %-14s %10s %10s %7s %17s%n", "case", "ratio", "A ns", "B ns", "median",
                "quartiles");
        warmUp();
        for (Case c : cases()) {
            results.addAll(measure(c, options));
        }
        if (options.json != null) {
            Files.writeString(options.json, Report.json(options.pairs, results));
            System.out.println("JSON: " + options.json);
        }
        if (options.chart != null) {
            Chart.write(results, options.chart);
            System.out.println("chart: " + options.chart);
        }
        System.out.print(Report.summary(results));
    }

    /** Enough cycles of the Java path for the JIT to have compiled it before anything is measured. */
    private static void warmUp() {
        try (ResMap device = ResMap.openSimulator(SimulatorConfig.defaults());
             Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            mapping.close();
            for (int i = 0; i < WARM_UP_CYCLES; i++) {
                mapping.remap();
                mapping.close();
            }
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (boolean ordinary : new boolean[] {false, true}) {
            for (int pages : PAGE_COUNTS) {
                cases.add(new Case(pages, ordinary));
            }
        }
        return cases;
    }

    private static List<Comparison> measure(Case c, Options options) {
        SimulatorConfig config = SimulatorConfig.builder()
                .physicalPages(2 * c.pages() + 64)
                .systemPtes(c.pages() + 64)
                .build();
        try (ResMap device = ResMap.openSimulator(config);
             Reservation reservation = c.ordinary() ? null : device.reserve(c.pages() * PAGE, TAG);
             PageSet pages = device.allocatePages(c.pages() * PAGE, CachingType.CACHED);
             Mapping mapping = c.ordinary() ? pages.mapOrdinary() : reservation.map(pages);
             Floors.Request request = new Floors.Request(c.pages(), c.ordinary(), false);
             Floors.Host host = new Floors.Host(c.pages(), SCATTER_RUN)) {
            mapping.close();
            Subject java = cycles -> {
                for (int i = 0; i < cycles; i++) {
                    mapping.remap();
                    mapping.close();
                }
            };
            double requestTarget = c.pages() == 1 && !c.ordinary() ? REQUEST_TARGET : 0;
            // The JNA transitions alone: Java / C cannot come below 1 + this ratio, whatever the API does.
            List<Comparison> out = List.of(
                    Comparison.of(c.name(), "java / C", Pairs.run(java, request::run, options), JAVA_TARGET),
                    Comparison.of(c.name(), "2 JNA calls / C", Pairs.run(Floors.Calls::run, request::run, options), 0),
                    Comparison.of(c.name(), "C / host", Pairs.run(request::run, host::run, options),
                            requestTarget));
            for (Comparison r : out) {
                System.out.println(r.line());
            }
            return out;
        }
    }

    /** Command-line options. */
    static final class Options {
        int pairs = 15;
        double blockMicros = 2000;
        Path json;
        Path chart;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> {
                        o.pairs = 5;
                        o.blockMicros = 500;
                    }
                    case "--json" -> o.json = Path.of(value(args, ++i));
                    case "--chart" -> o.chart = Path.of(value(args, ++i));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; usage: PairwiseMain [--quick] [--json FILE] [--chart FILE.png]");
                }
            }
            return o;
        }

        private static String value(String[] args, int i) {
            if (i >= args.length) {
                throw new IllegalArgumentException(args[i - 1] + " needs a value");
            }
            return args[i];
        }
    }

    /** Medians of the blocks of A and B (ns per cycle) and the median and quartiles of A/B per pair. */
    record Pairs(double aNs, double bNs, double ratio, double q1, double q3) {

        static Pairs run(Subject a, Subject b, Options options) {
            // Warm up both (the JIT, the host's page tables), then size a block by the slower one.
            double probe = Math.max(time(a, 2000) / 2000, time(b, 2000) / 2000);
            int cycles = (int) Math.max(5, options.blockMicros * 1000 / Math.max(probe, 1));
            double[] as = new double[options.pairs];
            double[] bs = new double[options.pairs];
            double[] ratios = new double[options.pairs];
            for (int i = 0; i < options.pairs; i++) {
                if (i % 2 == 0) {
                    as[i] = time(a, cycles) / cycles;
                    bs[i] = time(b, cycles) / cycles;
                } else {
                    bs[i] = time(b, cycles) / cycles;
                    as[i] = time(a, cycles) / cycles;
                }
                ratios[i] = as[i] / bs[i];
            }
            Arrays.sort(as);
            Arrays.sort(bs);
            Arrays.sort(ratios);
            return new Pairs(quantile(as, 0.5), quantile(bs, 0.5), quantile(ratios, 0.5), quantile(ratios, 0.25),
                    quantile(ratios, 0.75));
        }

        private static double time(Subject s, int cycles) {
            long start = System.nanoTime();
            s.run(cycles);
            return System.nanoTime() - start;
        }

        static double quantile(double[] sorted, double q) {
            double pos = q * (sorted.length - 1);
            int lo = (int) pos;
            double frac = pos - lo;
            return lo + 1 < sorted.length ? sorted[lo] * (1 - frac) + sorted[lo + 1] * frac : sorted[lo];
        }
    }

    /** One line of the summary: a case, what was compared, the figures and the verdict. */
    record Comparison(String caseName, String what, Pairs pairs, double target, String verdict) {

        static Comparison of(String caseName, String what, Pairs pairs, double target) {
            return new Comparison(caseName, what, pairs, target, verdict(pairs, target));
        }

        static String verdict(Pairs p, double target) {
            if (target <= 0) {
                return "-";
            }
            return p.q3() <= target ? "met" : p.q1() > target ? "missed" : "inconclusive";
        }

        String line() {
            String t = target > 0 ? String.format(Locale.ROOT, " target <= %.2f: %s", target, verdict) : "";
            return String.format(Locale.ROOT, "%-34s %-14s %10.0f %10.0f %7.3f [%6.3f %6.3f]%s", caseName, what,
                    pairs.aNs(), pairs.bNs(), pairs.ratio(), pairs.q1(), pairs.q3(), t);
        }
    }
}
