package org.resmap.cli;

import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.resmap.ResMap;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** selftest --record then replay: a record made on the simulator replays on it with no disagreement. */
@DisabledIfSystemProperty(named = ResMap.BACKEND_PROPERTY, matches = "kernel",
        disabledReason = "the round trip is the simulator's; on Windows the scripts record the kernel run")
class RecordReplayTest {

    @Test
    void aSimulatorRecordReplaysWithoutDisagreement(@TempDir Path dir) throws Exception {
        File record = dir.resolve("run/record.json").toFile();
        MainTest.Run selftest = MainTest.run("--backend=simulator", "selftest", "--record", record.toString());
        assertEquals(0, selftest.exitCode(), selftest.err());
        String json = FileUtils.readFileToString(record, StandardCharsets.UTF_8);
        assertTrue(json.contains("\"format\" : \"resmap-record/1\"") && json.contains("\"windowsBuild\" : 22631"), json);
        assertTrue(json.contains("\"request\" : \"IOCTL_RESMAP_RESERVE\""), "requests are recorded");
        assertTrue(json.contains("\"status\" : \"0xC0000184\""), "refusals are recorded with their status");

        MainTest.Run replay = MainTest.run("replay", record.toString());
        assertEquals(0, replay.exitCode(), replay.out() + replay.err());
        assertTrue(replay.out().contains(": 0 disagreements"), replay.out());
    }

    @Test
    void everyDisagreementIsReportedAndExits1(@TempDir Path dir) throws Exception {
        File record = dir.resolve("record.json").toFile();
        assertEquals(0, MainTest.run("selftest", "--record", record.toString()).exitCode());
        String json = FileUtils.readFileToString(record, StandardCharsets.UTF_8);
        // What a kernel that disagrees would have recorded: another status for the first refusal of a
        // still-mapped reservation, and one scenario's outcome turned.
        String tampered = json.replaceFirst("\"status\" : \"0xC0000184\"", "\"status\" : \"0xC0000022\"")
                .replaceFirst("\"outcome\" : \"pass\"", "\"outcome\" : \"fail\"");
        FileUtils.writeStringToFile(record, tampered, StandardCharsets.UTF_8);

        MainTest.Run replay = MainTest.run("replay", record.toString());
        assertEquals(Main.CHECK_FAILED, replay.exitCode(), replay.out());
        assertTrue(replay.out().contains("recorded status 0xC0000022, simulator 0xC0000184"), replay.out());
        assertTrue(replay.out().contains("recorded fail, simulator pass"), replay.out());
        assertTrue(replay.out().contains(": 2 disagreements"), replay.out());
    }

    @Test
    void aFileThatIsNoRecordIsOneLineAndExit2(@TempDir Path dir) throws Exception {
        File notARecord = dir.resolve("x.json").toFile();
        FileUtils.writeStringToFile(notARecord, "{\"format\":\"other\"}", StandardCharsets.UTF_8);
        MainTest.Run replay = MainTest.run("replay", notARecord.toString());
        assertEquals(Main.ERROR, replay.exitCode());
        assertEquals(1, replay.err().lines().count(), replay.err());
    }
}
