/*
 * reservation.c - reserving and freeing ranges of system address space
 * (MmAllocateMappingAddress(Ex) / MmFreeMappingAddress).
 *
 * State machine: reserved (MappingCount == 0) <-> mapped (MappingCount > 0). Freeing is allowed only
 * in the reserved state: the kernel bugchecks 0xDA/0x103 when a mapped range is freed.
 */
#include "core_internal.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapReserve)
#pragma alloc_text(PAGE, ResmapFreeReservation)
#pragma alloc_text(PAGE, ResmapReservationDestroy)
#endif

/*
 * ResmapReserve - IOCTL_RESMAP_RESERVE.
 * Refuses before any kernel call: a size of 0 (bugcheck 0xDA/0x100), tag 0 (the kernel returns NULL),
 * unknown flags, a size whose page rounding overflows, a size over the session's quota, and a
 * divisible range on a kernel without MmAllocateMappingAddressEx.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapReserve(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_RESERVE_IN request;
    UINT64 bytes;
    PRESMAP_OBJECT object;
    PVOID base;
    NTSTATUS status;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);

    ResmapReadRequest(Buffer, &request);
    if (request.Bytes == 0 || request.PoolTag == 0 || (request.Flags & ~RESMAP_RESERVE_DIVISIBLE) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    status = ResmapRoundToPages(request.Bytes, &bytes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (bytes > RESMAP_MAX_RESERVED_BYTES - Session->ReservedBytes) {
        return STATUS_QUOTA_EXCEEDED;
    }
    if ((request.Flags & RESMAP_RESERVE_DIVISIBLE) != 0 && Session->Device->AllocateMappingAddressEx == NULL) {
        return STATUS_NOT_SUPPORTED;
    }

    status = ResmapObjectAllocate(Session, RESMAP_OBJECT_RESERVATION, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    if ((request.Flags & RESMAP_RESERVE_DIVISIBLE) != 0) {
        base = Session->Device->AllocateMappingAddressEx((SIZE_T)bytes, request.PoolTag,
                                                         MM_MAPPING_ADDRESS_DIVISIBLE);
    } else {
        base = MmAllocateMappingAddress((SIZE_T)bytes, request.PoolTag);
    }
    if (base == NULL) {
        ResmapObjectFree(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    object->u.Reservation.Base = base;
    object->u.Reservation.PoolTag = request.PoolTag;
    object->u.Reservation.Flags = request.Flags;
    object->Bytes = bytes;
    object->Pages = (ULONG)(bytes >> PAGE_SHIFT);
    object->QuotaBytes = bytes;
    Session->ReservedBytes += bytes;
    ResmapObjectPublish(Session, object);

    ResmapWriteObjectReply(object, Buffer, BytesReturned);
    return STATUS_SUCCESS;
}

/*
 * ResmapFreeReservation - IOCTL_RESMAP_FREE_RESERVATION.
 * Refuses a tag other than the reservation's (the kernel bugchecks 0xDA/0x101, or 0x102 on newer
 * builds) and a reservation that still has a mapping (0xDA/0x103).
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapFreeReservation(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_TAGGED_IN request;
    PRESMAP_OBJECT reservation;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);
    UNREFERENCED_PARAMETER(BytesReturned);

    ResmapReadRequest(Buffer, &request);
    if (request.Reserved != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    reservation = ResmapObjectLookup(Session, request.Handle, RESMAP_OBJECT_RESERVATION);
    if (reservation == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (request.PoolTag != reservation->u.Reservation.PoolTag) {
        return STATUS_ACCESS_DENIED;
    }
    if (reservation->MappingCount != 0) {
        return STATUS_INVALID_DEVICE_STATE;
    }

    ResmapReservationDestroy(Session, reservation);
    return STATUS_SUCCESS;
}

/*
 * ResmapReservationDestroy - see core_internal.h.
 */
_Use_decl_annotations_
VOID
ResmapReservationDestroy(
    PRESMAP_SESSION Session,
    PRESMAP_OBJECT Reservation
    )
{
    PAGED_CODE();

    NT_ASSERT(Reservation->MappingCount == 0);
    MmFreeMappingAddress(Reservation->u.Reservation.Base, Reservation->u.Reservation.PoolTag);
    Session->ReservedBytes -= Reservation->QuotaBytes;
    ResmapObjectRetire(Session, Reservation);
}
