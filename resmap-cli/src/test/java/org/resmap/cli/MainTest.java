package org.resmap.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.resmap.ResMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI run in-process against the simulator: output, exit codes, one-line errors. */
@DisabledIfSystemProperty(named = ResMap.BACKEND_PROPERTY, matches = "kernel",
        disabledReason = "the CLI's own behaviour is checked on the simulator; selftest covers the kernel")
class MainTest {

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void demoShowsEachStepWithTheKernelCallsBehindIt() {
        Run demo = run("--backend=simulator", "demo");
        assertEquals(0, demo.exitCode(), demo.err());
        assertTrue(demo.out().contains("MmAllocateMappingAddress(16384"), demo.out());
        assertTrue(demo.out().contains("MmMapLockedPagesWithReservedMapping("), demo.out());
        assertTrue(demo.out().contains("mapped at offset 0x10 of the reservation"), demo.out());
        assertTrue(demo.out().contains("MmProbeAndLockPages("), demo.out());
        assertTrue(demo.out().contains("the Java ByteBuffer now holds \"written by the kernel\""), demo.out());
        assertTrue(demo.out().contains("MmFreeMappingAddress("), demo.out());
        assertTrue(demo.out().contains("Live objects now: 0 reservations, 0 page sets, 0 mappings."), demo.out());
    }

    @Test
    void infoNamesTheBackEndAndItsLimits() {
        Run info = run("--backend=simulator", "info");
        assertEquals(0, info.exitCode(), info.err());
        assertTrue(info.out().contains("backend            simulator"), info.out());
        assertTrue(info.out().contains("protocol version   1"), info.out());
        assertTrue(info.out().contains("256 objects"), info.out());
    }

    @Test
    void selftestPrintsATableAndWritesJUnitXml(@TempDir Path dir) throws Exception {
        Run selftest = run("--backend=simulator", "selftest", "--junit-xml", dir.toString());
        assertEquals(0, selftest.exitCode(), selftest.out() + selftest.err());
        assertTrue(selftest.out().contains("refuse.free-while-mapped"), selftest.out());
        assertTrue(selftest.out().matches("(?s).*\\d+ statements on the simulator back end: \\d+ passed, 0 failed, 0 skipped.*"),
                selftest.out());
        assertTrue(selftest.err().contains("[1/"), "progress goes to standard error: " + selftest.err());
        File xml = new File(dir.toFile(), "TEST-resmap.catalogue.simulator.xml");
        String report = FileUtils.readFileToString(xml, StandardCharsets.UTF_8);
        assertTrue(report.contains("failures=\"0\""), report);
        assertTrue(report.contains("<testcase"), report);
    }

    @Test
    void exploreListsViolationsWhenNoneIsNamed() {
        Run list = run("explore");
        assertEquals(0, list.exitCode(), list.err());
        assertTrue(list.out().contains("free-while-mapped"), list.out());
        assertTrue(list.out().contains("map-while-mapped"), list.out());
    }

    @Test
    void exploreCommitsAViolationAndExplainsTheBugcheck() {
        Run explore = run("explore", "free-while-mapped");
        assertEquals(0, explore.exitCode(), explore.err());
        assertTrue(explore.out().contains("Windows would bugcheck: 0x000000DA (0x103"), explore.out());
        assertTrue(explore.out().contains("SYSTEM_PTE_MISUSE"), explore.out());
        assertTrue(explore.out().contains("MmFreeMappingAddress("), explore.out());
    }

    @Test
    void errorsAreOneLineWithoutAStackTrace() {
        Run bad = run("frobnicate");
        assertEquals(Main.ERROR, bad.exitCode());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertEquals("resmap: unknown command or argument: frobnicate (see resmap --help)", bad.err().strip());
        assertTrue(bad.out().isEmpty(), bad.out());

        Run unknownViolation = run("explore", "no-such-thing");
        assertEquals(Main.ERROR, unknownViolation.exitCode());
        assertEquals(1, unknownViolation.err().lines().count(), unknownViolation.err());
        assertTrue(unknownViolation.err().contains("no-such-thing"), unknownViolation.err());

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
            String expected = command[0].equals("explore") ? "resmap: explore runs only on the simulator"
                    : "resmap: the kernel back end needs Windows";
            assertTrue(kernel.err().startsWith(expected), name + ": " + kernel.err());
            assertTrue(kernel.out().isEmpty(), name + ": " + kernel.out());
        }
    }
}
