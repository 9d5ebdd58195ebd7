/*
 * wdm.h - the subset of the Windows kernel headers that the resmap driver core uses, for the
 * user-mode simulator (libresmap-sim).
 *
 * The driver core includes <wdm.h> and compiles unchanged against this file and against the real
 * headers (mingw-w64's ddk/wdm.h, the WDK's wdm.h). Types have their x64 Windows sizes (ULONG and
 * LONG are 32 bits; WCHAR is 16 bits, so everything is compiled with -fshort-wchar), and the MDL has
 * the exact x64 layout, so code written against the real header reads it correctly.
 *
 * The functions are implemented by the simulator and act on the calling thread's current machine
 * (resmap_sim_select). Where the real kernel would bugcheck, the simulator records a simulated
 * bugcheck instead (see docs/simulator.md).
 */
#ifndef RESMAP_SIM_WDM_H
#define RESMAP_SIM_WDM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(__x86_64__)
#error "the simulator models x64 Windows only"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ SAL, defined away */
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _Outptr_
#define _Outptr_result_maybenull_
#define _In_reads_(n)
#define _In_reads_bytes_(n)
#define _In_reads_bytes_opt_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_to_(n, m)
#define _Inout_updates_bytes_(n)
#define _Inout_updates_bytes_opt_(n)
#define _In_range_(lo, hi)
#define _Must_inspect_result_
#define _Success_(expr)
#define _When_(expr, annos)
#define _Use_decl_annotations_
#define _IRQL_requires_max_(irql)
#define _IRQL_requires_(irql)
#define _IRQL_raises_(irql)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(kind, param)
#define _IRQL_restores_global_(kind, param)
#define _Requires_lock_held_(lock)
#define _Requires_lock_not_held_(lock)
#define _Acquires_lock_(lock)
#define _Releases_lock_(lock)
#define _Guarded_by_(lock)
#define _Function_class_(name)
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Post_writable_byte_size_(n)
#define _Ret_maybenull_
#define _Kernel_requires_resource_held_(res)
#define __drv_allocatesMem(kind)
#define __drv_freesMem(kind)
#define __drv_aliasesMem
#define __drv_when(cond, annos)
#define _Dispatch_type_(type)
#define _Analysis_assume_(expr)

/* The simulated kernel exports its routines under their Windows names from libresmap-sim, which is
 * otherwise built with hidden visibility. */
#define NTKERNELAPI __attribute__((visibility("default")))
#define NTHALAPI __attribute__((visibility("default")))
#define NTAPI

/* ------------------------------------------------------------------ basic types (x64 sizes) */
#define VOID void
typedef void *PVOID;
typedef char CHAR, *PCHAR;
typedef unsigned char UCHAR, *PUCHAR;
typedef short SHORT, CSHORT;
typedef unsigned short USHORT, *PUSHORT;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG;
typedef int64_t LONG64, LONGLONG;
typedef uint64_t ULONG64, ULONGLONG;
typedef int64_t LONG_PTR;
typedef uint64_t ULONG_PTR, *PULONG_PTR;
typedef uint64_t SIZE_T, *PSIZE_T;
typedef uint8_t UINT8;
typedef uint16_t UINT16;
typedef uint32_t UINT32;
typedef uint64_t UINT64;
typedef int32_t INT32;
typedef UCHAR BOOLEAN, *PBOOLEAN;
#define TRUE 1
#define FALSE 0
typedef LONG NTSTATUS;
typedef UCHAR KIRQL, *PKIRQL;
typedef wchar_t WCHAR, *PWCH, *PWSTR;
typedef const WCHAR *PCWSTR;

_Static_assert(sizeof(WCHAR) == 2, "compile with -fshort-wchar: WCHAR is 16 bits on Windows");

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER, PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;

#define MAXULONG   0xFFFFFFFFu
#define MAXULONG64 0xFFFFFFFFFFFFFFFFull
#define MAXSIZE_T  ((SIZE_T)~(SIZE_T)0)

