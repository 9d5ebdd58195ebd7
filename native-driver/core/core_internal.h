/*
 * core_internal.h - the driver core's private types and the routines its files share.
 *
 * Ownership: a RESMAP_DEVICE owns nothing but what it resolves from the kernel; a RESMAP_SESSION owns
 * every object created through it, each reachable from its handle table. All session state is guarded
 * by the session's FAST_MUTEX, which ResmapCoreDispatch and ResmapCoreSessionCleanup hold for the
 * whole of a request: every routine below that takes a session runs with that mutex held (APC_LEVEL),
 * where every Mm/Io/Ex routine the core calls is allowed.
 */
#ifndef RESMAP_CORE_INTERNAL_H
#define RESMAP_CORE_INTERNAL_H

#include "resmap_core.h"
#include "resmap_protocol.h"

/* Tag of the core's own pool blocks ("Rsmc" in pool dumps: the bytes are stored little-endian). */
#define RESMAP_CORE_POOL_TAG 'cmsR'

#define RESMAP_DRIVER_VERSION_MAJOR 1u
#define RESMAP_DRIVER_VERSION_MINOR 0u

/* MmAllocateMappingAddressEx, which exists from Windows 10 2004 on. It is found at run time
 * (MmGetSystemRoutineAddress) rather than imported so that the core also runs on the simulator's models
 * of older kernels; resmap.sys itself needs 2004 or later (it imports ExAllocatePool2). */
typedef PVOID RESMAP_ALLOCATE_MAPPING_ADDRESS_EX(
    _In_ SIZE_T NumberOfBytes,
    _In_ ULONG PoolTag,
    _In_ ULONG Flags
    );
typedef RESMAP_ALLOCATE_MAPPING_ADDRESS_EX *PRESMAP_ALLOCATE_MAPPING_ADDRESS_EX;

struct _RESMAP_DEVICE {
    /* NULL on kernels without MmAllocateMappingAddressEx. */
    PRESMAP_ALLOCATE_MAPPING_ADDRESS_EX AllocateMappingAddressEx;

    /* Guards NextSessionTag and the session list. Taken before a session's lock, never after. */
    FAST_MUTEX Lock;
    ULONG NextSessionTag;
    LIST_ENTRY Sessions;        /* every open session, through RESMAP_SESSION.Link */
};

/* Handle layout: type (8 bits) | session tag (24) | generation (24) | table index (8).
 * The session tag makes another session's handle unusable even where its index and generation happen
 * to match a live object of this session; the generation makes a closed handle stale. Neither tag nor
 * generation is ever 0, so 0 is never a valid handle. */
#define RESMAP_HANDLE_TYPE_SHIFT        56
#define RESMAP_HANDLE_SESSION_SHIFT     32
#define RESMAP_HANDLE_GENERATION_SHIFT  8
#define RESMAP_HANDLE_FIELD_MASK        0xFFFFFFu
#define RESMAP_HANDLE_INDEX_MASK        0xFFu

C_ASSERT(RESMAP_MAX_OBJECTS == RESMAP_HANDLE_INDEX_MASK + 1);

typedef struct _RESMAP_OBJECT RESMAP_OBJECT, *PRESMAP_OBJECT;

/* A range from MmAllocateMappingAddress(Ex). */
typedef struct _RESMAP_RESERVATION {
    PVOID Base;                 /* never disclosed */
    ULONG PoolTag;              /* every map, unmap and free must present it */
    ULONG Flags;                /* RESMAP_RESERVE_* */
} RESMAP_RESERVATION;

/* Locked pages: allocated by the core (MmAllocatePagesForMdlEx) or the caller's buffer (probed and
 * locked). Its MDL is never mapped itself: each mapping maps a partial MDL built from it, so the same
 * pages can have several mappings at once. */
typedef struct _RESMAP_PAGE_SET {
    PMDL Mdl;
    ULONG Flags;                /* RESMAP_PAGE_SET_* */
    ULONG CachingType;
} RESMAP_PAGE_SET;

