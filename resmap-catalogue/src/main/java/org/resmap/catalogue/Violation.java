package org.resmap.catalogue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.LongStream;
import org.resmap.AddressSpace;
import org.resmap.Bugcheck;
import org.resmap.ResMap;
import org.resmap.Simulator;
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
 * @param device what the resmap device does instead: the refusal, or why it cannot be asked
 * @param commit the violation
 */
public record Violation(String id, String statement, List<Source> sources, int windowsBuild, int code,
                        OptionalLong parameter1, DeviceAnswer device, Commit commit) {

    /** Commits the violation on a machine that is fresh apart from what the violation sets up. */
    @FunctionalInterface
    public interface Commit {
        /** Makes the kernel calls that commit the violation (and whatever sets it up). */
        void commit(KernelMachine machine);
    }

    /**
     * What happened: the bug check if one was raised, the kernel calls made, in order, the address
     * space as the machine stopped, and the bug check's parameters as the trace writes them.
     */
    public record Result(Optional<Bugcheck> bugcheck, List<String> kernelCalls, AddressSpace addressSpace,
                         List<String> describedParameters) {
        /** Copies the lists. */
        public Result {
            kernelCalls = List.copyOf(kernelCalls);
            describedParameters = List.copyOf(describedParameters);
        }
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
        return commitOn(SimulatorConfig.builder().windowsBuild(windowsBuild).build());
    }

    /**
     * Commits the violation on a new machine built as config says (the trace is turned on), e.g. on
     * another build than the one the catalogue checks, or without Driver Verifier.
     */
    public Result commitOn(SimulatorConfig machineConfig) {
        SimulatorConfig config = new SimulatorConfig(machineConfig.windowsBuild(), machineConfig.physicalPages(),
                machineConfig.systemPtes(), machineConfig.poolBytes(), machineConfig.verifier(), true);
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
            Simulator simulator = machine.simulator();
            List<String> described = machine.bugcheck().map(b -> LongStream.of(b.params())
                    .mapToObj(simulator::describe).toList()).orElse(List.of());
            return new Result(machine.bugcheck(), simulator.drainTrace(), simulator.addressSpace(), described);
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
