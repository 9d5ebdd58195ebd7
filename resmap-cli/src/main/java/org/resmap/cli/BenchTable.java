package org.resmap.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.resmap.cli.BenchCommand.Report;
import org.resmap.cli.BenchCommand.Row;
import org.resmap.cli.BenchCommand.Spread;

/**
 * The text form of {@code resmap bench}: one row per page count, medians with their range. Off a
 * terminal every column is printed; on a narrow terminal the per-page columns go first, then the
 * ranges, so that a row stays one line (down to about 64 columns).
 */
final class BenchTable {

    private BenchTable() {
    }

    static void print(PrintWriter out, Report report, Terminal terminal) {
        int lineWidth = terminal.interactive() ? terminal.width() - 1 : Integer.MAX_VALUE;
        String where = report.backend() + " back end" + (report.machine() != null ? " (" + report.machine() + ")" : "");
        say(out, lineWidth, "In-driver bench on the " + where + ": " + report.iterations()
                + " cycles per path per request, " + report.repetitions() + " requests per page count; medians "
                + "(min-max) of ns per map + unmap cycle.");
        // Narrower and narrower until the rows fit: without the per-page columns, then without the ranges
        // of the per-cycle columns, then without the ratio's range.
        List<String[]> table = rows(report, true, true, true);
        if (terminal.interactive()) {
            List<List<String[]>> narrower = List.of(rows(report, false, true, true), rows(report, false, false, true),
                    rows(report, false, false, false));
            for (int i = 0; i < narrower.size() && width(table) > lineWidth; i++) {
                table = narrower.get(i);
            }
        }
        int[] widths = widths(table);
        for (String[] cells : table) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cells.length; c++) {
                String cell = cells[c];
                boolean number = c < 2;
                line.append(number ? " ".repeat(widths[c] - cell.length()) + cell : cell
                        + " ".repeat(widths[c] - cell.length())).append("  ");
            }
            out.println(line.toString().stripTrailing());
        }
        say(out, lineWidth, "ORD/RES above 1: the reserved mapping is cheaper; \"inconclusive\" when the "
                + "repetitions disagree.");
        if (report.rows().stream().anyMatch(Row::budgetSpent)) {
            say(out, lineWidth, "The driver's one-second budget ended some requests early: CYCLES is the fewest any "
                    + "request ran.");
        }
        say(out, lineWidth, report.backend().equals("simulator")
                ? "Timed inside the simulated driver: these are the simulator's costs on this machine, not Windows'."
                : "Timed inside resmap.sys with KeQueryPerformanceCounter (" + report.frequency() + " Hz).");
        if (report.chart() != null) {
            say(out, lineWidth, "Chart written to " + report.chart());
        }
    }

    /** Prints text wrapped to width (one line when the width is unlimited). */
    private static void say(PrintWriter out, int width, String text) {
        Table.wrap(text, width).forEach(out::println);
    }

    private static List<String[]> rows(Report report, boolean perPage, boolean ranges, boolean ratioRange) {
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("PAGES", "CYCLES", "RESERVED", "ORDINARY"));
        if (perPage) {
            header.addAll(List.of("RES/PAGE", "ORD/PAGE"));
        }
        header.addAll(List.of("ORD/RES", "VERDICT"));
        rows.add(header.toArray(String[]::new));
        for (Row row : report.rows()) {
            List<String> cells = new ArrayList<>(List.of(String.valueOf(row.pages()), String.valueOf(row.cycles()),
                    spread(row.reserved(), ranges), spread(row.ordinary(), ranges)));
            if (perPage) {
                cells.addAll(List.of(BenchCommand.nanos(row.reserved().nsPerPageMedian()),
                        BenchCommand.nanos(row.ordinary().nsPerPageMedian())));
            }
            cells.add(ratioRange ? String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", row.ratio().median(), row.ratio().min(),
                    row.ratio().max()) : String.format(Locale.ROOT, "%.2f", row.ratio().median()));
            cells.add(row.verdict());
            rows.add(cells.toArray(String[]::new));
        }
        return rows;
    }

    /** @return e.g. {@code "2.31 us (2.20-2.45)"}: the range in the median's unit */
    static String spread(Spread s, boolean range) {
        String median = BenchCommand.nanos(s.nsPerCycleMedian());
        if (!range) {
            return median;
        }
        String unit = median.substring(median.indexOf(' ') + 1);
        double scale = switch (unit) {
            case "ms" -> 1_000_000;
            case "us" -> 1000;
            default -> 1;
        };
        String digits = scale == 1 ? "%.0f" : scale == 1000 && s.nsPerCycleMedian() >= 10_000 ? "%.1f" : "%.2f";
        return median + " (" + String.format(Locale.ROOT, digits + "-" + digits, s.nsPerCycleMin() / scale,
                s.nsPerCycleMax() / scale) + ")";
    }

    private static int[] widths(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] cells : rows) {
            for (int c = 0; c < cells.length; c++) {
                widths[c] = Math.max(widths[c], cells[c].length());
            }
        }
        return widths;
    }

    private static int width(List<String[]> rows) {
        int total = 0;
        for (int w : widths(rows)) {
            total += w + 2;
        }
        return total - 2;
    }
}