/* A reserved mapping (Reservation != NULL) or an ordinary one. */
typedef struct _RESMAP_MAPPING {
    PRESMAP_OBJECT PageSet;
    PRESMAP_OBJECT Reservation;
    PMDL Mdl;                   /* the mapping's own partial MDL of the page set's MDL */
    PVOID Address;              /* what the map call returned; never disclosed */
    ULONG FirstPage;            /* reserved mapping: first reservation page it occupies */
    ULONG CachingType;
    UINT64 PageSetOffset;       /* where the mapped sub-range starts within the page set */
} RESMAP_MAPPING;

struct _RESMAP_OBJECT {
    UINT64 Handle;
    ULONG Type;                 /* RESMAP_OBJECT_* */
    ULONG Pages;                /* pages spanned */
    UINT64 Bytes;               /* as reported in RESMAP_OBJECT_OUT.Bytes */
    UINT64 Offset;              /* as reported in RESMAP_OBJECT_OUT.Offset */
    UINT64 QuotaBytes;          /* charged to the session's reserved or page-set bytes */
    ULONG MappingCount;         /* reservation and page set: live mappings using it */
    union {
        RESMAP_RESERVATION Reservation;
        RESMAP_PAGE_SET PageSet;
        RESMAP_MAPPING Mapping;
    } u;
};

typedef struct _RESMAP_HANDLE_SLOT {
    PRESMAP_OBJECT Object;      /* NULL when free */
    ULONG Generation;
} RESMAP_HANDLE_SLOT;

#define RESMAP_OBJECT_TYPE_COUNT 5  /* RESMAP_OBJECT_* are 1..4 */

struct _RESMAP_SESSION {
    PRESMAP_DEVICE Device;
    LIST_ENTRY Link;            /* in Device->Sessions, under the device lock */
    /* The process that opened the session: the only one whose requests it serves. NULL once that
     * process has exited (its address may then be reused by a new process). Compared, never used. */
    PEPROCESS Process;
    FAST_MUTEX Lock;
    ULONG Tag;                  /* the session field of its handles */
    ULONG ObjectCount;
    ULONG LiveCount[RESMAP_OBJECT_TYPE_COUNT];
    UINT64 ReservedBytes;
    UINT64 PageSetBytes;
    RESMAP_HANDLE_SLOT Slots[RESMAP_MAX_OBJECTS];
};

/*
 * Request handlers. Each receives the METHOD_BUFFERED system buffer with lengths that ResmapCoreDispatch
 * has already checked against the handler's minimums, reads its request from the buffer before writing
 * any reply into it, and sets *BytesReturned only on success.
 */
typedef
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
RESMAP_REQUEST_HANDLER(
    _In_ PRESMAP_SESSION Session,
    _Inout_ PVOID Buffer,
    _In_ ULONG InputLength,
    _In_ ULONG OutputLength,
    _Out_ PULONG_PTR BytesReturned
    );
typedef RESMAP_REQUEST_HANDLER *PRESMAP_REQUEST_HANDLER;

RESMAP_REQUEST_HANDLER ResmapGetInfo;
RESMAP_REQUEST_HANDLER ResmapReserve;
RESMAP_REQUEST_HANDLER ResmapFreeReservation;
RESMAP_REQUEST_HANDLER ResmapAllocatePages;
RESMAP_REQUEST_HANDLER ResmapLockUserBuffer;
RESMAP_REQUEST_HANDLER ResmapReleasePages;
RESMAP_REQUEST_HANDLER ResmapMapReserved;
RESMAP_REQUEST_HANDLER ResmapUnmapReserved;
RESMAP_REQUEST_HANDLER ResmapMapOrdinary;
RESMAP_REQUEST_HANDLER ResmapUnmapOrdinary;
RESMAP_REQUEST_HANDLER ResmapRead;
RESMAP_REQUEST_HANDLER ResmapWrite;
RESMAP_REQUEST_HANDLER ResmapQuery;
RESMAP_REQUEST_HANDLER ResmapBench;

