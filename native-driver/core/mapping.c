/*
 * mapping.c - mapping a page set, or a byte sub-range of it, into a reservation
 * (MmMapLockedPagesWithReservedMapping / MmUnmapReservedMapping) or into ordinary system address
 * space (MmMapLockedPagesSpecifyCache / MmUnmapLockedPages), the baseline to compare with.
 *
 * Every mapping maps its own partial MDL, built from the page set's MDL: an MDL may have only one
 * system mapping at a time, and this is what lets the same pages be mapped more than once (the ring
 * buffer: one page set mapped twice, back to back, in a divisible reservation).
 */
#include "core_internal.h"

static
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapCheckReservationRoom(
    _In_ PRESMAP_SESSION Session,
    _In_ const RESMAP_OBJECT *Reservation,
    _In_ UINT64 ReservationOffset,
    _In_ ULONG Pages
    );

static
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapRecordMapping(
    _In_ PRESMAP_SESSION Session,
    _Inout_ PRESMAP_OBJECT Mapping,
    _Inout_ PRESMAP_OBJECT PageSet,
    _Inout_opt_ PRESMAP_OBJECT Reservation,
    _In_ PMDL Mdl,
    _In_ PVOID Address,
    _In_ const RESMAP_SUB_RANGE *SubRange,
    _In_ ULONG CachingType
    );

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapResolveMapRequest)
#pragma alloc_text(PAGE, ResmapCheckOrdinaryRequest)
#pragma alloc_text(PAGE, ResmapResolveReservedTarget)
#pragma alloc_text(PAGE, ResmapCheckReservationRoom)
#pragma alloc_text(PAGE, ResmapPrepareMapping)
#pragma alloc_text(PAGE, ResmapMapMdlReserved)
#pragma alloc_text(PAGE, ResmapMapMdlOrdinary)
#pragma alloc_text(PAGE, ResmapRecordMapping)
#pragma alloc_text(PAGE, ResmapMapReserved)
#pragma alloc_text(PAGE, ResmapUnmapReserved)
#pragma alloc_text(PAGE, ResmapMapOrdinary)
#pragma alloc_text(PAGE, ResmapUnmapOrdinary)
#pragma alloc_text(PAGE, ResmapMappingDestroy)
#endif

/*
 * ResmapResolveMapRequest - see core_internal.h.
 * Bytes == 0 means "from Offset to the end"; an empty sub-range is refused, as the kernel must never
 * see a zero-length MDL.
 */
_Use_decl_annotations_
NTSTATUS
ResmapResolveMapRequest(
    PRESMAP_SESSION Session,
    const RESMAP_MAP_IN *Request,
    PRESMAP_OBJECT *PageSet,
    RESMAP_SUB_RANGE *SubRange
    )
{
    PRESMAP_OBJECT pageSet;
    UINT64 bytes;

    PAGED_CODE();

    *PageSet = NULL;
    RtlZeroMemory(SubRange, sizeof(*SubRange));

    if (Request->CachingType > RESMAP_CACHING_MAX) {
        return STATUS_INVALID_PARAMETER;
    }
    pageSet = ResmapObjectLookup(Session, Request->PageSet, RESMAP_OBJECT_PAGE_SET);
    if (pageSet == NULL) {
        return STATUS_INVALID_HANDLE;
    }

    bytes = Request->Bytes;
    if (bytes == 0) {
        if (Request->Offset >= pageSet->Bytes) {
            return STATUS_END_OF_FILE;
        }
        bytes = pageSet->Bytes - Request->Offset;
    }
    if (Request->Offset > MAXULONG64 - bytes) {
        return STATUS_INTEGER_OVERFLOW;
    }
    if (Request->Offset + bytes > pageSet->Bytes) {
        return STATUS_END_OF_FILE;
    }

    SubRange->Offset = Request->Offset;
    SubRange->Bytes = bytes;
    /* MmGetMdlVirtualAddress, computed on integers: the MDL of allocated pages has a NULL StartVa, and
     * pointer arithmetic on NULL is undefined in C even with a zero offset. */
    SubRange->VirtualAddress = (PVOID)((ULONG_PTR)pageSet->u.PageSet.Mdl->StartVa +
                                       MmGetMdlByteOffset(pageSet->u.PageSet.Mdl) + (ULONG_PTR)Request->Offset);
    SubRange->Pages = (ULONG)ADDRESS_AND_SIZE_TO_SPAN_PAGES(SubRange->VirtualAddress, (SIZE_T)bytes);
    *PageSet = pageSet;
    return STATUS_SUCCESS;
}

