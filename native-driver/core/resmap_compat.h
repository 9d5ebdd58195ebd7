/*
 * resmap_compat.h - names the driver core uses that mingw-w64's DDK headers lack.
 *
 * The core is written against the current WDK. mingw-w64's ddk/ headers, used on Linux to check that
 * the core compiles for Windows x64 kernel mode, predate a few of its names; this header supplies them
 * with the WDK's values, and only there (__MINGW32__). The WDK and the simulator's <wdm.h> have them
 * all, so for them this header is empty.
 */
#ifndef RESMAP_COMPAT_H
#define RESMAP_COMPAT_H

#ifdef __MINGW32__

/* ExAllocatePool2 (Windows 10 2004; the WDK deprecates ExAllocatePoolWithTag). It zeroes the block
 * unless POOL_FLAG_UNINITIALIZED is passed. */
typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL

NTKERNELAPI
PVOID
NTAPI
ExAllocatePool2(
    _In_ POOL_FLAGS Flags,
    _In_ SIZE_T NumberOfBytes,
    _In_ ULONG Tag
    );

/* MmMapLockedPagesSpecifyCache priority bit (Windows 8): map without execute permission. */
#define MdlMappingNoExecute 0x40000000
/* ... and without write permission (Windows 8). */
#define MdlMappingNoWrite 0x80000000

/* MmAllocateMappingAddressEx flag (Windows 10 2004). */
#define MM_MAPPING_ADDRESS_DIVISIBLE 0x1

/* SAL names of the WDK that mingw's sal.h does not define. */
#ifndef _Frees_ptr_
#define _Frees_ptr_
#endif
#ifndef _Frees_ptr_opt_
#define _Frees_ptr_opt_
#endif

#endif /* __MINGW32__ */

#endif /* RESMAP_COMPAT_H */