/* ------------------------------------------------------------------ enums */
typedef CHAR KPROCESSOR_MODE;
enum { KernelMode = 0, UserMode = 1 };

typedef enum _LOCK_OPERATION {
    IoReadAccess = 0,
    IoWriteAccess = 1,
    IoModifyAccess = 2
} LOCK_OPERATION;

typedef enum _MEMORY_CACHING_TYPE {
    MmNotMapped = -1,
    MmNonCached = 0,
    MmCached = 1,
    MmWriteCombined = 2,
    MmHardwareCoherentCached = 3,
    MmNonCachedUnordered = 4,
    MmUSWCCached = 5,
    MmMaximumCacheType = 6
} MEMORY_CACHING_TYPE;

typedef enum _MM_PAGE_PRIORITY {
    LowPagePriority = 0,
    NormalPagePriority = 16,
    HighPagePriority = 32
} MM_PAGE_PRIORITY;

/* Since Windows 8 the priority argument of the mapping calls may carry these bits. */
#define MdlMappingNoWrite   0x80000000u
#define MdlMappingNoExecute 0x40000000u

typedef enum _POOL_TYPE {
    NonPagedPool = 0,
    NonPagedPoolExecute = 0,
    PagedPool = 1,
    NonPagedPoolNx = 512
} POOL_TYPE;

typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ull
#define POOL_FLAG_NON_PAGED     0x0000000000000040ull
#define POOL_FLAG_PAGED         0x0000000000000100ull

/* ------------------------------------------------------------------ IRQL */
#define PASSIVE_LEVEL  0
#define APC_LEVEL      1
#define DISPATCH_LEVEL 2

/* ------------------------------------------------------------------ NTSTATUS */
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define STATUS_SUCCESS                 ((NTSTATUS)0x00000000L)
#define STATUS_UNSUCCESSFUL            ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED         ((NTSTATUS)0xC0000002L)
#define STATUS_ACCESS_VIOLATION        ((NTSTATUS)0xC0000005L)
#define STATUS_MEDIA_WRITE_PROTECTED   ((NTSTATUS)0xC00000A2L)
#define STATUS_FILE_CLOSED             ((NTSTATUS)0xC0000128L)
#define STATUS_INVALID_HANDLE          ((NTSTATUS)0xC0000008L)
#define STATUS_INVALID_PARAMETER       ((NTSTATUS)0xC000000DL)
#define STATUS_INVALID_DEVICE_REQUEST  ((NTSTATUS)0xC0000010L)
#define STATUS_END_OF_FILE             ((NTSTATUS)0xC0000011L)
#define STATUS_NO_MEMORY               ((NTSTATUS)0xC0000017L)
#define STATUS_CONFLICTING_ADDRESSES   ((NTSTATUS)0xC0000018L)
#define STATUS_ACCESS_DENIED           ((NTSTATUS)0xC0000022L)
#define STATUS_BUFFER_TOO_SMALL        ((NTSTATUS)0xC0000023L)
#define STATUS_SHARING_VIOLATION       ((NTSTATUS)0xC0000043L)
#define STATUS_QUOTA_EXCEEDED          ((NTSTATUS)0xC0000044L)
#define STATUS_INTEGER_OVERFLOW        ((NTSTATUS)0xC0000095L)
#define STATUS_ALLOTTED_SPACE_EXCEEDED ((NTSTATUS)0xC0000099L)
#define STATUS_INSUFFICIENT_RESOURCES  ((NTSTATUS)0xC000009AL)
#define STATUS_NOT_SUPPORTED           ((NTSTATUS)0xC00000BBL)
#define STATUS_INVALID_DEVICE_STATE    ((NTSTATUS)0xC0000184L)
#define STATUS_ASSERTION_FAILURE       ((NTSTATUS)0xC0000420L)

