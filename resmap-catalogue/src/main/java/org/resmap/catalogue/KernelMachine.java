package org.resmap.catalogue;

import com.sun.jna.Pointer;
import java.util.Optional;
import org.resmap.Bugcheck;
import org.resmap.KernelCalls;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.Simulator;

/**
 * A fresh simulated machine driven through its kernel functions directly, with the set-up steps that
 * every kernel-level scenario repeats. Set-up steps check their results, so a scenario fails for the
 * right reason: what it set out to do, not a NULL three calls earlier.
 */
final class KernelMachine {

    static final int MM_CACHED = 1;

    // Offsets in the x64 MDL: Next 0, Size 8, MdlFlags 10, ..., StartVa 32, ByteCount 40, ByteOffset 44.
    private static final long MDL_FLAGS = 10;
    private static final long MDL_START_VA = 32;
    private static final long MDL_BYTE_COUNT = 40;
    private static final long MDL_BYTE_OFFSET = 44;

    static final int MDL_MAPPED_TO_SYSTEM_VA = 0x1;
    static final int MDL_PARTIAL = 0x10;
    static final int MDL_PARTIAL_HAS_BEEN_MAPPED = 0x20;

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
    Pointer reserve(long bytes, PoolTag tag) {
        return nonNull("MmAllocateMappingAddress(" + bytes + ")", kernel.mmAllocateMappingAddress(bytes, tag));
    }

    /** @return an MDL of newly allocated, locked, MmCached pages */
    Pointer allocatePages(long bytes) {
        return nonNull("MmAllocatePagesForMdlEx(" + bytes + ")", kernel.mmAllocatePagesForMdlEx(bytes, MM_CACHED, 0));
    }

    /** @return a partial MDL for [offset, offset + length) of a locked source MDL */
    Pointer partial(Pointer source, long offset, int length) {
        Pointer va = new Pointer(Pointer.nativeValue(virtualAddress(source)) + offset);
        Pointer mdl = nonNull("IoAllocateMdl", kernel.ioAllocateMdl(va, length));
        kernel.ioBuildPartialMdl(source, mdl, va, length);
        return mdl;
    }

    /** @return the mapped address of a map that must succeed */
    Pointer map(Pointer base, PoolTag tag, Pointer mdl) {
        return nonNull("MmMapLockedPagesWithReservedMapping",
                kernel.mmMapLockedPagesWithReservedMapping(base, tag, mdl, MM_CACHED));
    }

    /** Fails if the machine has bugchecked: a step that should have been harmless was not. */
    void expectAlive(String after) {
        bugcheck().ifPresent(b -> {
            throw new AssertionError(after + ": expected no bug check, observed " + b + " " + b.meaning());
        });
    }

    static int flags(Pointer mdl) {
        return mdl.getShort(MDL_FLAGS) & 0xFFFF;
    }

    static int byteCount(Pointer mdl) {
        return mdl.getInt(MDL_BYTE_COUNT);
    }

    static int byteOffset(Pointer mdl) {
        return mdl.getInt(MDL_BYTE_OFFSET);
    }

    /**
     * {@code MmGetMdlVirtualAddress}: StartVa + ByteOffset. For pages from MmAllocatePagesForMdlEx
     * StartVa is NULL, and the "virtual address" is just an offset that IoBuildPartialMdl expects back.
     */
    static Pointer virtualAddress(Pointer mdl) {
        return new Pointer(mdl.getLong(MDL_START_VA) + byteOffset(mdl));
    }

    static long distance(Pointer from, Pointer to) {
        return Pointer.nativeValue(to) - Pointer.nativeValue(from);
    }

    private Pointer nonNull(String call, Pointer result) {
        expectAlive(call);
        if (result == null) {
            throw new AssertionError(call + ": expected a non-NULL result while setting up, observed NULL");
        }
        return result;
    }
}
