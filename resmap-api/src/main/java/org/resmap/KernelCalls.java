package org.resmap;

import com.sun.jna.Pointer;
import org.resmap.internal.SimLibrary;
import org.resmap.internal.SimMachine;

import java.util.Objects;

/**
 * The simulated kernel's own functions, called directly, bypassing the driver core and its checks:
 * for exploring what Windows does with a contract violation (the machine records the bug check Windows
 * would raise; see {@link Simulator#bugcheck()}). Each call first makes this machine the calling
 * thread's current one. Addresses and MDLs are {@link SimAddress}es (null for NULL); the caller owns whatever it
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
    /** {@code POOL_FLAG_NON_PAGED}, for {@link #exAllocatePool2}. */
    public static final long POOL_FLAG_NON_PAGED = 0x40;
    /** {@code POOL_FLAG_PAGED}, for {@link #exAllocatePool2}. */
    public static final long POOL_FLAG_PAGED = 0x100;

    // Offsets in the x64 MDL: Next 0, Size 8, MdlFlags 10, ..., StartVa 32, ByteCount 40, ByteOffset 44.
    private static final long MDL_FLAGS = 10;
    private static final long MDL_START_VA = 32;
    private static final long MDL_BYTE_COUNT = 40;
    private static final long MDL_BYTE_OFFSET = 44;
    private static final long PAGE = 4096;

    private final SimMachine machine;

    KernelCalls(SimMachine machine) {
        this.machine = machine;
    }

    private SimLibrary kernel() {
        machine.select();
        return SimLibrary.INSTANCE;
    }

    /** @return {@code MmAllocateMappingAddress(bytes, tag)}: the reservation's base, or null */
    public SimAddress mmAllocateMappingAddress(long bytes, PoolTag tag) {
        return SimAddress.of(kernel().MmAllocateMappingAddress(bytes, tag.value()));
    }

    /** @return {@code MmAllocateMappingAddressEx(bytes, tag, flags)}: the reservation's base, or null */
    public SimAddress mmAllocateMappingAddressEx(long bytes, PoolTag tag, int flags) {
        return SimAddress.of(kernel().MmAllocateMappingAddressEx(bytes, tag.value(), flags));
    }

    /** @return {@code MmMapLockedPagesWithReservedMapping(address, tag, mdl, cacheType)}: the mapped address, or null */
    public SimAddress mmMapLockedPagesWithReservedMapping(SimAddress mappingAddress, PoolTag tag, SimAddress mdl,
                                                       int cacheType) {
        return SimAddress.of(kernel().MmMapLockedPagesWithReservedMapping(p(mappingAddress), tag.value(), p(mdl), cacheType));
    }

    /** Calls {@code MmUnmapReservedMapping(base, tag, mdl)}. */
    public void mmUnmapReservedMapping(SimAddress baseAddress, PoolTag tag, SimAddress mdl) {
        kernel().MmUnmapReservedMapping(p(baseAddress), tag.value(), p(mdl));
    }

    /** Calls {@code MmFreeMappingAddress(base, tag)}. */
    public void mmFreeMappingAddress(SimAddress baseAddress, PoolTag tag) {
        kernel().MmFreeMappingAddress(p(baseAddress), tag.value());
    }

    /**
     * @return {@code MmAllocatePagesForMdlEx(0, ~0, 0, bytes, cacheType, flags)}: an MDL of locked pages
     *     (free with {@link #mmFreePagesFromMdl} then {@link #exFreePool}), or null
     */
    public SimAddress mmAllocatePagesForMdlEx(long bytes, int cacheType, int flags) {
        return SimAddress.of(kernel().MmAllocatePagesForMdlEx(0, -1L, 0, bytes, cacheType, flags));
    }

    /** Calls {@code MmFreePagesFromMdl(mdl)}. */
    public void mmFreePagesFromMdl(SimAddress mdl) {
        kernel().MmFreePagesFromMdl(p(mdl));
    }

    /** @return {@code IoAllocateMdl(va, length, FALSE, FALSE, NULL)}: a new MDL, or null */
    public SimAddress ioAllocateMdl(SimAddress virtualAddress, int length) {
        return SimAddress.of(kernel().IoAllocateMdl(p(virtualAddress), length, (byte) 0, (byte) 0, null));
    }

    /** Calls {@code IoBuildPartialMdl(source, target, va, length)}. */
    public void ioBuildPartialMdl(SimAddress sourceMdl, SimAddress targetMdl, SimAddress virtualAddress, int length) {
        kernel().IoBuildPartialMdl(p(sourceMdl), p(targetMdl), p(virtualAddress), length);
    }

    /** Calls {@code IoFreeMdl(mdl)}. */
    public void ioFreeMdl(SimAddress mdl) {
        kernel().IoFreeMdl(p(mdl));
    }

    /** Calls {@code MmProbeAndLockPages(mdl, accessMode, operation)}. */
    public void mmProbeAndLockPages(SimAddress mdl, byte accessMode, int operation) {
        kernel().MmProbeAndLockPages(p(mdl), accessMode, operation);
    }

    /** Calls {@code MmUnlockPages(mdl)}. */
    public void mmUnlockPages(SimAddress mdl) {
        kernel().MmUnlockPages(p(mdl));
    }

    /**
     * @return {@code MmMapLockedPagesSpecifyCache(mdl, KernelMode, cacheType, NULL, bugCheckOnFailure,
     *     priority)}: the mapped address, or null
     */
    public SimAddress mmMapLockedPagesSpecifyCache(SimAddress mdl, int cacheType, boolean bugCheckOnFailure, int priority) {
        return SimAddress.of(kernel().MmMapLockedPagesSpecifyCache(p(mdl), KERNEL_MODE, cacheType, null,
                bugCheckOnFailure ? 1 : 0, priority));
    }

    /** Calls {@code MmUnmapLockedPages(base, mdl)}. */
    public void mmUnmapLockedPages(SimAddress baseAddress, SimAddress mdl) {
        kernel().MmUnmapLockedPages(p(baseAddress), p(mdl));
    }

    /** Calls {@code ExFreePool(p)}, e.g. for the MDL of {@link #mmAllocatePagesForMdlEx}. */
    public void exFreePool(SimAddress pool) {
        kernel().ExFreePool(p(pool));
    }

    /**
     * @return {@code ExAllocatePool2(flags, bytes, tag)}: a block of the machine's pool, which has frames
     *     behind it (so an MDL can describe it), or null
     */
    public SimAddress exAllocatePool2(long flags, long bytes, PoolTag tag) {
        return SimAddress.of(kernel().ExAllocatePool2(flags, bytes, tag.value()));
    }

    /** Calls {@code ExFreePoolWithTag(p, tag)}. */
    public void exFreePoolWithTag(SimAddress pool, PoolTag tag) {
        kernel().ExFreePoolWithTag(p(pool), tag.value());
    }

    /** Calls {@code MmBuildMdlForNonPagedPool(mdl)}: describes a nonpaged pool buffer without locking it. */
    public void mmBuildMdlForNonPagedPool(SimAddress mdl) {
        kernel().MmBuildMdlForNonPagedPool(p(mdl));
    }

    /**
     * Reads one byte at a system address as kernel code would ({@code resmap_sim_touch}); an unmapped
     * page records bug check 0x50 instead of crashing this process.
     *
     * @return the byte (0..255), or -1 if the access bugchecked
     */
    public int touch(SimAddress va) {
        return machine.touch(p(va));
    }

    /**
     * Copies bytes to a system address as kernel code would ({@code RtlCopyMemory}), after touching
     * each page they span: an unmapped page records bug check 0x50 and nothing is written, instead of
     * crashing this process.
     *
     * @return false if a page was not mapped (the machine has bugchecked)
     */
    public boolean write(SimAddress va, byte[] bytes) {
        if (!touchEveryPage(va, bytes.length)) {
            return false;
        }
        p(va).write(0, bytes, 0, bytes.length);
        return true;
    }

    /**
     * Copies bytes from a system address as kernel code would, after touching each page they span.
     *
     * @return the bytes, or null if a page was not mapped (the machine has bugchecked)
     */
    public byte[] read(SimAddress va, int length) {
        return touchEveryPage(va, length) ? p(va).getByteArray(0, length) : null;
    }

    private boolean touchEveryPage(SimAddress va, long length) {
        Objects.requireNonNull(va, "va");
        long start = Pointer.nativeValue(p(va));
        for (long page = start & -PAGE; page < start + length; page += PAGE) {
            if (machine.touch(new Pointer(Math.max(page, start))) < 0) {
                return false;
            }
        }
        return true;
    }

    /** @return page-aligned simulated user memory of the given size ({@code resmap_sim_user_alloc}), or null */
    public SimAddress userAlloc(long bytes) {
        return SimAddress.of(machine.userAlloc(bytes));
    }

    /** @return false if the memory is still locked or mapped and was not freed ({@code resmap_sim_user_free}) */
    public boolean userFree(SimAddress memory) {
        Objects.requireNonNull(memory, "memory");
        return machine.userFree(p(memory));
    }

    /** @return the MDL's {@code MdlFlags} (MDL_PARTIAL, MDL_MAPPED_TO_SYSTEM_VA, ...) */
    public int mdlFlags(SimAddress mdl) {
        return p(nonNull(mdl)).getShort(MDL_FLAGS) & 0xFFFF;
    }

    /** @return {@code MmGetMdlByteCount(mdl)}: how many bytes the MDL describes */
    public int mmGetMdlByteCount(SimAddress mdl) {
        return p(nonNull(mdl)).getInt(MDL_BYTE_COUNT);
    }

    /** @return {@code MmGetMdlByteOffset(mdl)}: where in its first page the described bytes start */
    public int mmGetMdlByteOffset(SimAddress mdl) {
        return p(nonNull(mdl)).getInt(MDL_BYTE_OFFSET);
    }

    /**
     * @return {@code MmGetMdlVirtualAddress(mdl)}: StartVa + ByteOffset. For pages from
     *     {@link #mmAllocatePagesForMdlEx} StartVa is NULL, so this is an offset from NULL that
     *     {@link #ioBuildPartialMdl} expects back.
     */
    public SimAddress mmGetMdlVirtualAddress(SimAddress mdl) {
        Pointer p = p(nonNull(mdl));
        return new SimAddress(p.getLong(MDL_START_VA)).plus(p.getInt(MDL_BYTE_OFFSET));
    }

    private static SimAddress nonNull(SimAddress mdl) {
        return Objects.requireNonNull(mdl, "mdl");
    }

    private static Pointer p(SimAddress address) {
        return SimAddress.pointer(address);
    }
}
