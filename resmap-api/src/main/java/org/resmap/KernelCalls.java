package org.resmap;

import com.sun.jna.Pointer;
import org.resmap.internal.SimLibrary;
import org.resmap.internal.SimMachine;

import java.util.Objects;

/**
 * The simulated kernel's own functions, called directly, bypassing the driver core and its checks:
 * for exploring what Windows does with a contract violation (the machine records the bug check Windows
 * would raise; see {@link Simulator#bugcheck()}). Each call first makes this machine the calling
 * thread's current one. Addresses and MDLs are plain {@link Pointer}s; the caller owns whatever it
 * allocates (the machine reclaims everything when destroyed).
 */
public final class KernelCalls {

    /** {@code KernelMode}, for {@code KPROCESSOR_MODE} parameters. */
    public static final byte KERNEL_MODE = 0;
    /** {@code UserMode}. */
    public static final byte USER_MODE = 1;
    /** {@code IoReadAccess}, for {@code MmProbeAndLockPages}. */
    public static final int IO_READ_ACCESS = 0;
    /** {@code IoWriteAccess}. */
    public static final int IO_WRITE_ACCESS = 1;
    /** {@code IoModifyAccess}. */
    public static final int IO_MODIFY_ACCESS = 2;
    /** {@code MM_MAPPING_ADDRESS_DIVISIBLE}, for {@code MmAllocateMappingAddressEx}. */
    public static final int MM_MAPPING_ADDRESS_DIVISIBLE = 0x1;
    /** {@code NormalPagePriority}, for {@code MmMapLockedPagesSpecifyCache}. */
    public static final int NORMAL_PAGE_PRIORITY = 16;

    private final SimMachine machine;

    KernelCalls(SimMachine machine) {
        this.machine = machine;
    }

    private SimLibrary kernel() {
        machine.select();
        return SimLibrary.INSTANCE;
    }

    /** @return {@code MmAllocateMappingAddress(bytes, tag)}: the reservation's base, or null */
    public Pointer mmAllocateMappingAddress(long bytes, PoolTag tag) {
        return kernel().MmAllocateMappingAddress(bytes, tag.value());
    }

    /** @return {@code MmAllocateMappingAddressEx(bytes, tag, flags)}: the reservation's base, or null */
    public Pointer mmAllocateMappingAddressEx(long bytes, PoolTag tag, int flags) {
        return kernel().MmAllocateMappingAddressEx(bytes, tag.value(), flags);
    }

    /** @return {@code MmMapLockedPagesWithReservedMapping(address, tag, mdl, cacheType)}: the mapped address, or null */
    public Pointer mmMapLockedPagesWithReservedMapping(Pointer mappingAddress, PoolTag tag, Pointer mdl,
                                                       int cacheType) {
        return kernel().MmMapLockedPagesWithReservedMapping(mappingAddress, tag.value(), mdl, cacheType);
    }

    /** Calls {@code MmUnmapReservedMapping(base, tag, mdl)}. */
    public void mmUnmapReservedMapping(Pointer baseAddress, PoolTag tag, Pointer mdl) {
        kernel().MmUnmapReservedMapping(baseAddress, tag.value(), mdl);
    }

    /** Calls {@code MmFreeMappingAddress(base, tag)}. */
    public void mmFreeMappingAddress(Pointer baseAddress, PoolTag tag) {
        kernel().MmFreeMappingAddress(baseAddress, tag.value());
    }

    /**
     * @return {@code MmAllocatePagesForMdlEx(0, ~0, 0, bytes, cacheType, flags)}: an MDL of locked pages
     *     (free with {@link #mmFreePagesFromMdl} then {@link #exFreePool}), or null
     */
    public Pointer mmAllocatePagesForMdlEx(long bytes, int cacheType, int flags) {
        return kernel().MmAllocatePagesForMdlEx(0, -1L, 0, bytes, cacheType, flags);
    }

    /** Calls {@code MmFreePagesFromMdl(mdl)}. */
    public void mmFreePagesFromMdl(Pointer mdl) {
        kernel().MmFreePagesFromMdl(mdl);
    }

    /** @return {@code IoAllocateMdl(va, length, FALSE, FALSE, NULL)}: a new MDL, or null */
    public Pointer ioAllocateMdl(Pointer virtualAddress, int length) {
        return kernel().IoAllocateMdl(virtualAddress, length, (byte) 0, (byte) 0, null);
    }

    /** Calls {@code IoBuildPartialMdl(source, target, va, length)}. */
    public void ioBuildPartialMdl(Pointer sourceMdl, Pointer targetMdl, Pointer virtualAddress, int length) {
        kernel().IoBuildPartialMdl(sourceMdl, targetMdl, virtualAddress, length);
    }

    /** Calls {@code IoFreeMdl(mdl)}. */
    public void ioFreeMdl(Pointer mdl) {
        kernel().IoFreeMdl(mdl);
    }

    /** Calls {@code MmProbeAndLockPages(mdl, accessMode, operation)}. */
    public void mmProbeAndLockPages(Pointer mdl, byte accessMode, int operation) {
        kernel().MmProbeAndLockPages(mdl, accessMode, operation);
    }

    /** Calls {@code MmUnlockPages(mdl)}. */
    public void mmUnlockPages(Pointer mdl) {
        kernel().MmUnlockPages(mdl);
    }

    /**
     * @return {@code MmMapLockedPagesSpecifyCache(mdl, KernelMode, cacheType, NULL, bugCheckOnFailure,
     *     priority)}: the mapped address, or null
     */
    public Pointer mmMapLockedPagesSpecifyCache(Pointer mdl, int cacheType, boolean bugCheckOnFailure, int priority) {
        return kernel().MmMapLockedPagesSpecifyCache(mdl, KERNEL_MODE, cacheType, null, bugCheckOnFailure ? 1 : 0,
                priority);
    }

    /** Calls {@code MmUnmapLockedPages(base, mdl)}. */
    public void mmUnmapLockedPages(Pointer baseAddress, Pointer mdl) {
        kernel().MmUnmapLockedPages(baseAddress, mdl);
    }

    /** Calls {@code ExFreePool(p)}, e.g. for the MDL of {@link #mmAllocatePagesForMdlEx}. */
    public void exFreePool(Pointer p) {
        kernel().ExFreePool(p);
    }

    /**
     * Reads one byte at a system address as kernel code would ({@code resmap_sim_touch}); an unmapped
     * page records bug check 0x50 instead of crashing this process.
     *
     * @return the byte (0..255), or -1 if the access bugchecked
     */
    public int touch(Pointer va) {
        return machine.touch(va);
    }

    /** @return page-aligned simulated user memory of the given size ({@code resmap_sim_user_alloc}), or null */
    public Pointer userAlloc(long bytes) {
        return machine.userAlloc(bytes);
    }

    /** @return false if the memory is still locked or mapped and was not freed ({@code resmap_sim_user_free}) */
    public boolean userFree(Pointer p) {
        Objects.requireNonNull(p, "p");
        return machine.userFree(p);
    }
}