/* handle_table.c */

/*
 * ResmapObjectAllocate - allocates a zeroed object of Type if the session may hold one more.
 * Returns STATUS_SUCCESS, STATUS_QUOTA_EXCEEDED (object quota) or STATUS_INSUFFICIENT_RESOURCES.
 * The object has no handle until ResmapObjectPublish. IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapObjectAllocate(
    _In_ PRESMAP_SESSION Session,
    _In_ ULONG Type,
    _Outptr_ PRESMAP_OBJECT *Object
    );

/*
 * ResmapObjectPublish - gives an allocated object a handle and counts it. Cannot fail: the room was
 * checked by ResmapObjectAllocate under the same hold of the session lock.
 * IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapObjectPublish(
    _In_ PRESMAP_SESSION Session,
    _Inout_ PRESMAP_OBJECT Object
    );

/*
 * ResmapObjectRetire - makes a published object's handle stale and frees the object. The kernel
 * resources it held must already be released.
 * IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapObjectRetire(
    _In_ PRESMAP_SESSION Session,
    _In_ _Frees_ptr_ PRESMAP_OBJECT Object
    );

/*
 * ResmapObjectFree - frees an object that was never published.
 * IRQL: <= APC_LEVEL.
 */
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapObjectFree(
    _In_ _Frees_ptr_ PRESMAP_OBJECT Object
    );

/*
 * ResmapObjectLookup - the session's live object named by Handle, if it has type Type (0: any type).
 * Returns NULL for a handle that is malformed, of another session, stale, or of another type.
 * IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
PRESMAP_OBJECT
ResmapObjectLookup(
    _In_ PRESMAP_SESSION Session,
    _In_ UINT64 Handle,
    _In_ ULONG Type
    );

/*
 * ResmapObjectAt - the live object in table slot Index, or NULL; for walks over the whole table.
 * IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
PRESMAP_OBJECT
ResmapObjectAt(
    _In_ PRESMAP_SESSION Session,
    _In_ ULONG Index
    );

/* reservation.c */

/*
 * ResmapReservationDestroy - frees a reservation that has no mapping, then retires the object.
 * IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapReservationDestroy(
    _In_ PRESMAP_SESSION Session,
    _In_ _Frees_ptr_ PRESMAP_OBJECT Reservation
    );

/* page_set.c */

/*
 * ResmapPageSetDestroy - unlocks or frees the pages of a page set that has no mapping, then retires
 * the object. IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapPageSetDestroy(
    _In_ PRESMAP_SESSION Session,
    _In_ _Frees_ptr_ PRESMAP_OBJECT PageSet
    );

/* mapping.c */

/* The validated sub-range of a page set that a map request names. */
typedef struct _RESMAP_SUB_RANGE {
    UINT64 Offset;              /* within the page set */
    UINT64 Bytes;
    PVOID VirtualAddress;       /* the page set MDL's virtual address + Offset, for IoBuildPartialMdl */
    ULONG Pages;                /* pages the sub-range spans */
} RESMAP_SUB_RANGE;

/*
 * ResmapResolveMapRequest - checks the page set handle, the caching type and the sub-range of a map
 * request (RESMAP_MAP_IN), and describes the sub-range.
 * IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapResolveMapRequest(
    _In_ PRESMAP_SESSION Session,
    _In_ const RESMAP_MAP_IN *Request,
    _Outptr_ PRESMAP_OBJECT *PageSet,
    _Out_ RESMAP_SUB_RANGE *SubRange
    );

/*
 * ResmapCheckOrdinaryRequest - an ordinary map request names no reservation, offset in one, or tag.
 * Returns STATUS_SUCCESS or STATUS_INVALID_PARAMETER.
 */
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapCheckOrdinaryRequest(
    _In_ const RESMAP_MAP_IN *Request
    );

