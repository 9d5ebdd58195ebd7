package org.resmap.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The Windows kernel functions libresmap-sim exports under their own names, with the x86-64 Windows
 * signatures as the simulator declares them (SIZE_T and PHYSICAL_ADDRESS as long, ULONG and enums as
 * int, BOOLEAN and KPROCESSOR_MODE as byte). Interface mapping resolves each symbol on first call, so a
 * function the simulator does not model fails only when it is called. These calls act on the calling
 * thread's current machine: select it first ({@link SimMachine#select()}).
 */
public interface SimKernel extends Library {

    /** The library, loaded once. */
    SimKernel INSTANCE = Native.load(SimNative.LIBRARY, SimKernel.class);

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
}
