package org.resmap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.resmap.ResMap;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI run in-process against the simulator: output, exit codes, one-line errors, JSON and SVG. */
@DisabledIfSystemProperty(named = ResMap.BACKEND_PROPERTY, matches = "kernel",
        disabledReason = "the CLI's own behaviour is checked on the simulator; selftest covers the kernel")
class MainTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        return runOn(Terminal.NONE, args);
    }

    static Run runOn(Terminal terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(terminal, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void demoShowsEachStepWithTheKernelCallsBehindIt() {
        Run demo = run("--backend=simulator", "demo");
        assertEquals(0, demo.exitCode(), demo.err());
        assertTrue(demo.out().contains("MmAllocateMappingAddress(16384"), demo.out());
        assertTrue(demo.out().contains("mapped at offset 0x10 of the reservation"), demo.out());
        assertTrue(demo.out().contains("the Java ByteBuffer now holds \"written by the kernel\""), demo.out());
        assertTrue(demo.out().contains("why: the address is sysva+0x2000"), demo.out());
        assertTrue(demo.out().contains("MM_ALLOCATE_FULLY_REQUIRED"), demo.out());
        assertTrue(demo.out().contains("Live objects now: 0 reservations, 0 page sets, 0 mappings."), demo.out());
    }

    @Test
    void globalOptionsWorkAfterTheCommandToo() {
        Run after = run("demo", "--backend", "SIMULATOR", "--verbose");
        assertEquals(0, after.exitCode(), after.err());
        Run info = run("info", "--build", "win81", "--system-ptes", "64", "--memory", "16M", "--no-verifier");
        assertEquals(0, info.exitCode(), info.err());
        assertTrue(info.out().contains("simulated machine  Windows build 9600 (Windows 8.1"), info.out());
        assertTrue(info.out().contains("64 system PTEs, 16 MiB of memory (4096 frames), Driver Verifier off"), info.out());
        assertTrue(info.out().contains("divisible ranges   not supported"), info.out());
        assertTrue(info.out().contains("machine now        0 of 64 system PTEs used"), info.out());
    }

    @Test
    void machineSettingsAreRefusedForTheKernelAndOutOfRange() {
        Run kernel = run("--backend=kernel", "--build", "win81", "info");
        assertEquals(Main.ERROR, kernel.exitCode());
        assertTrue(kernel.err().startsWith("resmap: --build, --system-ptes"), kernel.err());
        Run tooFew = run("info", "--system-ptes", "2");
        assertEquals(Main.ERROR, tooFew.exitCode());
        assertTrue(tooFew.err().contains("--system-ptes must be 3 to 262144, not 2"), tooFew.err());
        Run badBuild = run("info", "--build", "vista");
        assertEquals(Main.ERROR, badBuild.exitCode());
        assertTrue(badBuild.err().contains("'vista' is not a Windows build"), badBuild.err());
    }

    @Test
    void bareResmapShowsTheHelpAndHelpNamesACommand() {
        Run bare = run();
        assertEquals(0, bare.exitCode(), bare.err());
        assertTrue(bare.out().startsWith("Usage: resmap"), bare.out());
        assertTrue(bare.out().contains("Exit codes:"), bare.out());
        assertTrue(bare.out().contains("Examples:"), bare.out());
        Run help = run("help", "selftest");
        assertEquals(0, help.exitCode(), help.err());
        assertTrue(help.out().contains("--all-builds"), help.out());
        assertTrue(help.out().contains("1   at least one failed"), help.out());
    }

    @Test
    void typosGetSuggestions() {
        Run command = run("demoo");
        assertEquals(Main.ERROR, command.exitCode());
        assertTrue(command.err().startsWith("resmap: unknown command or argument: demoo (see resmap --help)"),
                command.err());
        assertTrue(command.err().contains("Did you mean: resmap demo?"), command.err());
        Run option = run("info", "--jsn");
        assertEquals(Main.ERROR, option.exitCode());
        assertTrue(option.err().contains("unknown option: --jsn"), option.err());
        assertTrue(option.err().contains("--json"), option.err());
        Run violation = run("explore", "free-whle-mapped");
        assertEquals(Main.ERROR, violation.exitCode());
        assertTrue(violation.err().contains("did you mean free-while-mapped?"), violation.err());
    }

    @Test
    void selftestShowsProgressOnlyOnATerminalAndFitsIt(@TempDir Path dir) throws Exception {
        Run piped = run("--backend=simulator", "selftest", "--junit-xml", dir.toString());
        assertEquals(0, piped.exitCode(), piped.out() + piped.err());
        assertTrue(piped.out().contains("refuse.free-while-mapped"), piped.out());
        assertTrue(piped.out().matches("(?s).*\\d+ statements on the simulator back end: \\d+ passed, 0 failed, 0 skipped.*"),
                piped.out());
        assertEquals("", piped.err(), "no progress when not on a terminal");
        String report = FileUtils.readFileToString(new File(dir.toFile(), "TEST-resmap.catalogue.simulator.xml"),
                StandardCharsets.UTF_8);
        assertTrue(report.contains("failures=\"0\"") && report.contains("<testcase"), report);

        Run tty = runOn(new Terminal(true, 80), "selftest");
        assertEquals(0, tty.exitCode(), tty.err());
        assertTrue(tty.err().contains("\r[1/"), "progress in place on a terminal: " + tty.err());
        tty.out().lines().forEach(line -> assertTrue(line.length() <= 80, "wider than the terminal: " + line));
    }

    @Test
    void selftestAllBuildsIsAMatrixWithAReportPerBuild(@TempDir Path dir) throws Exception {
        Run matrix = run("selftest", "--all-builds", "--junit-xml", dir.toString(), "--json");
        JsonNode report = JSON.readTree(matrix.out());
        assertEquals(5, report.get("runs").size(), matrix.out());
        for (String build : new String[] {"win7", "win81", "win10-1507", "win10-2004", "win11"}) {
            assertTrue(new File(dir.toFile(), "TEST-resmap.catalogue.simulator." + build + ".xml").isFile(), build);
        }
        assertEquals(report.get("failed").asLong() == 0 ? 0 : Main.CHECK_FAILED, matrix.exitCode());
    }

    @Test
    void exploreListsViolationsAnywhere() {
        Run list = run("--backend=kernel", "explore", "--list");
        assertEquals(0, list.exitCode(), list.err());
        assertTrue(list.out().contains("free-while-mapped"), list.out());
        String[] rows = list.out().lines().skip(1).toArray(String[]::new);
        int column = rows[0].indexOf("STATEMENT");
        for (String row : rows) {
            assertEquals(' ', row.charAt(column - 1), "columns line up: " + row);
        }
    }

    @Test
    void exploreExplainsTheBugcheckInTheTracesTerms() {
        Run explore = run("explore", "FREE-WHILE-MAPPED");
        assertEquals(0, explore.exitCode(), explore.err());
        assertTrue(explore.out().contains("Windows would bugcheck: 0x000000DA (0x103, sysva+0x2000, 0x704D7352, 0x1)"),
                explore.out());
        assertTrue(explore.out().contains("0x704D7352 is the pool tag RsMp"), explore.out());
        assertTrue(explore.out().contains("STATUS_INVALID_DEVICE_STATE"), explore.out());

        Run cannot = run("explore", "unlock-partial-mdl");
        assertTrue(cannot.out().contains("Through the resmap device instead: cannot be asked for:"), cannot.out());
        Run otherBuild = run("explore", "free-wrong-tag", "--build", "win11");
        assertTrue(otherBuild.out().contains("Windows build 22631"), otherBuild.out());
    }

    @Test
    void forwardProgressShowsTheReservationMappingWhenPtesRunOut() {
        Run demo = run("demo", "forward-progress", "--system-ptes", "32");
        assertEquals(0, demo.exitCode(), demo.err());
        assertTrue(demo.out().contains("system PTEs used: 32 of 32; the next one was refused: "
                + "STATUS_INSUFFICIENT_RESOURCES"), demo.out());
        assertTrue(demo.out().contains("=> mapped 4096 bytes; system PTEs used: 32 of 32"), demo.out());
        assertTrue(demo.out().contains("Afterwards, system PTEs used: 0 of 32."), demo.out());
    }

    @Test
    void ringBufferWritesAcrossTheEndAndDrawsEveryPageOnce(@TempDir Path dir) throws Exception {
        File svg = dir.resolve("ring.svg").toFile();
        Run demo = run("demo", "ring-buffer", "--svg", svg.toString());
        assertEquals(0, demo.exitCode(), demo.err());
        assertTrue(demo.out().contains("the ring's first 8 bytes now read \"ound-end\""), demo.out());
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        NodeList rects = factory.newDocumentBuilder().parse(svg).getElementsByTagName("rect");
        int mapped = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            mapped += ((Element) rects.item(i)).getAttribute("id").matches("s1-mapped-pte-\\d+") ? 1 : 0;
        }
        assertEquals(4, mapped, "the ring's two pages, each mapped twice");

        Run oldBuild = run("demo", "ring-buffer", "--build", "win81");
        assertEquals(Main.ERROR, oldBuild.exitCode());
        assertTrue(oldBuild.err().contains("needs a divisible reservation"), oldBuild.err());
    }

    @Test
    void jsonReportsParse() throws Exception {
        JsonNode info = JSON.readTree(run("info", "--json").out());
        assertEquals("simulator", info.get("backend").asText());
        JsonNode demo = JSON.readTree(run("demo", "--json").out());
        assertEquals(12, demo.get("steps").size());
        assertEquals(2, demo.get("steps").get(0).get("kernelCalls").size());
        JsonNode explore = JSON.readTree(run("explore", "map-while-mapped", "--json").out());
        assertTrue(explore.get("expectedRaised").asBoolean());
        assertEquals("sysva+0x2000", explore.get("bugcheck").get("parameters").get(1).get("shown").asText());
        assertFalse(JSON.readTree(run("explore", "--json").out()).get("violations").isEmpty());
    }

    @Test
    void completionIsGeneratedFromTheCommands() {
        Run completion = run("completion");
        assertEquals(0, completion.exitCode());
        assertTrue(completion.out().contains("selftest"), "subcommands");
        assertTrue(completion.out().contains("--all-builds"), "options");
        assertTrue(completion.out().contains("free-while-mapped"), "violation names");
    }

    @Test
    void errorsAreOneLineWithoutAStackTrace() {
        Run bad = run("frobnicate");
        assertEquals(Main.ERROR, bad.exitCode());
        assertEquals("resmap: unknown command or argument: frobnicate (see resmap --help)", bad.err().lines().findFirst()
                .orElse(""));
        assertTrue(bad.err().lines().skip(1).allMatch(line -> line.startsWith("Did you mean")), bad.err());
        assertTrue(bad.out().isEmpty(), bad.out());

        Run kernelExplore = run("--backend=kernel", "explore", "free-while-mapped");
        assertEquals(Main.ERROR, kernelExplore.exitCode());
        assertFalse(kernelExplore.err().contains("\tat "), kernelExplore.err());
    }

    /** Here (not Windows) there is no driver: every command that needs one says so in one line, exit 2. */
    @Test
    void everyCommandOnTheKernelWithoutADriverIsOneLineAndExit2() {
        for (String[] command : new String[][] {{"demo"}, {"info"}, {"selftest"}, {"explore", "free-while-mapped"}}) {
            String[] args = new String[command.length + 1];
            args[0] = "--backend=kernel";
            System.arraycopy(command, 0, args, 1, command.length);
            Run kernel = run(args);
            String name = String.join(" ", args);
            assertEquals(Main.ERROR, kernel.exitCode(), name + ": " + kernel.out() + kernel.err());
            assertEquals(1, kernel.err().lines().count(), name + ": " + kernel.err());
            // explore refuses the kernel outright (a violation would crash it); the others find no driver.
            String expected = command[0].equals("explore") ? "resmap: explore commits violations only on the simulator"
                    : "resmap: the kernel back end needs Windows";
            assertTrue(kernel.err().startsWith(expected), name + ": " + kernel.err());
            assertTrue(kernel.out().isEmpty(), name + ": " + kernel.out());
        }
    }
}
