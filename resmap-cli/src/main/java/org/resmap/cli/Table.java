package org.resmap.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.text.WordUtils;
import org.resmap.catalogue.Outcome;

/**
 * The selftest table: result, scenario id, sources, statement; and the reason under a failure. On a
 * terminal the statement wraps to the terminal's width (under its own column, or on the lines below
 * the id when the terminal is too narrow for a column); off a terminal each row is one line, for grep.
 */
final class Table {

    // A statement column narrower than this is unreadable: the statement goes below the id instead.
    private static final int MIN_TEXT = 30;
    private static final String BELOW = "       ";

    private Table() {
    }

    static String render(String title, List<Outcome> outcomes, Terminal terminal) {
        int idWidth = outcomes.stream().mapToInt(o -> o.scenario().id().length()).max().orElse(9);
        int sourceWidth = Math.max(6, outcomes.stream().mapToInt(o -> o.scenario().sourceTags().length()).max().orElse(6));
        String row = "%-6s %-" + idWidth + "s %-" + sourceWidth + "s %s%n";
        int textColumn = 6 + 1 + idWidth + 1 + sourceWidth + 1;
        int textWidth = terminal.interactive() ? terminal.width() - 1 - textColumn : Integer.MAX_VALUE;
        boolean below = terminal.interactive() && textWidth < MIN_TEXT;
        StringBuilder table = new StringBuilder();
        wrap(title, terminal.interactive() ? terminal.width() - 1 : Integer.MAX_VALUE)
                .forEach(line -> table.append(line).append(System.lineSeparator()));
        table.append(String.format(Locale.ROOT, row, "RESULT", "STATEMENT", "SOURCE", below ? "" : "TEXT").stripTrailing())
                .append(System.lineSeparator());
        for (Outcome outcome : outcomes) {
            String result = outcome.passed() ? "pass" : outcome.wasSkipped() ? "skip" : "FAIL";
            String statement = outcome.scenario().statement();
            if (below) {
                table.append(String.format(Locale.ROOT, row, result, outcome.scenario().id(),
                        outcome.scenario().sourceTags(), "").stripTrailing()).append(System.lineSeparator());
                wrap(statement, terminal.width() - 1 - BELOW.length()).forEach(line ->
                        table.append(BELOW).append(line).append(System.lineSeparator()));
            } else {
                List<String> lines = wrap(statement, textWidth);
                table.append(String.format(Locale.ROOT, row, result, outcome.scenario().id(),
                        outcome.scenario().sourceTags(), lines.get(0)));
                String indent = " ".repeat(textColumn);
                lines.stream().skip(1).forEach(line -> table.append(indent).append(line).append(System.lineSeparator()));
            }
            if (outcome.failed()) {
                table.append("       -> ").append(outcome.reason()).append(System.lineSeparator());
            }
        }
        return table.toString();
    }

    /** @return text as lines of at most width characters (a longer word stays whole), one line if width is unlimited */
    static List<String> wrap(String text, int width) {
        if (width == Integer.MAX_VALUE || text.length() <= width) {
            return List.of(text);
        }
        return new ArrayList<>(WordUtils.wrap(text, Math.max(1, width), "\n", false).lines().toList());
    }
}
