package org.resmap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.resmap.DeviceInfo;
import org.resmap.ResMap;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** resmap doctor's advice, on a faked Windows and on this machine. */
class DoctorTest {

    /** A Windows with everything in place, each test breaking one thing. */
    static final class FakeWindows implements WindowsFacts {
        int build = 22631;
        boolean testSigning = true;
        Optional<Service> service = Optional.of(new Service("running", 0, 0));
        List<String> verified = List.of("resmap.sys");

        @Override
        public int build() {
            return build;
        }

        @Override
        public String description() {
            return "Windows 11 Pro 23H2 " + build;
        }

        @Override
        public boolean testSigningActive() {
            return testSigning;
        }

        @Override
        public Optional<Service> service() {
            return service;
        }

        @Override
        public List<String> verifiedDrivers() {
            return verified;
        }
    }

    private final FakeWindows windows = new FakeWindows();
    private Supplier<DeviceInfo> kernel = () -> {
        try (ResMap simulated = ResMap.open(org.resmap.Backend.SIMULATOR)) {
            return simulated.info();      // the same reply the driver gives
        }
    };

    private String report(List<Doctor.Check> checks, int expectedExit) {
        StringWriter text = new StringWriter();
        assertEquals(expectedExit, DoctorCommand.print(new PrintWriter(text, true), checks), text.toString());
        return text.toString();
    }

    @Test
    void aReadyMachineHasNothingToFix() {
        String report = report(Doctor.windows(windows, kernel), 0);
        assertTrue(report.contains("protocol 2, driver 1.0"), report);
        assertTrue(report.contains("verifies resmap.sys"), report);
        assertTrue(report.endsWith("nothing to fix" + System.lineSeparator()), report);
    }

    @Test
    void testSigningOffSaysHowToTurnItOn() {
        windows.testSigning = false;
        assertTrue(report(Doctor.windows(windows, kernel), Main.CHECK_FAILED).contains("Enable-TestSigning.ps1"));
    }

    @Test
    void aMissingServiceSaysHowToInstallAndSkipsTheDevice() {
        windows.service = Optional.empty();
        kernel = () -> {
            throw new AssertionError("the device is not opened without a running service");
        };
        String report = report(Doctor.windows(windows, kernel), Main.CHECK_FAILED);
        assertTrue(report.contains("not installed") && report.contains("Install-Driver.ps1"), report);
        assertFalse(report.contains("ResMap"), report);
    }

    @Test
    void aStartFailureIsExplainedByItsExitCode() {
        windows.service = Optional.of(new WindowsFacts.Service("stopped", 127, 0));
        String report = report(Doctor.windows(windows, kernel), Main.CHECK_FAILED);
        assertTrue(report.contains("last exit code 127") && report.contains("build 19041"), report);
        windows.service = Optional.of(new WindowsFacts.Service("stopped", 577, 0));
        assertTrue(report(Doctor.windows(windows, kernel), Main.CHECK_FAILED).contains("signature"));
    }

    @Test
    void anOldBuildAnUnopenableDeviceAndOtherVerifiedDriversAreProblems() {
        windows.build = 18363;
        windows.verified = List.of("resmap.sys", "other.sys");
        kernel = () -> {
            throw new IllegalStateException("cannot open \\\\.\\ResMap: access denied");
        };
        String report = report(Doctor.windows(windows, kernel), Main.CHECK_FAILED);
        assertTrue(report.contains("build 18363"), report);
        assertTrue(report.contains("access denied") && report.contains("elevated"), report);
        assertTrue(report.contains("also verifies other.sys"), report);
        assertTrue(report.contains("3 thing(s) to fix"), report);
    }

    @Test
    void elsewhereTheSimulatorIsDescribedOrSaidToBeUnavailable() {
        String linux = report(Doctor.elsewhere("Linux", "x86-64", () -> ResMap.open(org.resmap.Backend.SIMULATOR)), 0);
        assertTrue(linux.contains("libresmap-sim loaded") && linux.contains("needs Windows"), linux);
        String mac = report(Doctor.elsewhere("Mac OS X", "aarch64", () -> {
            throw new AssertionError("not tried where it cannot run");
        }), Main.CHECK_FAILED);
        assertTrue(mac.contains("not available on Mac OS X aarch64") && mac.contains("Linux x86-64 only"), mac);
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
    void theCommandOnThisMachine() {
        MainTest.Run doctor = MainTest.run("doctor");
        assertEquals(0, doctor.exitCode(), doctor.out() + doctor.err());
        assertTrue(doctor.out().contains("simulator") && doctor.out().contains("kernel back end"), doctor.out());
    }

    @Test
    void theSimulatorSaysPlainlyWhereItDoesNotRun() {
        assertTrue(ResMap.simulatorUnavailableReason("Linux", "x86-64").isEmpty());
        String windowsReason = ResMap.simulatorUnavailableReason("Windows 11", "x86-64").orElseThrow();
        assertTrue(windowsReason.contains("kernel back end"), windowsReason);
        assertTrue(ResMap.simulatorUnavailableReason("Linux", "aarch64").isPresent());
    }
}
