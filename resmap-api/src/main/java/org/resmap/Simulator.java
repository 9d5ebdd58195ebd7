package org.resmap;

import org.resmap.internal.SimMachine;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The simulated machine behind a simulator {@link ResMap}: its bug check, resource counters, kernel
 * call trace, fault injection, and direct access to its kernel functions. After the ResMap is closed
 * the machine is gone, but {@link #counters()} and {@link #bugcheck()} still report how it ended.
 */
public final class Simulator {

    // The simulator models x86-64 pages only.
    private static final int PAGE_SIZE = 4096;

    private final SimMachine machine;
    private final KernelCalls kernel;

    Simulator(SimMachine machine) {
        this.machine = machine;
        this.kernel = new KernelCalls(machine);
    }

    /** @return the bug check the machine raised, if any; once raised, every request fails */
    public Optional<Bugcheck> bugcheck() {
        return machine.bugcheck();
    }

    /** @return every resource count now, or as it was when the machine was destroyed */
    public SimCounters counters() {
        return machine.counters();
    }

    /**
     * @param on whether to record each kernel call the machine receives
     * @throws IllegalStateException after the ResMap is closed
     */
    public void traceEnabled(boolean on) {
        machine.traceEnabled(on);
    }

    /**
     * @return the recorded kernel calls since the last drain, one line each, e.g.
     *     {@code MmAllocateMappingAddress(8192, 'RsMp') = sysva+0x2000}
     * @throws IllegalStateException after the ResMap is closed
     */
    public List<String> drainTrace() {
        return machine.drainTrace();
    }

    /**
     * Makes the n-th next allocation of a kind fail as the real kernel fails it.
     *
     * @param kind what to refuse
     * @param n 1 = the very next one; 0 cancels
     * @throws IllegalArgumentException if n is negative
     */
    public void failNth(FaultKind kind, int n) {
        Objects.requireNonNull(kind, "kind");
        Checks.notNegative("n", n);
        machine.failNth(kind, n);
    }

    /**
     * @param kind an allocation kind
     * @return how many of them were attempted so far (to drive "fail the 1st, 2nd, ..." loops)
     */
    public long allocations(FaultKind kind) {
        Objects.requireNonNull(kind, "kind");
        return machine.allocations(kind);
    }

    /**
     * @return the system PTEs and frames as they are now (also after a bug check, until the ResMap is
     *     closed)
     * @throws IllegalStateException after the ResMap is closed
     */
    public AddressSpace addressSpace() {
        return new AddressSpace(PAGE_SIZE, machine.ptes(), machine.frames());
    }

    /**
     * @param value e.g. a bug check parameter
     * @return the value as the call trace writes it: an address in the machine as {@code sysva+0x2000},
     *     {@code user+0x10} or {@code pool#4+0x0}, an MDL as {@code mdl#3}, anything else in hex; never
     *     a host address
     * @throws IllegalStateException after the ResMap is closed
     */
    public String describe(long value) {
        return machine.describe(value);
    }

    /** @return the machine's exported kernel functions, for committing contract violations on purpose */
    public KernelCalls kernel() {
        return kernel;
    }
}
