package org.resmap.cli;

import java.util.List;
import java.util.Locale;
import org.resmap.Backend;
import org.resmap.catalogue.Outcome;

/** The selftest table: result, scenario id, sources, statement; and the reason under a failure. */
final class Table {

    private Table() {
    }

    static String render(Backend backend, List<Outcome> outcomes) {
        int idWidth = outcomes.stream().mapToInt(o -> o.scenario().id().length()).max().orElse(2);
        int sourceWidth = outcomes.stream().mapToInt(o -> o.scenario().sourceTags().length()).max().orElse(6);
        String row = "%-6s %-" + idWidth + "s %-" + Math.max(sourceWidth, 6) + "s %s%n";
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Contract catalogue on the %s back end%n",
                backend.id()));
        table.append(String.format(Locale.ROOT, row, "RESULT", "STATEMENT", "SOURCE", "TEXT"));
        for (Outcome outcome : outcomes) {
            String result = outcome.passed() ? "pass" : outcome.wasSkipped() ? "skip" : "FAIL";
            table.append(String.format(Locale.ROOT, row, result, outcome.scenario().id(),
                    outcome.scenario().sourceTags(), outcome.scenario().statement()));
            if (outcome.failed()) {
                table.append("       -> ").append(outcome.reason()).append(System.lineSeparator());
            }
        }
        return table.toString();
    }
}