/*
 * ResmapResolveReservedTarget - the reservation a reserved map request of Pages pages names, once its
 * tag matches and the pages fit and are free there. IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapResolveReservedTarget(
    _In_ PRESMAP_SESSION Session,
    _In_ const RESMAP_MAP_IN *Request,
    _In_ ULONG Pages,
    _Outptr_ PRESMAP_OBJECT *Reservation
    );

/*
 * ResmapPrepareMapping - everything a map request needs before its kernel map call: the unpublished
 * mapping object of Type and a new partial MDL describing the sub-range of the page set. Shared by
 * the map handlers and the bench so that they fail alike, and in the same order (object quota, then
 * no MDL). Returns STATUS_SUCCESS, STATUS_QUOTA_EXCEEDED or STATUS_INSUFFICIENT_RESOURCES; on failure
 * nothing is left allocated. IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapPrepareMapping(
    _In_ PRESMAP_SESSION Session,
    _In_ ULONG Type,
    _In_ const RESMAP_OBJECT *PageSet,
    _In_ const RESMAP_SUB_RANGE *SubRange,
    _Outptr_ PRESMAP_OBJECT *Mapping,
    _Outptr_ PMDL *Mdl
    );

/*
 * ResmapMapMdlReserved - the one reserved map call: Mdl at Request->ReservationOffset within
 * Reservation, with the request's tag and caching type. Returns what the kernel returned.
 * IRQL: <= APC_LEVEL.
 */
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
PVOID
ResmapMapMdlReserved(
    _In_ const RESMAP_OBJECT *Reservation,
    _In_ const RESMAP_MAP_IN *Request,
    _In_ PMDL Mdl
    );

/*
 * ResmapMapMdlOrdinary - the one ordinary map call of Mdl, a partial MDL of PageSet: never
 * executable, read-only for a buffer locked for reading. Returns what the kernel returned.
 * IRQL: <= APC_LEVEL.
 */
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
PVOID
ResmapMapMdlOrdinary(
    _In_ const RESMAP_OBJECT *PageSet,
    _In_ PMDL Mdl,
    _In_ ULONG CachingType
    );

/*
 * ResmapMappingDestroy - unmaps a reserved or ordinary mapping, frees its MDL, releases its hold on
 * the page set (and reservation), then retires the object. IRQL: <= APC_LEVEL, session lock held.
 */
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapMappingDestroy(
    _In_ PRESMAP_SESSION Session,
    _In_ _Frees_ptr_ PRESMAP_OBJECT Mapping
    );

/* object_reply.c */

/*
 * ResmapWriteObjectReply - writes the RESMAP_OBJECT_OUT that describes Object into the system buffer
 * and sets *BytesReturned to its size. IRQL: <= APC_LEVEL.
 */
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapWriteObjectReply(
    _In_ const RESMAP_OBJECT *Object,
    _Out_writes_bytes_(sizeof(RESMAP_OBJECT_OUT)) PVOID Buffer,
    _Out_ PULONG_PTR BytesReturned
    );

/* The system buffer is read once, into a local copy, before any reply overwrites it. */
#define ResmapReadRequest(Buffer, Request) RtlCopyMemory((Request), (Buffer), sizeof(*(Request)))

/*
 * ResmapRoundToPages - rounds Bytes up to whole pages.
 * Returns STATUS_SUCCESS, or STATUS_INTEGER_OVERFLOW if the rounded size does not fit in 64 bits.
 */
static __inline
NTSTATUS
ResmapRoundToPages(
    _In_ UINT64 Bytes,
    _Out_ UINT64 *Rounded
    )
{
    if (Bytes > MAXULONG64 - (PAGE_SIZE - 1)) {
        *Rounded = 0;
        return STATUS_INTEGER_OVERFLOW;
    }
    *Rounded = (Bytes + (PAGE_SIZE - 1)) & ~(UINT64)(PAGE_SIZE - 1);
    return STATUS_SUCCESS;
}

#endif /* RESMAP_CORE_INTERNAL_H */