/* ------------------------------------------------------------------ IOCTL codes */
#define CTL_CODE(DeviceType, Function, Method, Access) \
    ((((ULONG)(DeviceType)) << 16) | ((Access) << 14) | ((Function) << 2) | (Method))
#define METHOD_BUFFERED   0
#define FILE_ANY_ACCESS   0
#define FILE_READ_ACCESS  0x0001
#define FILE_WRITE_ACCESS 0x0002

/* ------------------------------------------------------------------ language helpers */
#define C_ASSERT(e) _Static_assert(e, #e)
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((PCHAR)(address) - (ULONG_PTR)(&((type *)0)->field)))
#define UNREFERENCED_PARAMETER(P) ((void)(P))

/* PAGED_CODE: pageable code must not run above APC_LEVEL. The simulator checks it and records the
 * Driver Verifier bugcheck (0xC4) when it does. */
VOID SimPagedCodeCheck(const char *Function);
#define PAGED_CODE() SimPagedCodeCheck(__func__)

/* NT_ASSERT raises STATUS_ASSERTION_FAILURE; with no debugger attached that is an unhandled kernel
 * exception. The simulator records bugcheck 0x1E with P1 = STATUS_ASSERTION_FAILURE. */
VOID SimAssertionFailure(const char *Expression, const char *File, ULONG Line);
#define NT_ASSERT(e) ((e) ? (void)0 : SimAssertionFailure(#e, __FILE__, __LINE__))
#define ASSERT(e) NT_ASSERT(e)

/* ------------------------------------------------------------------ memory helpers */
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))

/* ------------------------------------------------------------------ pages */
#define PAGE_SIZE  0x1000
#define PAGE_SHIFT 12L
#define BYTE_OFFSET(Va) ((ULONG)((LONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~(ULONG_PTR)(PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(Size) (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~(ULONG_PTR)(PAGE_SIZE - 1))
#define BYTES_TO_PAGES(Size) \
    (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size) \
    ((BYTE_OFFSET(Va) + ((SIZE_T)(Size)) + (PAGE_SIZE - 1)) >> PAGE_SHIFT)

/* ------------------------------------------------------------------ MDL (exact x64 layout) */
typedef struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    USHORT AllocationProcessorNumber;
    USHORT Reserved;
    struct _EPROCESS *Process;
    PVOID MappedSystemVa;
    PVOID StartVa;
    ULONG ByteCount;
    ULONG ByteOffset;
} MDL, *PMDL;

C_ASSERT(sizeof(MDL) == 48);
C_ASSERT(FIELD_OFFSET(MDL, MdlFlags) == 10);
C_ASSERT(FIELD_OFFSET(MDL, MappedSystemVa) == 24);
C_ASSERT(FIELD_OFFSET(MDL, ByteCount) == 40);

#define MDL_MAPPED_TO_SYSTEM_VA     0x0001
#define MDL_PAGES_LOCKED            0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE    0x0008
#define MDL_PARTIAL                 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ            0x0040
#define MDL_WRITE_OPERATION         0x0080
#define MDL_LOCKED_PAGE_TABLES      0x0100
#define MDL_PARENT_MAPPED_SYSTEM_VA MDL_LOCKED_PAGE_TABLES
#define MDL_FREE_EXTRA_PTES         0x0200
#define MDL_DESCRIBES_AWE           0x0400
#define MDL_IO_SPACE                0x0800
#define MDL_NETWORK_HEADER          0x1000
#define MDL_MAPPING_CAN_FAIL        0x2000
#define MDL_PAGE_CONTENTS_INVARIANT 0x4000
#define MDL_ALLOCATED_MUST_SUCCEED  0x4000
#define MDL_INTERNAL                0x8000

/* On integers: StartVa is NULL for MmAllocatePagesForMdlEx MDLs (and their partial MDLs), and pointer
 * arithmetic on NULL is undefined in C, which clang's UBSan reports even for a zero offset. */
