/*
 * device.c - the core's per-device state: what is resolved once per kernel, and session tags.
 */
#include "core_internal.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapCoreDeviceCreate)
#pragma alloc_text(PAGE, ResmapCoreDeviceDelete)
#endif

/*
 * ResmapCoreDeviceCreate - see resmap_core.h.
 * MmAllocateMappingAddressEx is looked up by name rather than imported, so that the same core runs on
 * the simulator's models of kernels older than Windows 10 2004 (8.1, 10 1507), where divisible
 * reservations are then reported as not supported. resmap.sys itself needs 2004 or later: it imports
 * ExAllocatePool2.
 */
_Use_decl_annotations_
NTSTATUS
ResmapCoreDeviceCreate(
    PRESMAP_DEVICE *Device
    )
{
    PRESMAP_DEVICE device;
    UNICODE_STRING routineName;

    PAGED_CODE();

    *Device = NULL;
    device = (PRESMAP_DEVICE)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*device), RESMAP_CORE_POOL_TAG);
    if (device == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    ExInitializeFastMutex(&device->Lock);
    device->NextSessionTag = 1;
    InitializeListHead(&device->Sessions);

    RtlInitUnicodeString(&routineName, L"MmAllocateMappingAddressEx");
    device->AllocateMappingAddressEx =
        (PRESMAP_ALLOCATE_MAPPING_ADDRESS_EX)MmGetSystemRoutineAddress(&routineName);

    *Device = device;
    return STATUS_SUCCESS;
}

/*
 * ResmapCoreDeviceDelete - see resmap_core.h.
 */
_Use_decl_annotations_
VOID
ResmapCoreDeviceDelete(
    PRESMAP_DEVICE Device
    )
{
    PAGED_CODE();

    NT_ASSERT(IsListEmpty(&Device->Sessions));
    ExFreePoolWithTag(Device, RESMAP_CORE_POOL_TAG);
}
