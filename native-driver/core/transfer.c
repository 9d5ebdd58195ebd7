/*
 * transfer.c - reading and writing bytes through a mapping, bounded by the mapping.
 *
 * The copy goes through the address the map call returned, which is valid for exactly the mapping's
 * bytes: touching a reserved page that is not mapped is a page fault in nonpaged area (0x50) that no
 * exception handler can catch, so the bounds are checked, never trapped.
 */
#include "core_internal.h"

static
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapResolveTransfer(
    _In_ PRESMAP_SESSION Session,
    _In_ const RESMAP_TRANSFER_IN *Request,
    _Outptr_ PRESMAP_OBJECT *Mapping,
    _Outptr_ PUCHAR *Address
    );

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapResolveTransfer)
#pragma alloc_text(PAGE, ResmapRead)
#pragma alloc_text(PAGE, ResmapWrite)
#endif

/*
 * ResmapResolveTransfer - checks a transfer request and yields its mapping and the mapped address it
 * starts at.
 * IRQL: <= APC_LEVEL, session lock held.
 */
static
_Use_decl_annotations_
NTSTATUS
ResmapResolveTransfer(
    PRESMAP_SESSION Session,
    const RESMAP_TRANSFER_IN *Request,
    PRESMAP_OBJECT *Mapping,
    PUCHAR *Address
    )
{
    PRESMAP_OBJECT mapping;

    PAGED_CODE();

    *Mapping = NULL;
    *Address = NULL;
    if (Request->Bytes == 0 || Request->Bytes > RESMAP_MAX_TRANSFER || Request->Reserved != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    mapping = ResmapObjectLookup(Session, Request->Mapping, 0);
    if (mapping == NULL ||
        (mapping->Type != RESMAP_OBJECT_RESERVED_MAPPING && mapping->Type != RESMAP_OBJECT_ORDINARY_MAPPING)) {
        return STATUS_INVALID_HANDLE;
    }
    if (Request->Offset > MAXULONG64 - Request->Bytes) {
        return STATUS_INTEGER_OVERFLOW;
    }
    if (Request->Offset + Request->Bytes > mapping->Bytes) {
        return STATUS_END_OF_FILE;
    }
    *Mapping = mapping;
    *Address = (PUCHAR)mapping->u.Mapping.Address + Request->Offset;
    return STATUS_SUCCESS;
}

/*
 * ResmapRead - IOCTL_RESMAP_READ: Bytes bytes from the mapping into the reply.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapRead(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_TRANSFER_IN request;
    PRESMAP_OBJECT mapping;
    PUCHAR address;
    NTSTATUS status;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);

    ResmapReadRequest(Buffer, &request);
    status = ResmapResolveTransfer(Session, &request, &mapping, &address);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (OutputLength < request.Bytes) {
        return STATUS_BUFFER_TOO_SMALL;
    }

    RtlCopyMemory(Buffer, address, request.Bytes);
    *BytesReturned = request.Bytes;
    return STATUS_SUCCESS;
}

/*
 * ResmapWrite - IOCTL_RESMAP_WRITE: the Bytes bytes that follow the request, into the mapping.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapWrite(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_TRANSFER_IN request;
    PRESMAP_OBJECT mapping;
    PUCHAR address;
    NTSTATUS status;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(OutputLength);
    UNREFERENCED_PARAMETER(BytesReturned);

    ResmapReadRequest(Buffer, &request);
    status = ResmapResolveTransfer(Session, &request, &mapping, &address);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if ((mapping->u.Mapping.PageSet->u.PageSet.Flags & RESMAP_PAGE_SET_READ_ONLY) != 0) {
        /* The caller locked these pages for reading only (IoReadAccess). */
        return STATUS_MEDIA_WRITE_PROTECTED;
    }
    if (InputLength - sizeof(request) < request.Bytes) {
        return STATUS_BUFFER_TOO_SMALL;
    }

    RtlCopyMemory(address, (PUCHAR)Buffer + sizeof(request), request.Bytes);
    return STATUS_SUCCESS;
}
