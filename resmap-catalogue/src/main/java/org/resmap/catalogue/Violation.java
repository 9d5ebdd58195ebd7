package org.resmap.catalogue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.resmap.Bugcheck;
import org.resmap.ResMap;
import org.resmap.SimulatorConfig;

/**
 * A use of the API family that the real kernel punishes with a bug check: committed directly against a
 * fresh simulated kernel (never through the device), with the bug check Windows would raise, and the
 * scenario in which the device refuses the same thing.
 *
 * @param id a short stable name, e.g. {@code free-while-mapped}
 * @param statement what is done wrong and what Windows does, in the project's words
 * @param sources where that is stated
 * @param windowsBuild the Windows build to simulate, a {@link SimulatorConfig} constant
 * @param code the expected bug check code
 * @param parameter1 the expected first parameter, where the sources give one
 * @param refusalId the id of the scenario showing the device's refusal of the same misuse
 * @param commit the violation
 */
public record Violation(String id, String statement, List<Source> sources, int windowsBuild, int code,
                        OptionalLong parameter1, String refusalId, Commit commit) {

    /** Commits the violation on a machine that is fresh apart from what the violation sets up. */
    @FunctionalInterface
    public interface Commit {
        /** Makes the kernel calls that commit the violation (and whatever sets it up). */
        void commit(KernelMachine machine);
    }

    /** What happened: the bug check if one was raised, and the kernel calls made, in order. */
    public record Result(Optional<Bugcheck> bugcheck, List<String> kernelCalls) {
    }

    /** Copies the sources, so that the record stays immutable. */
    public Violation {
        sources = List.copyOf(sources);
    }

    /** @return e.g. {@code 0xDA (0x103, ...)} */
    public String expected() {
        return parameter1.isPresent()
                ? String.format("0x%X (0x%X, ...)", code, parameter1.getAsLong())
                : String.format("0x%X", code);
    }

    /** @return whether the bug check has the expected code and, where one is expected, first parameter */
    public boolean matches(Bugcheck bugcheck) {
        return bugcheck.code() == code
                && (parameter1.isEmpty() || bugcheck.params()[0] == parameter1.getAsLong());
    }

    /** Commits the violation on a new machine of its Windows build, with the call trace on. */
    public Result commitOnFreshMachine() {
        SimulatorConfig config = SimulatorConfig.builder().windowsBuild(windowsBuild).trace(true).build();
        try (ResMap device = ResMap.openSimulator(config)) {
            KernelMachine machine = new KernelMachine(device);
            machine.simulator().drainTrace();
            try {
                commit.commit(machine);
            } catch (AssertionError | RuntimeException setupFailed) {
                if (machine.bugcheck().isEmpty()) {
                    throw setupFailed;
                }
            }
            return new Result(machine.bugcheck(), machine.simulator().drainTrace());
        }
    }

    /** @return the catalogue scenario: committing this raises exactly the expected bug check */
    Scenario scenario() {
        return Scenario.onSimulator("kernel." + id, statement, sources, context -> {
            Result result = commitOnFreshMachine();
            Bugcheck observed = result.bugcheck().orElseThrow(() -> new AssertionError(
                    id + ": expected bug check " + expected() + ", observed none"));
            if (!matches(observed)) {
                throw new AssertionError(id + ": expected bug check " + expected() + ", observed " + observed);
            }
        });
    }
}
