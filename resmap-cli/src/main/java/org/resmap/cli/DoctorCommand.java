package org.resmap.cli;

import com.sun.jna.Platform;
import org.resmap.Backend;
import org.resmap.ResMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code resmap doctor}: checks what this machine needs for each back end and says what to do about
 * every problem; exits 1 if there is one.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check this machine for the back ends: on Windows test signing, the resmap service and "
                + "why it did not start, the device and its versions, Driver Verifier; elsewhere the simulator. "
                + "Exit 1 if anything needs doing.",
        usageHelpAutoWidth = true,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:nothing to fix", "1:something needs doing (each problem says what)", "2:an error"})
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Doctor.Check> checks = Platform.isWindows()
                ? Doctor.windows(new NativeWindowsFacts(), () -> {
                    try (ResMap device = ResMap.open(Backend.KERNEL)) {
                        return device.info();
                    }
                })
                : Doctor.elsewhere(System.getProperty("os.name"), Platform.ARCH, () -> ResMap.open(Backend.SIMULATOR));
        return print(spec.commandLine().getOut(), checks);
    }

    /** Prints one line per check, what to do under each problem, and a summary; returns the exit code. */
    static int print(PrintWriter out, List<Doctor.Check> checks) {
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Doctor.Check check : checks) {
            out.printf("%-4s %-" + width + "s  %s%n", check.ok() ? "ok" : "FIX", check.name(), check.detail());
            if (!check.ok()) {
                out.printf("     %" + width + "s  -> %s%n", "", check.advice());
            }
        }
        long problems = checks.stream().filter(c -> !c.ok()).count();
        out.println(problems == 0 ? "nothing to fix" : problems + " thing(s) to fix");
        return problems == 0 ? 0 : Main.CHECK_FAILED;
    }
}
