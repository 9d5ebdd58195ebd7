/*
 * page_set.c - locked pages a mapping can map: pages the core allocates (MmAllocatePagesForMdlEx)
 * or the caller's own buffer (IoAllocateMdl + MmProbeAndLockPages).
 *
 * State machine: locked (MappingCount == 0) <-> mapped (MappingCount > 0). Releasing is allowed only
 * when locked: unlocking or freeing pages under a live mapping corrupts the PFN database (0x4E, 0x1A)
 * and Driver Verifier stops it (0xC4).
 */
#include "core_internal.h"

static
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapChargePageSetQuota(
    _In_ PRESMAP_SESSION Session,
    _In_ UINT64 Bytes
    );

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapChargePageSetQuota)
#pragma alloc_text(PAGE, ResmapAllocatePages)
#pragma alloc_text(PAGE, ResmapLockUserBuffer)
#pragma alloc_text(PAGE, ResmapReleasePages)
#pragma alloc_text(PAGE, ResmapPageSetDestroy)
#endif

/*
 * ResmapChargePageSetQuota - STATUS_QUOTA_EXCEEDED if the session cannot hold Bytes more of page
 * sets, else STATUS_SUCCESS. Nothing is charged yet. IRQL: <= APC_LEVEL, session lock held.
 */
static
_Use_decl_annotations_
NTSTATUS
ResmapChargePageSetQuota(
    PRESMAP_SESSION Session,
    UINT64 Bytes
    )
{
    PAGED_CODE();

    if (Bytes > RESMAP_MAX_PAGE_SET_BYTES - Session->PageSetBytes) {
        return STATUS_QUOTA_EXCEEDED;
    }
    return STATUS_SUCCESS;
}

