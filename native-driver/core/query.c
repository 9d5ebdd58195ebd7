/*
 * query.c - what the device and one object look like, as far as a caller may know: sizes, states,
 * counts and offsets; never an address or a frame number.
 */
#include "core_internal.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapGetInfo)
#pragma alloc_text(PAGE, ResmapQuery)
#endif

/*
 * ResmapGetInfo - IOCTL_RESMAP_GET_INFO: versions, capabilities, limits and this session's usage.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapGetInfo(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_INFO info;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);

    RtlZeroMemory(&info, sizeof(info));
    info.ProtocolVersion = RESMAP_PROTOCOL_VERSION;
    info.DriverVersion = (RESMAP_DRIVER_VERSION_MAJOR << 16) | RESMAP_DRIVER_VERSION_MINOR;
    info.Capabilities = Session->Device->AllocateMappingAddressEx != NULL ? RESMAP_CAP_DIVISIBLE : 0;
    info.PageSize = PAGE_SIZE;
    info.MaxTransfer = RESMAP_MAX_TRANSFER;
    info.MaxObjects = RESMAP_MAX_OBJECTS;
    info.MaxReservedBytes = RESMAP_MAX_RESERVED_BYTES;
    info.MaxPageSetBytes = RESMAP_MAX_PAGE_SET_BYTES;
    info.LiveReservations = Session->LiveCount[RESMAP_OBJECT_RESERVATION];
    info.LivePageSets = Session->LiveCount[RESMAP_OBJECT_PAGE_SET];
    info.LiveReservedMappings = Session->LiveCount[RESMAP_OBJECT_RESERVED_MAPPING];
    info.LiveOrdinaryMappings = Session->LiveCount[RESMAP_OBJECT_ORDINARY_MAPPING];
    info.ReservedBytes = Session->ReservedBytes;
    info.PageSetBytes = Session->PageSetBytes;

    RtlCopyMemory(Buffer, &info, sizeof(info));
    *BytesReturned = sizeof(info);
    return STATUS_SUCCESS;
}

/*
 * ResmapQuery - IOCTL_RESMAP_QUERY: one object of any type.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapQuery(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_HANDLE_IN request;
    RESMAP_QUERY_OUT reply;
    PRESMAP_OBJECT object;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);

    ResmapReadRequest(Buffer, &request);
    object = ResmapObjectLookup(Session, request.Handle, 0);
    if (object == NULL) {
        return STATUS_INVALID_HANDLE;
    }

    RtlZeroMemory(&reply, sizeof(reply));
    reply.Type = object->Type;
    reply.Bytes = object->Bytes;
    reply.Offset = object->Offset;
    reply.Pages = object->Pages;

    switch (object->Type) {
    case RESMAP_OBJECT_RESERVATION:
        reply.State = object->MappingCount != 0 ? RESMAP_STATE_MAPPED : RESMAP_STATE_RESERVED;
        reply.PoolTag = object->u.Reservation.PoolTag;
        reply.Flags = object->u.Reservation.Flags;
        reply.MappingCount = object->MappingCount;
        break;
    case RESMAP_OBJECT_PAGE_SET:
        reply.State = object->MappingCount != 0 ? RESMAP_STATE_MAPPED : RESMAP_STATE_LOCKED;
        reply.CachingType = object->u.PageSet.CachingType;
        reply.Flags = object->u.PageSet.Flags;
        reply.MappingCount = object->MappingCount;
        break;
    default:
        reply.State = RESMAP_STATE_MAPPED;
        reply.Parent = object->u.Mapping.PageSet->Handle;
        reply.CachingType = object->u.Mapping.CachingType;
        if (object->u.Mapping.Reservation != NULL) {
            reply.Reservation = object->u.Mapping.Reservation->Handle;
            reply.PoolTag = object->u.Mapping.Reservation->u.Reservation.PoolTag;
        }
        break;
    }

    RtlCopyMemory(Buffer, &reply, sizeof(reply));
    *BytesReturned = sizeof(reply);
    return STATUS_SUCCESS;
}
