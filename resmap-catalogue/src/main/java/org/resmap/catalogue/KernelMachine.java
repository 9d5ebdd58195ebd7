package org.resmap.catalogue;

import java.util.Optional;
import org.resmap.Bugcheck;
import org.resmap.KernelCalls;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.SimAddress;
import org.resmap.Simulator;

/**
 * A fresh simulated machine driven through its kernel functions directly, with the set-up steps that
 * every kernel-level scenario repeats. Set-up steps check their results, so a scenario fails for the
 * right reason: what it set out to do, not a NULL three calls earlier.
 */
final class KernelMachine {

    static final int MM_CACHED = 1;

    static final int MDL_MAPPED_TO_SYSTEM_VA = 0x1;
    static final int MDL_PARTIAL = 0x10;
    static final int MDL_PARTIAL_HAS_BEEN_MAPPED = 0x20;
    static final int MDL_PAGES_LOCKED = 0x2;
    static final int MDL_SOURCE_IS_NONPAGED_POOL = 0x4;

    private final Simulator simulator;
    private final KernelCalls kernel;

    KernelMachine(ResMap device) {
        this.simulator = device.simulator().orElseThrow(
                () -> new IllegalArgumentException("kernel-level scenarios need a simulated machine"));
        this.kernel = simulator.kernel();
    }

    KernelCalls calls() {
        return kernel;
    }

    Simulator simulator() {
        return simulator;
    }

    Optional<Bugcheck> bugcheck() {
        return simulator.bugcheck();
    }

    /** @return the base of a new reservation */
    SimAddress reserve(long bytes, PoolTag tag) {
        return nonNull("MmAllocateMappingAddress(" + bytes + ")", kernel.mmAllocateMappingAddress(bytes, tag));
    }

    /** @return an MDL of newly allocated, locked, MmCached pages */
    SimAddress allocatePages(long bytes) {
        return nonNull("MmAllocatePagesForMdlEx(" + bytes + ")", kernel.mmAllocatePagesForMdlEx(bytes, MM_CACHED, 0));
    }

    /** @return a nonpaged pool block of the machine */
    SimAddress nonpagedPool(long bytes, PoolTag tag) {
        return nonNull("ExAllocatePool2(" + bytes + ")",
                kernel.exAllocatePool2(KernelCalls.POOL_FLAG_NON_PAGED, bytes, tag));
    }

    /** @return a new MDL describing [va, va + length), nothing locked */
    SimAddress mdlFor(SimAddress va, int length) {
        return nonNull("IoAllocateMdl", kernel.ioAllocateMdl(va, length));
    }

    /** @return a partial MDL for [offset, offset + length) of a locked source MDL */
    SimAddress partial(SimAddress source, long offset, int length) {
        SimAddress va = kernel.mmGetMdlVirtualAddress(source).plus(offset);
        SimAddress mdl = mdlFor(va, length);
        kernel.ioBuildPartialMdl(source, mdl, va, length);
        return mdl;
    }

    /** @return the mapped address of a map that must succeed */
    SimAddress map(SimAddress base, PoolTag tag, SimAddress mdl) {
        return nonNull("MmMapLockedPagesWithReservedMapping",
                kernel.mmMapLockedPagesWithReservedMapping(base, tag, mdl, MM_CACHED));
    }

    /** @return the address of an ordinary (MmMapLockedPagesSpecifyCache) mapping that must succeed */
    SimAddress mapOrdinary(SimAddress mdl) {
        return nonNull("MmMapLockedPagesSpecifyCache",
                kernel.mmMapLockedPagesSpecifyCache(mdl, MM_CACHED, false, KernelCalls.NORMAL_PAGE_PRIORITY));
    }

    /** Fails if the machine has bugchecked: a step that should have been harmless was not. */
    void expectAlive(String after) {
        bugcheck().ifPresent(b -> {
            throw new AssertionError(after + ": expected no bug check, observed " + b + " " + b.meaning());
        });
    }

    private SimAddress nonNull(String call, SimAddress result) {
        expectAlive(call);
        if (result == null) {
            throw new AssertionError(call + ": expected a non-NULL result while setting up, observed NULL");
        }
        return result;
    }
}