#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((ULONG_PTR)((Mdl)->StartVa) + (Mdl)->ByteOffset))
#define MmGetMdlByteCount(Mdl) ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl) ((Mdl)->ByteOffset)
#define MmGetMdlPfnArray(Mdl) ((PPFN_NUMBER)((Mdl) + 1))

#define MmInitializeMdl(MemoryDescriptorList, BaseVa, Length) {                                    \
    (MemoryDescriptorList)->Next = (PMDL)NULL;                                                     \
    (MemoryDescriptorList)->Size = (CSHORT)(sizeof(MDL) +                                          \
        (sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES((BaseVa), (Length))));                \
    (MemoryDescriptorList)->MdlFlags = 0;                                                          \
    (MemoryDescriptorList)->StartVa = (PVOID)PAGE_ALIGN((BaseVa));                                 \
    (MemoryDescriptorList)->ByteOffset = BYTE_OFFSET((BaseVa));                                    \
    (MemoryDescriptorList)->ByteCount = (ULONG)(Length);                                           \
}

#define MmGetSystemAddressForMdlSafe(Mdl, Priority)                                                \
    (((Mdl)->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))                  \
        ? ((Mdl)->MappedSystemVa)                                                                  \
        : MmMapLockedPagesSpecifyCache((Mdl), KernelMode, MmCached, NULL, FALSE, (Priority)))

/* MmAllocateMappingAddressEx flags */
#define MM_MAPPING_ADDRESS_DIVISIBLE 0x1

/* MmAllocatePagesForMdlEx flags */
#define MM_DONT_ZERO_ALLOCATION               0x00000001
#define MM_ALLOCATE_FROM_LOCAL_NODE_ONLY      0x00000002
#define MM_ALLOCATE_FULLY_REQUIRED            0x00000004
#define MM_ALLOCATE_NO_WAIT                   0x00000008
#define MM_ALLOCATE_PREFER_CONTIGUOUS         0x00000010
#define MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS 0x00000020
#define MM_ALLOCATE_FAST_LARGE_PAGES          0x00000040

/* ------------------------------------------------------------------ strings */
typedef struct _UNICODE_STRING {
    USHORT Length;
    USHORT MaximumLength;
    PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

#define RTL_CONSTANT_STRING(s) { sizeof(s) - sizeof((s)[0]), sizeof(s), (PWSTR)(s) }
#define DECLARE_CONST_UNICODE_STRING(Variable, String)                                             \
    const WCHAR Variable##_buffer[] = String;                                                      \
    const UNICODE_STRING Variable = { sizeof(String) - sizeof(WCHAR), sizeof(String),              \
                                      (PWSTR)Variable##_buffer }

NTKERNELAPI VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);

/* ------------------------------------------------------------------ lists */
typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

static inline VOID InitializeListHead(PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

static inline BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
    return (BOOLEAN)(ListHead->Flink == ListHead);
}

static inline BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = Entry->Flink;
    PLIST_ENTRY Blink = Entry->Blink;
    Blink->Flink = Flink;
    Flink->Blink = Blink;
    return (BOOLEAN)(Flink == Blink);
}

static inline PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink;
    RemoveEntryList(Entry);
    return Entry;
}

static inline VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Blink = ListHead->Blink;
    Entry->Flink = ListHead;
    Entry->Blink = Blink;
    Blink->Flink = Entry;
    ListHead->Blink = Entry;
}

static inline VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = ListHead->Flink;
    Entry->Flink = Flink;
    Entry->Blink = ListHead;
    Flink->Blink = Entry;
    ListHead->Flink = Entry;
}

/* ------------------------------------------------------------------ opaque kernel objects */
typedef struct _IRP *PIRP;
struct _EPROCESS;
typedef struct _EPROCESS *PEPROCESS;

/* The calling thread's simulated process (resmap_sim_process_attach; by default the machine's first). */
NTKERNELAPI PEPROCESS IoGetCurrentProcess(VOID);
#define PsGetCurrentProcess IoGetCurrentProcess