/*
 * ResmapCheckOrdinaryRequest - see core_internal.h.
 */
_Use_decl_annotations_
NTSTATUS
ResmapCheckOrdinaryRequest(
    const RESMAP_MAP_IN *Request
    )
{
    PAGED_CODE();

    if (Request->Reservation != 0 || Request->ReservationOffset != 0 || Request->PoolTag != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/*
 * ResmapResolveReservedTarget - see core_internal.h.
 * Refuses, before the kernel call: a tag other than the reservation's (0xDA/0x104), pages already
 * mapped (0xDA/0x107) and a mapping longer than the room left in the reservation (NULL from the kernel).
 */
_Use_decl_annotations_
NTSTATUS
ResmapResolveReservedTarget(
    PRESMAP_SESSION Session,
    const RESMAP_MAP_IN *Request,
    ULONG Pages,
    PRESMAP_OBJECT *Reservation
    )
{
    PRESMAP_OBJECT reservation;
    NTSTATUS status;

    PAGED_CODE();

    *Reservation = NULL;
    reservation = ResmapObjectLookup(Session, Request->Reservation, RESMAP_OBJECT_RESERVATION);
    if (reservation == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Request->PoolTag != reservation->u.Reservation.PoolTag) {
        return STATUS_ACCESS_DENIED;
    }
    status = ResmapCheckReservationRoom(Session, reservation, Request->ReservationOffset, Pages);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    *Reservation = reservation;
    return STATUS_SUCCESS;
}

/*
 * ResmapCheckReservationRoom - refuses a reserved mapping that would not fit, or would land on pages
 * already mapped. The kernel returns NULL for an MDL longer than the reservation, but bugchecks
 * 0xDA/0x107 for a map onto mapped pages; both are refused here, distinctly.
 * A non-divisible reservation takes one mapping, at its start; a divisible one takes any number that
 * do not overlap, each at a page-aligned offset.
 * IRQL: <= APC_LEVEL, session lock held.
 */
static
_Use_decl_annotations_
NTSTATUS
ResmapCheckReservationRoom(
    PRESMAP_SESSION Session,
    const RESMAP_OBJECT *Reservation,
    UINT64 ReservationOffset,
    ULONG Pages
    )
{
    ULONG firstPage;
    ULONG index;
    PRESMAP_OBJECT other;
    const RESMAP_MAPPING *mapping;

    PAGED_CODE();

    if (BYTE_OFFSET((ULONG_PTR)ReservationOffset) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if ((Reservation->u.Reservation.Flags & RESMAP_RESERVE_DIVISIBLE) == 0 && ReservationOffset != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (ReservationOffset >= Reservation->Bytes ||
        Pages > Reservation->Pages - (ULONG)(ReservationOffset >> PAGE_SHIFT)) {
        return STATUS_ALLOTTED_SPACE_EXCEEDED;
    }

    if ((Reservation->u.Reservation.Flags & RESMAP_RESERVE_DIVISIBLE) == 0) {
        return Reservation->MappingCount == 0 ? STATUS_SUCCESS : STATUS_CONFLICTING_ADDRESSES;
    }

    firstPage = (ULONG)(ReservationOffset >> PAGE_SHIFT);
    for (index = 0; index < RESMAP_MAX_OBJECTS; index++) {
        other = ResmapObjectAt(Session, index);
        if (other == NULL || other->Type != RESMAP_OBJECT_RESERVED_MAPPING) {
            continue;
        }
        mapping = &other->u.Mapping;
        if (mapping->Reservation == Reservation &&
            firstPage < mapping->FirstPage + other->Pages && mapping->FirstPage < firstPage + Pages) {
            return STATUS_CONFLICTING_ADDRESSES;
        }
    }
    return STATUS_SUCCESS;
}

/*
 * ResmapPrepareMapping - see core_internal.h.
 * The page set's MDL is locked, as IoBuildPartialMdl requires.
 */
_Use_decl_annotations_
NTSTATUS
ResmapPrepareMapping(
    PRESMAP_SESSION Session,
    ULONG Type,
    const RESMAP_OBJECT *PageSet,
    const RESMAP_SUB_RANGE *SubRange,
    PRESMAP_OBJECT *Mapping,
    PMDL *Mdl
    )
{
    PRESMAP_OBJECT mapping;
    PMDL mdl;
    NTSTATUS status;

    PAGED_CODE();

    *Mapping = NULL;
    *Mdl = NULL;

    status = ResmapObjectAllocate(Session, Type, &mapping);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    mdl = IoAllocateMdl(SubRange->VirtualAddress, (ULONG)SubRange->Bytes, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        ResmapObjectFree(mapping);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    IoBuildPartialMdl(PageSet->u.PageSet.Mdl, mdl, SubRange->VirtualAddress, (ULONG)SubRange->Bytes);

    *Mapping = mapping;
    *Mdl = mdl;
    return STATUS_SUCCESS;
}

/*
 * ResmapMapMdlReserved - see core_internal.h.
 */
_Use_decl_annotations_
PVOID
ResmapMapMdlReserved(
    const RESMAP_OBJECT *Reservation,
    const RESMAP_MAP_IN *Request,
    PMDL Mdl
    )
{
    PAGED_CODE();

    return MmMapLockedPagesWithReservedMapping(
        (PVOID)((ULONG_PTR)Reservation->u.Reservation.Base + (ULONG_PTR)Request->ReservationOffset),
        Request->PoolTag, Mdl, (MEMORY_CACHING_TYPE)Request->CachingType);
}

/*
 * ResmapMapMdlOrdinary - see core_internal.h.
 * BugCheckOnFailure is FALSE (TRUE is a Driver Verifier violation), so a shortage of system PTEs is a
 * NULL. MdlMappingNoWrite (Windows 8 and later) makes the system PTEs of a buffer locked for reading
 * read-only too. The reserved map call has no such parameter: there WRITE's refusal (transfer.c) is the
 * only protection.
 */
_Use_decl_annotations_
PVOID
ResmapMapMdlOrdinary(
    const RESMAP_OBJECT *PageSet,
    PMDL Mdl,
    ULONG CachingType
    )
{
    PAGED_CODE();

    return MmMapLockedPagesSpecifyCache(Mdl, KernelMode, (MEMORY_CACHING_TYPE)CachingType, NULL, FALSE,
                                        NormalPagePriority | MdlMappingNoExecute |
                                        ((PageSet->u.PageSet.Flags & RESMAP_PAGE_SET_READ_ONLY) != 0 ?
                                             MdlMappingNoWrite : 0));
}

/*
 * ResmapRecordMapping - fills in a mapping that the kernel has made and publishes it.
 * IRQL: <= APC_LEVEL, session lock held.
 */
static
_Use_decl_annotations_
VOID
ResmapRecordMapping(
    PRESMAP_SESSION Session,
    PRESMAP_OBJECT Mapping,
    PRESMAP_OBJECT PageSet,
    PRESMAP_OBJECT Reservation,
    PMDL Mdl,
    PVOID Address,
    const RESMAP_SUB_RANGE *SubRange,
    ULONG CachingType
    )
{
    PAGED_CODE();

    Mapping->u.Mapping.PageSet = PageSet;
    Mapping->u.Mapping.Reservation = Reservation;
    Mapping->u.Mapping.Mdl = Mdl;
    Mapping->u.Mapping.Address = Address;
    Mapping->u.Mapping.CachingType = CachingType;
    Mapping->u.Mapping.PageSetOffset = SubRange->Offset;
    Mapping->Bytes = SubRange->Bytes;
    Mapping->Pages = SubRange->Pages;
    PageSet->MappingCount++;
    if (Reservation != NULL) {
        /* Reported as a distance from the reservation's base, never as an address. */
        Mapping->Offset = (UINT64)((ULONG_PTR)Address - (ULONG_PTR)Reservation->u.Reservation.Base);
        Reservation->MappingCount++;
    }
    ResmapObjectPublish(Session, Mapping);
}

/*
 * ResmapMapReserved - IOCTL_RESMAP_MAP_RESERVED.
 * Refuses, before the kernel call, everything ResmapResolveMapRequest and ResmapResolveReservedTarget
 * refuse: a sub-range outside the page set or empty, a wrong tag, no room, pages already mapped.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapMapReserved(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_MAP_IN request;
    RESMAP_SUB_RANGE subRange;
    PRESMAP_OBJECT pageSet;
    PRESMAP_OBJECT reservation;
    PRESMAP_OBJECT mapping;
    PMDL mdl;
    PVOID address;
    NTSTATUS status;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);

    ResmapReadRequest(Buffer, &request);
    status = ResmapResolveMapRequest(Session, &request, &pageSet, &subRange);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = ResmapResolveReservedTarget(Session, &request, subRange.Pages, &reservation);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    status = ResmapPrepareMapping(Session, RESMAP_OBJECT_RESERVED_MAPPING, pageSet, &subRange, &mapping, &mdl);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    address = ResmapMapMdlReserved(reservation, &request, mdl);
    if (address == NULL) {
        /* Validation above covers every documented reason for NULL: report it, never hide it. */
        IoFreeMdl(mdl);
        ResmapObjectFree(mapping);
        return STATUS_UNSUCCESSFUL;
    }

    mapping->u.Mapping.FirstPage = (ULONG)(request.ReservationOffset >> PAGE_SHIFT);
    ResmapRecordMapping(Session, mapping, pageSet, reservation, mdl, address, &subRange, request.CachingType);
    ResmapWriteObjectReply(mapping, Buffer, BytesReturned);
    return STATUS_SUCCESS;
}

/*
 * ResmapUnmapReserved - IOCTL_RESMAP_UNMAP_RESERVED. Refuses a tag other than the reservation's
 * (0xDA/0x108). The handle names one mapping, so what is unmapped is always exactly what was mapped
 * (0xDA/0x10A, 0x10B and 0x10C cannot arise).
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapUnmapReserved(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_TAGGED_IN request;
    PRESMAP_OBJECT mapping;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);
    UNREFERENCED_PARAMETER(BytesReturned);

    ResmapReadRequest(Buffer, &request);
    if (request.Reserved != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    mapping = ResmapObjectLookup(Session, request.Handle, RESMAP_OBJECT_RESERVED_MAPPING);
    if (mapping == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (request.PoolTag != mapping->u.Mapping.Reservation->u.Reservation.PoolTag) {
        return STATUS_ACCESS_DENIED;
    }

    ResmapMappingDestroy(Session, mapping);
    return STATUS_SUCCESS;
}

/*
 * ResmapMapOrdinary - IOCTL_RESMAP_MAP_ORDINARY: the baseline mapping, from system PTEs. A shortage
 * of system PTEs is reported as STATUS_INSUFFICIENT_RESOURCES. Mapped without execute permission, and
 * without write permission for a buffer locked for reading (ResmapMapMdlOrdinary).
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapMapOrdinary(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_MAP_IN request;
    RESMAP_SUB_RANGE subRange;
    PRESMAP_OBJECT pageSet;
    PRESMAP_OBJECT mapping;
    PMDL mdl;
    PVOID address;
    NTSTATUS status;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);

    ResmapReadRequest(Buffer, &request);
    status = ResmapCheckOrdinaryRequest(&request);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = ResmapResolveMapRequest(Session, &request, &pageSet, &subRange);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    status = ResmapPrepareMapping(Session, RESMAP_OBJECT_ORDINARY_MAPPING, pageSet, &subRange, &mapping, &mdl);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    address = ResmapMapMdlOrdinary(pageSet, mdl, request.CachingType);
    if (address == NULL) {
        IoFreeMdl(mdl);
        ResmapObjectFree(mapping);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    ResmapRecordMapping(Session, mapping, pageSet, NULL, mdl, address, &subRange, request.CachingType);
    ResmapWriteObjectReply(mapping, Buffer, BytesReturned);
    return STATUS_SUCCESS;
}

/*
 * ResmapUnmapOrdinary - IOCTL_RESMAP_UNMAP_ORDINARY.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapUnmapOrdinary(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_HANDLE_IN request;
    PRESMAP_OBJECT mapping;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);
    UNREFERENCED_PARAMETER(BytesReturned);

    ResmapReadRequest(Buffer, &request);
    mapping = ResmapObjectLookup(Session, request.Handle, RESMAP_OBJECT_ORDINARY_MAPPING);
    if (mapping == NULL) {
        return STATUS_INVALID_HANDLE;
    }

    ResmapMappingDestroy(Session, mapping);
    return STATUS_SUCCESS;
}

/*
 * ResmapMappingDestroy - see core_internal.h.
 * The unmap comes first and IoFreeMdl after it: freeing an MDL that is still mapped is a Driver
 * Verifier violation (0xC4/0xB8). The reserved unmap passes the address the map returned, with the
 * reservation's tag and the very MDL that was mapped, as the kernel requires.
 */
_Use_decl_annotations_
VOID
ResmapMappingDestroy(
    PRESMAP_SESSION Session,
    PRESMAP_OBJECT Mapping
    )
{
    RESMAP_MAPPING *mapping;

    PAGED_CODE();

    mapping = &Mapping->u.Mapping;
    if (mapping->Reservation != NULL) {
        MmUnmapReservedMapping(mapping->Address, mapping->Reservation->u.Reservation.PoolTag, mapping->Mdl);
        mapping->Reservation->MappingCount--;
    } else {
        MmUnmapLockedPages(mapping->Address, mapping->Mdl);
    }
    IoFreeMdl(mapping->Mdl);
    mapping->PageSet->MappingCount--;
    ResmapObjectRetire(Session, Mapping);
}
