package org.resmap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code resmap bench}: what it prints and decides, never how fast anything is. */
class BenchCommandTest {

    @Test
    void aVerdictNeedsEveryRepetitionToAgree() {
        assertEquals("reserved cheaper", BenchCommand.verdict(BenchCommand.Ratio.of(new double[] {1.3, 1.01, 1.6})));
        assertEquals("ordinary cheaper", BenchCommand.verdict(BenchCommand.Ratio.of(new double[] {0.7, 0.5, 0.99})));
        assertEquals("inconclusive", BenchCommand.verdict(BenchCommand.Ratio.of(new double[] {1.3, 0.98, 1.6})));
        assertEquals("inconclusive", BenchCommand.verdict(BenchCommand.Ratio.of(new double[] {1.0, 1.0, 1.0})));
    }

    @Test
    void mediansOfOddAndEvenCounts() {
        assertEquals(2.0, BenchCommand.median(new double[] {3, 1, 2}));
        assertEquals(2.5, BenchCommand.median(new double[] {4, 1, 3, 2}));
    }

    @Test
    void aRangeIsShownInItsMediansUnit() {
        BenchCommand.Spread s = BenchCommand.Spread.of(new double[] {2310, 2200, 2450}, 1, 2000, 3000);
        assertEquals("2.31 us (2.20-2.45)", BenchTable.spread(s, true));
        assertEquals("2.31 us", BenchTable.spread(s, false));
        assertEquals("850 ns (800-900)", BenchTable.spread(BenchCommand.Spread.of(new double[] {850, 800, 900}, 1, 700, 1000), true));
        assertEquals(577.5, BenchCommand.Spread.of(new double[] {2310, 2200, 2450}, 4, 2000, 3000).nsPerPageMedian());
    }

    @Test
    void theJsonReportHasARowPerPageCountAndTheChartItsLabels(@TempDir Path dir) throws Exception {
        Path chart = dir.resolve("charts/bench.svg");
        MainTest.Run run = MainTest.run("bench", "--pages", "1,3", "--iterations", "4", "--repetitions", "3",
                "--json", "--chart", chart.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.out());
        assertEquals("simulator", report.get("backend").asText());
        assertEquals(2, report.get("rows").size());
        JsonNode row = report.get("rows").get(1);
        assertEquals(3, row.get("pages").asInt());
        assertEquals(4, row.get("cycles").asInt());
        assertEquals(3, row.get("reserved").get("nsPerCycle").size());
        assertEquals(row.get("reserved").get("nsPerCycleMedian").asDouble() / 3,
                row.get("reserved").get("nsPerPageMedian").asDouble(), 1e-9);
        assertTrue(row.get("ratio").get("min").asDouble() <= row.get("ratio").get("median").asDouble());
        assertEquals(row.get("ordinary").get("nsPerCycle").get(2).asDouble() / row.get("reserved").get("nsPerCycle").get(2).asDouble(),
                row.get("ratio").get("perRequest").get(2).asDouble(), 1e-9);
        JsonNode reserved = row.get("reserved");
        assertTrue(reserved.get("fastestCycleNs").asDouble() <= reserved.get("nsPerCycleMin").asDouble()
                && reserved.get("nsPerCycleMax").asDouble() <= reserved.get("slowestCycleNs").asDouble(), reserved.toString());
        String svg = Files.readString(chart);
        assertTrue(svg.contains("<svg"), svg.substring(0, 40));
        assertTrue(svg.contains(">3 pages<") && svg.contains(">1 page<"), "category labels");
        assertTrue(svg.contains(">ordinary / reserved<"), "the ratio plot's legend");
    }

    @Test
    void onANarrowTerminalEveryLineFits() {
        MainTest.Run run = MainTest.runOn(new Terminal(true, 64), "bench", "--pages", "1,4096", "--iterations", "2",
                "--repetitions", "1");
        assertEquals(0, run.exitCode(), run.err());
        run.out().lines().forEach(line -> assertTrue(line.length() <= 63, "too wide: " + line));
        assertTrue(run.out().contains("ORD/RES"), run.out());
    }

    @Test
    void badOptionsAreOneLineAndExit2() {
        for (String[] args : new String[][] {{"bench", "--pages", "0"}, {"bench", "--pages", "2,2"},
                {"bench", "--repetitions", "100"}, {"bench", "--iterations", "0"}}) {
            MainTest.Run run = MainTest.run(args);
            assertEquals(Main.ERROR, run.exitCode(), String.join(" ", args));
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.err().startsWith("resmap: --"), run.err());
        }
    }
}