/*
 * ResmapAllocatePages - IOCTL_RESMAP_ALLOCATE_PAGES.
 * Always asks for MM_ALLOCATE_FULLY_REQUIRED and still checks the byte count: the routine may return
 * fewer bytes than asked, and a short page set is refused rather than returned. Never passes
 * MM_DONT_ZERO_ALLOCATION: READ would disclose whatever the frames held before.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapAllocatePages(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_ALLOCATE_IN request;
    UINT64 bytes;
    PRESMAP_OBJECT object;
    PHYSICAL_ADDRESS lowAddress;
    PHYSICAL_ADDRESS highAddress;
    PHYSICAL_ADDRESS skipBytes;
    PMDL mdl;
    NTSTATUS status;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);

    ResmapReadRequest(Buffer, &request);
    if (request.Bytes == 0 || request.CachingType > RESMAP_CACHING_MAX ||
        (request.Flags & ~RESMAP_ALLOCATE_VALID_FLAGS) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    status = ResmapRoundToPages(request.Bytes, &bytes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = ResmapChargePageSetQuota(Session, bytes);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    status = ResmapObjectAllocate(Session, RESMAP_OBJECT_PAGE_SET, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    lowAddress.QuadPart = 0;
    highAddress.QuadPart = -1;
    skipBytes.QuadPart = 0;
    mdl = MmAllocatePagesForMdlEx(lowAddress, highAddress, skipBytes, (SIZE_T)bytes,
                                  (MEMORY_CACHING_TYPE)request.CachingType,
                                  request.Flags | MM_ALLOCATE_FULLY_REQUIRED);
    if (mdl == NULL) {
        ResmapObjectFree(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (MmGetMdlByteCount(mdl) != bytes) {
        MmFreePagesFromMdl(mdl);
        ExFreePool(mdl);
        ResmapObjectFree(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    object->u.PageSet.Mdl = mdl;
    object->u.PageSet.Flags = RESMAP_PAGE_SET_ALLOCATED;
    object->u.PageSet.CachingType = request.CachingType;
    object->Bytes = bytes;
    object->Pages = (ULONG)(bytes >> PAGE_SHIFT);
    object->QuotaBytes = bytes;
    Session->PageSetBytes += bytes;
    ResmapObjectPublish(Session, object);

    ResmapWriteObjectReply(object, Buffer, BytesReturned);
    return STATUS_SUCCESS;
}

/*
 * ResmapLockUserBuffer - IOCTL_RESMAP_LOCK_USER_BUFFER.
 * Runs in the requesting process's context (the KMDF layer guarantees it), so the address is one of
 * that process's. The pages stay locked until released or until session cleanup, which runs in the
 * same process before it can exit (a process exiting with locked pages bugchecks 0x76).
 * The quota is charged for whole pages spanned: that is what stays locked.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapLockUserBuffer(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_LOCK_IN request;
    UINT64 quotaBytes;
    ULONG pages;
    PRESMAP_OBJECT object;
    PMDL mdl;
    NTSTATUS status;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);

    ResmapReadRequest(Buffer, &request);
    if (request.Bytes == 0 || request.Reserved != 0 ||
        (request.Access != RESMAP_ACCESS_READ && request.Access != RESMAP_ACCESS_READ_WRITE)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (request.Address > MAXULONG64 - request.Bytes) {
        return STATUS_INTEGER_OVERFLOW;
    }
    /* Bounded first, so that the page count below cannot overflow and the length fits IoAllocateMdl. */
    if (request.Bytes > RESMAP_MAX_PAGE_SET_BYTES) {
        return STATUS_QUOTA_EXCEEDED;
    }
    pages = (ULONG)ADDRESS_AND_SIZE_TO_SPAN_PAGES((ULONG_PTR)request.Address, (SIZE_T)request.Bytes);
    quotaBytes = (UINT64)pages << PAGE_SHIFT;
    status = ResmapChargePageSetQuota(Session, quotaBytes);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    status = ResmapObjectAllocate(Session, RESMAP_OBJECT_PAGE_SET, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    mdl = IoAllocateMdl((PVOID)(ULONG_PTR)request.Address, (ULONG)request.Bytes, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        ResmapObjectFree(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = ResmapProbeAndLockPages(mdl, UserMode,
                                     request.Access == RESMAP_ACCESS_READ ? IoReadAccess : IoModifyAccess);
    if (!NT_SUCCESS(status)) {
        IoFreeMdl(mdl);
        ResmapObjectFree(object);
        return STATUS_ACCESS_VIOLATION;
    }

    object->u.PageSet.Mdl = mdl;
    /* The access the caller locked with is kept: IoReadAccess promised the kernel would only read
     * these pages, so no mapping of them may be written through (transfer.c, mapping.c). */
    object->u.PageSet.Flags = RESMAP_PAGE_SET_USER_BUFFER |
                              (request.Access == RESMAP_ACCESS_READ ? RESMAP_PAGE_SET_READ_ONLY : 0);
    object->u.PageSet.CachingType = MmCached;
    object->Bytes = request.Bytes;
    object->Offset = BYTE_OFFSET((ULONG_PTR)request.Address);
    object->Pages = pages;
    object->QuotaBytes = quotaBytes;
    Session->PageSetBytes += quotaBytes;
    ResmapObjectPublish(Session, object);

    ResmapWriteObjectReply(object, Buffer, BytesReturned);
    return STATUS_SUCCESS;
}

/*
 * ResmapReleasePages - IOCTL_RESMAP_RELEASE_PAGES. Refuses a page set that a mapping still uses.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapReleasePages(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_HANDLE_IN request;
    PRESMAP_OBJECT pageSet;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);
    UNREFERENCED_PARAMETER(BytesReturned);

    ResmapReadRequest(Buffer, &request);
    pageSet = ResmapObjectLookup(Session, request.Handle, RESMAP_OBJECT_PAGE_SET);
    if (pageSet == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (pageSet->MappingCount != 0) {
        return STATUS_SHARING_VIOLATION;
    }

    ResmapPageSetDestroy(Session, pageSet);
    return STATUS_SUCCESS;
}

/*
 * ResmapPageSetDestroy - see core_internal.h.
 * Allocated pages go back with MmFreePagesFromMdl and their MDL with ExFreePool (not IoFreeMdl: the
 * MDL came from the allocation); a user buffer is unlocked and its MDL freed with IoFreeMdl.
 */
_Use_decl_annotations_
VOID
ResmapPageSetDestroy(
    PRESMAP_SESSION Session,
    PRESMAP_OBJECT PageSet
    )
{
    PMDL mdl;

    PAGED_CODE();

    mdl = PageSet->u.PageSet.Mdl;
    NT_ASSERT(PageSet->MappingCount == 0);
    if ((PageSet->u.PageSet.Flags & RESMAP_PAGE_SET_ALLOCATED) != 0) {
        MmFreePagesFromMdl(mdl);
        ExFreePool(mdl);
    } else {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    Session->PageSetBytes -= PageSet->QuotaBytes;
    ResmapObjectRetire(Session, PageSet);
}
