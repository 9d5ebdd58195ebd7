package org.resmap.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The functions of libresmap-sim used off the request path: the machine's diagnostics
 * ({@code resmap_sim_fail_nth}, trace, touch) and the Windows kernel functions the library exports
 * under their own names, with the x86-64 signatures the simulator declares (SIZE_T and
 * PHYSICAL_ADDRESS as long, ULONG and enums as int, BOOLEAN and KPROCESSOR_MODE as byte). Interface
 * mapping resolves each symbol on first call, so a function the library does not provide fails only
 * when it is called. The kernel functions act on the calling thread's current machine: select it
 * first ({@link SimMachine#select()}).
 */
public interface SimLibrary extends Library {

    /** The library, loaded once. */
    SimLibrary INSTANCE = Native.load(SimNative.LIBRARY, SimLibrary.class);

    int resmap_sim_fail_nth(Pointer machine, int kind, int n);

    long resmap_sim_allocations(Pointer machine, int kind);

    void resmap_sim_trace_enable(Pointer machine, int on);

    long resmap_sim_trace_read(Pointer machine, Pointer buf, long len);

    int resmap_sim_touch(Pointer machine, Pointer va, byte[] value);

    long resmap_sim_view_ptes(Pointer machine, long first, Pointer out, long count);

    long resmap_sim_view_frames(Pointer machine, long first, Pointer out, long count);

    long resmap_sim_describe(Pointer machine, long value, byte[] buf, long len);

    Pointer MmAllocateMappingAddress(long numberOfBytes, int poolTag);

    Pointer MmAllocateMappingAddressEx(long numberOfBytes, int poolTag, int flags);

    Pointer MmMapLockedPagesWithReservedMapping(Pointer mappingAddress, int poolTag, Pointer mdl, int cacheType);

    void MmUnmapReservedMapping(Pointer baseAddress, int poolTag, Pointer mdl);

    void MmFreeMappingAddress(Pointer baseAddress, int poolTag);

    Pointer MmAllocatePagesForMdlEx(long lowAddress, long highAddress, long skipBytes, long totalBytes,
                                    int cacheType, int flags);

    void MmFreePagesFromMdl(Pointer mdl);

    Pointer IoAllocateMdl(Pointer virtualAddress, int length, byte secondaryBuffer, byte chargeQuota, Pointer irp);

    void IoBuildPartialMdl(Pointer sourceMdl, Pointer targetMdl, Pointer virtualAddress, int length);

    void IoFreeMdl(Pointer mdl);

    void MmProbeAndLockPages(Pointer mdl, byte accessMode, int operation);

    void MmUnlockPages(Pointer mdl);

    Pointer MmMapLockedPagesSpecifyCache(Pointer mdl, byte accessMode, int cacheType, Pointer requestedAddress,
                                         int bugCheckOnFailure, int priority);

    void MmUnmapLockedPages(Pointer baseAddress, Pointer mdl);

    void ExFreePool(Pointer p);

    Pointer ExAllocatePool2(long flags, long numberOfBytes, int tag);

    void ExFreePoolWithTag(Pointer p, int tag);

    void MmBuildMdlForNonPagedPool(Pointer mdl);
}
