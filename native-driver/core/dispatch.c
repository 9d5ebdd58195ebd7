/*
 * dispatch.c - ResmapCoreDispatch: one table from IOCTL code to handler and minimum buffer lengths,
 * so that every length check happens here, once, before any handler runs.
 */
#include "core_internal.h"

typedef struct _RESMAP_IOCTL_ENTRY {
    ULONG IoControlCode;
    ULONG MinimumInputLength;
    ULONG MinimumOutputLength;
    PRESMAP_REQUEST_HANDLER Handler;
} RESMAP_IOCTL_ENTRY;

static const RESMAP_IOCTL_ENTRY ResmapIoctlTable[] = {
    { IOCTL_RESMAP_GET_INFO,         0,                          sizeof(RESMAP_INFO),       ResmapGetInfo },
    { IOCTL_RESMAP_RESERVE,          sizeof(RESMAP_RESERVE_IN),  sizeof(RESMAP_OBJECT_OUT), ResmapReserve },
    { IOCTL_RESMAP_FREE_RESERVATION, sizeof(RESMAP_TAGGED_IN),   0,                         ResmapFreeReservation },
    { IOCTL_RESMAP_ALLOCATE_PAGES,   sizeof(RESMAP_ALLOCATE_IN), sizeof(RESMAP_OBJECT_OUT), ResmapAllocatePages },
    { IOCTL_RESMAP_LOCK_USER_BUFFER, sizeof(RESMAP_LOCK_IN),     sizeof(RESMAP_OBJECT_OUT), ResmapLockUserBuffer },
    { IOCTL_RESMAP_RELEASE_PAGES,    sizeof(RESMAP_HANDLE_IN),   0,                         ResmapReleasePages },
    { IOCTL_RESMAP_MAP_RESERVED,     sizeof(RESMAP_MAP_IN),      sizeof(RESMAP_OBJECT_OUT), ResmapMapReserved },
    { IOCTL_RESMAP_UNMAP_RESERVED,   sizeof(RESMAP_TAGGED_IN),   0,                         ResmapUnmapReserved },
    { IOCTL_RESMAP_MAP_ORDINARY,     sizeof(RESMAP_MAP_IN),      sizeof(RESMAP_OBJECT_OUT), ResmapMapOrdinary },
    { IOCTL_RESMAP_UNMAP_ORDINARY,   sizeof(RESMAP_HANDLE_IN),   0,                         ResmapUnmapOrdinary },
    /* READ's and WRITE's data lengths depend on the request; their handlers check them. */
    { IOCTL_RESMAP_READ,             sizeof(RESMAP_TRANSFER_IN), 0,                         ResmapRead },
    { IOCTL_RESMAP_WRITE,            sizeof(RESMAP_TRANSFER_IN), 0,                         ResmapWrite },
    { IOCTL_RESMAP_QUERY,            sizeof(RESMAP_HANDLE_IN),   sizeof(RESMAP_QUERY_OUT),  ResmapQuery },
    { IOCTL_RESMAP_BENCH,            sizeof(RESMAP_BENCH_IN),    sizeof(RESMAP_BENCH_OUT),  ResmapBench },
};

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapCoreDispatch)
#endif

/*
 * ResmapCoreDispatch - see resmap_core.h.
 * The session lock is held across the whole request, so requests on one session never interleave
 * (a map cannot race the unmap or free of the objects it uses). It is a FAST_MUTEX, acquired at
 * PASSIVE_LEVEL: every kernel routine the handlers call is allowed at the APC_LEVEL it raises to.
 */
_Use_decl_annotations_
NTSTATUS
ResmapCoreDispatch(
    PRESMAP_SESSION Session,
    ULONG IoControlCode,
    PVOID SystemBuffer,
    ULONG InputBufferLength,
    ULONG OutputBufferLength,
    PULONG_PTR BytesReturned
    )
{
    const RESMAP_IOCTL_ENTRY *entry = NULL;
    ULONG index;
    NTSTATUS status;

    PAGED_CODE();

    *BytesReturned = 0;

    for (index = 0; index < sizeof(ResmapIoctlTable) / sizeof(ResmapIoctlTable[0]); index++) {
        if (ResmapIoctlTable[index].IoControlCode == IoControlCode) {
            entry = &ResmapIoctlTable[index];
            break;
        }
    }
    if (entry == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (InputBufferLength < entry->MinimumInputLength || OutputBufferLength < entry->MinimumOutputLength) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (SystemBuffer == NULL && (InputBufferLength != 0 || OutputBufferLength != 0)) {
        return STATUS_INVALID_PARAMETER;
    }

    ExAcquireFastMutex(&Session->Lock);
    /* A duplicated handle is no way into another process's session: its buffers were locked in
     * that process, and the driver must never act on them for anyone else. */
    if (Session->Process == NULL || Session->Process != PsGetCurrentProcess()) {
        status = STATUS_ACCESS_DENIED;
    } else {
        status = entry->Handler(Session, SystemBuffer, InputBufferLength, OutputBufferLength, BytesReturned);
    }
    ExReleaseFastMutex(&Session->Lock);

    if (!NT_SUCCESS(status)) {
        *BytesReturned = 0;
    }
    return status;
}
