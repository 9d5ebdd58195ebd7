package org.resmap.cli;

import org.resmap.DeviceInfo;
import org.resmap.ResMap;
import org.resmap.SimulatorConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The checks of {@code resmap doctor}, each with what to do about a problem. On Windows: the build,
 * test signing, the resmap service and why it did not start, the device and its versions, Driver
 * Verifier. Elsewhere: what the simulator is and whether it runs here, and that the kernel back end
 * needs Windows.
 */
final class Doctor {

    /** One line of the report. */
    record Check(String name, boolean ok, String detail, String advice) {
        static Check ok(String name, String detail) {
            return new Check(name, true, detail, "");
        }

        static Check problem(String name, String detail, String advice) {
            return new Check(name, false, detail, advice);
        }
    }

    /** The oldest build resmap.sys loads on: it imports ExAllocatePool2. */
    static final int OLDEST_BUILD = 19041;

    /** What a service's Win32 exit code most likely means here (the same hints as Install-Driver.ps1). */
    private static final Map<Integer, String> START_FAILURES = Map.of(
            2, "resmap.sys is not where the service points: run scripts\\windows\\Install-Driver.ps1 again",
            127, "a routine resmap.sys imports is missing from this kernel: it needs Windows 10 version 2004 "
                    + "(build " + OLDEST_BUILD + ") or later",
            577, "Windows did not accept the signature: turn test signing on (Enable-TestSigning.ps1, reboot) "
                    + "and sign the driver (Set-DriverSignature.ps1)",
            1275, "Windows blocked the driver: turn memory integrity (HVCI) off on the test VM (docs/windows-vm.md)");

    private Doctor() {
    }

    /**
     * @param facts the machine's registry and services
     * @param openKernel opens the kernel back end and reads its info (throws what ResMap.open throws)
     */
    static List<Check> windows(WindowsFacts facts, Supplier<DeviceInfo> openKernel) {
        List<Check> checks = new ArrayList<>();
        int build = facts.build();
        checks.add(build >= OLDEST_BUILD
                ? Check.ok("Windows build", "build " + build)
                : Check.problem("Windows build", "build " + build,
                        "resmap.sys needs Windows 10 version 2004 (build " + OLDEST_BUILD + ") or later"));
        checks.add(facts.testSigningActive()
                ? Check.ok("test signing", "on in the running system")
                : Check.problem("test signing", "off in the running system",
                        "run scripts\\windows\\Enable-TestSigning.ps1 (Secure Boot must be off), then reboot"));

        Optional<WindowsFacts.Service> service = facts.service();
        if (service.isEmpty()) {
            checks.add(Check.problem("resmap service", "not installed",
                    "build, sign and install it: scripts\\windows\\Invoke-VmTestRun.ps1, or Install-Driver.ps1"));
        } else if (!service.get().running()) {
            int code = service.get().win32ExitCode();
            String why = START_FAILURES.getOrDefault(code,
                    "start it (sc.exe start resmap) and read the error; the System event log has it too "
                            + "(source Service Control Manager)");
            checks.add(Check.problem("resmap service", service.get().state() + (code != 0 ? ", last exit code " + code : ""),
                    why));
        } else {
            checks.add(Check.ok("resmap service", "running"));
        }

        if (service.map(WindowsFacts.Service::running).orElse(false)) {
            try {
                DeviceInfo info = openKernel.get();
                checks.add(Check.ok("device \\\\.\\ResMap", String.format("protocol %d, driver %d.%d, divisible ranges %s",
                        info.protocolVersion(), info.driverVersion() >>> 16, info.driverVersion() & 0xFFFF,
                        info.divisibleSupported() ? "supported" : "not supported")));
            } catch (RuntimeException e) {
                checks.add(Check.problem("device \\\\.\\ResMap", firstLine(e),
                        "run from an elevated prompt (administrators only); on a protocol mismatch rebuild "
                                + "and reinstall the driver from this checkout"));
            }
        }

        List<String> verified = facts.verifiedDrivers();
        List<String> others = verified.stream().filter(d -> !d.equals("resmap.sys")).toList();
        if (!others.isEmpty()) {
            checks.add(Check.problem("Driver Verifier", "also verifies " + String.join(" ", others),
                    "a crash may be another driver's; Disable-DriverVerifier.ps1 -Force, then Enable-DriverVerifier.ps1"));
        } else if (verified.contains("resmap.sys")) {
            checks.add(Check.ok("Driver Verifier", "verifies resmap.sys (from the last boot on that set it)"));
        } else {
            checks.add(Check.ok("Driver Verifier", "off (scripts\\windows\\Enable-DriverVerifier.ps1 turns it on for resmap.sys)"));
        }
        return checks;
    }

    /** The report off Windows: the simulator, and what the kernel back end needs. */
    static List<Check> elsewhere(String os, String arch, Supplier<ResMap> openSimulator) {
        List<Check> checks = new ArrayList<>();
        checks.add(Check.ok("platform", os + " " + arch));
        Optional<String> unavailable = ResMap.simulatorUnavailableReason(os, arch);
        if (unavailable.isPresent()) {
            checks.add(Check.problem("simulator", "not available here", unavailable.get()));
        } else {
            try (ResMap device = openSimulator.get()) {
                checks.add(Check.ok("simulator", "libresmap-sim loaded (protocol " + device.info().protocolVersion()
                        + "): a model of the NT memory manager on real pages with the driver's own core compiled "
                        + "in; each resmap command gets a fresh machine, Windows build "
                        + SimulatorConfig.DEFAULT_BUILD + " unless configured"));
            } catch (RuntimeException e) {
                checks.add(Check.problem("simulator", firstLine(e), "build it: ./mvnw -B verify"));
            }
        }
        checks.add(Check.ok("kernel back end", "needs Windows 10 version 2004 (build " + OLDEST_BUILD + ") or later "
                + "with resmap.sys installed (docs/windows-vm.md); not available on " + os));
        return checks;
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse("");
    }
}