/* ------------------------------------------------------------------ synchronization */
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

/* Same size as the x64 FAST_MUTEX (56 bytes); the simulator keeps a host mutex inside. */
typedef struct _FAST_MUTEX {
    ULONG_PTR Opaque[7];
} FAST_MUTEX, *PFAST_MUTEX;

NTKERNELAPI VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex);
NTKERNELAPI VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex);

NTKERNELAPI VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql);
NTKERNELAPI VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);

NTKERNELAPI KIRQL KeGetCurrentIrql(VOID);
NTKERNELAPI VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
NTKERNELAPI VOID KeLowerIrql(KIRQL NewIrql);

/* ------------------------------------------------------------------ pool */
NTKERNELAPI PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI VOID ExFreePoolWithTag(PVOID P, ULONG Tag);
NTKERNELAPI VOID ExFreePool(PVOID P);

/* ------------------------------------------------------------------ MDLs and pages */
NTKERNELAPI PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
                               BOOLEAN ChargeQuota, PIRP Irp);
NTKERNELAPI VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress,
                                   ULONG Length);
NTKERNELAPI VOID IoFreeMdl(PMDL Mdl);

NTKERNELAPI VOID MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                     LOCK_OPERATION Operation);
NTKERNELAPI VOID MmUnlockPages(PMDL MemoryDescriptorList);
NTKERNELAPI VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList);

NTKERNELAPI PMDL MmAllocatePagesForMdlEx(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                         PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes,
                                         MEMORY_CACHING_TYPE CacheType, ULONG Flags);
/* Pages with no caching type of their own: a mapping of them takes the caller's CacheType. */
NTKERNELAPI PMDL MmAllocatePagesForMdl(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                       PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes);
NTKERNELAPI VOID MmFreePagesFromMdl(PMDL MemoryDescriptorList);

NTKERNELAPI PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                               MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                               ULONG BugCheckOnFailure, ULONG Priority);
NTKERNELAPI VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList);

/* ------------------------------------------------------------------ reserved mappings */
NTKERNELAPI PVOID MmAllocateMappingAddress(SIZE_T NumberOfBytes, ULONG PoolTag);
/* Windows 10 2004 (19041) and later; resolve it with MmGetSystemRoutineAddress. */
NTKERNELAPI PVOID MmAllocateMappingAddressEx(SIZE_T NumberOfBytes, ULONG PoolTag, ULONG Flags);
NTKERNELAPI VOID MmFreeMappingAddress(PVOID BaseAddress, ULONG PoolTag);
NTKERNELAPI PVOID MmMapLockedPagesWithReservedMapping(PVOID MappingAddress, ULONG PoolTag,
                                                      PMDL MemoryDescriptorList,
                                                      MEMORY_CACHING_TYPE CacheType);
NTKERNELAPI VOID MmUnmapReservedMapping(PVOID BaseAddress, ULONG PoolTag,
                                        PMDL MemoryDescriptorList);

/* ------------------------------------------------------------------ performance counter (sim_clock.c) */
/* Any IRQL. The host's CLOCK_MONOTONIC in 100 ns ticks (10 MHz, the frequency Windows 10 and later
 * usually report); *PerformanceFrequency, if given, receives the frequency. */
NTHALAPI LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency);

/* ------------------------------------------------------------------ system */
/* On Windows this never returns. In the simulator it records the bugcheck, abandons the guarded call
 * it runs in (if any), and otherwise returns so that the host process survives. */
NTKERNELAPI VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1,
                              ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3,
                              ULONG_PTR BugCheckParameter4);

NTKERNELAPI PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName);

#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_ERROR_LEVEL   0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL   2
#define DPFLTR_INFO_LEVEL    3
NTKERNELAPI ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, const char *Format, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* RESMAP_SIM_WDM_H */
