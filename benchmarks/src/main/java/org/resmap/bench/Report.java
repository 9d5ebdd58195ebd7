package org.resmap.bench;

import java.util.List;
import java.util.Locale;
import org.resmap.bench.PairwiseMain.Comparison;

/** The pairwise runner's results as JSON and as the closing summary. */
final class Report {

    private Report() {
    }

    static String json(int pairs, List<Comparison> results) {
        StringBuilder out = new StringBuilder();
        out.append("{\n  \"pairs\": ").append(pairs).append(",\n  \"java\": \"")
                .append(escape(System.getProperty("java.vm.name") + " " + System.getProperty("java.version")))
                .append("\",\n  \"processors\": ").append(Runtime.getRuntime().availableProcessors())
                .append(",\n  \"results\": [");
        for (int i = 0; i < results.size(); i++) {
            Comparison c = results.get(i);
            out.append(i == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT,
                    "    {\"case\": \"%s\", \"ratio_of\": \"%s\", \"a_ns\": %.1f, \"b_ns\": %.1f, \"ratio\": %.4f, "
                            + "\"q1\": %.4f, \"q3\": %.4f, \"target\": %s, \"verdict\": \"%s\"}",
                    escape(c.caseName()), escape(c.what()), c.pairs().aNs(), c.pairs().bNs(), c.pairs().ratio(),
                    c.pairs().q1(), c.pairs().q3(), c.target() > 0 ? String.format(Locale.ROOT, "%.2f", c.target())
                            : "null", c.verdict()));
        }
        return out.append("\n  ]\n}\n").toString();
    }

    /** Counts of each verdict and the lines that have a target, so the end of the output says it all. */
    static String summary(List<Comparison> results) {
        StringBuilder out = new StringBuilder(String.format("%nsummary (a target is met only when the whole middle"
                + " half of the pair ratios is within it)%n"));
        long met = 0, missed = 0, inconclusive = 0;
        for (Comparison c : results) {
            if (c.target() <= 0) {
                continue;
            }
            out.append(c.line()).append(System.lineSeparator());
            switch (c.verdict()) {
                case "met" -> met++;
                case "missed" -> missed++;
                default -> inconclusive++;
            }
        }
        return out.append(String.format("targets: %d met, %d missed, %d inconclusive%n", met, missed, inconclusive))
                .toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
