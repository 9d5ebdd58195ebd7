/*
 * driver.c - resmap.sys entry point: the non-PnP driver object, its control device and the queue.
 *
 * resmap.sys is a non-PnP (legacy-style) KMDF driver: it is started as a kernel service, owns no
 * hardware and exposes one control device, \Device\ResMap (\\.\ResMap), that only SYSTEM and
 * administrators may open.
 */
#include "resmap_kmdf.h"

/* SYSTEM and built-in administrators: all access; nobody else; not inheritable (P). */
static const UNICODE_STRING ResmapDeviceSddl = RTL_CONSTANT_STRING(L"D:P(A;;GA;;;SY)(A;;GA;;;BA)");

static
NTSTATUS
ResmapCreateControlDevice(
    _In_ WDFDRIVER Driver
    );

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, ResmapCreateControlDevice)
#pragma alloc_text(PAGE, ResmapEvtDriverUnload)
#pragma alloc_text(PAGE, ResmapEvtDeviceCleanup)
#endif

/*
 * DriverEntry - creates the framework driver object (non-PnP, unloadable) and the control device.
 *   DriverObject    the driver object the I/O manager created for resmap.sys
 *   RegistryPath    the service key (HKLM\SYSTEM\CurrentControlSet\Services\resmap)
 * Returns STATUS_SUCCESS, or the failing call's status (the driver is then not loaded).
 * IRQL: PASSIVE_LEVEL.
 */
_Use_decl_annotations_
NTSTATUS
DriverEntry(
    PDRIVER_OBJECT DriverObject,
    PUNICODE_STRING RegistryPath
    )
{
    WDF_DRIVER_CONFIG config;
    WDFDRIVER driver;
    NTSTATUS status;

    WDF_DRIVER_CONFIG_INIT(&config, WDF_NO_EVENT_CALLBACK);
    config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
    /* A non-PnP KMDF driver without an unload callback can never be stopped (sc stop). */
    config.EvtDriverUnload = ResmapEvtDriverUnload;

    status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, &driver);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "resmap: WdfDriverCreate failed 0x%08X\n",
                   (ULONG)status);
        return status;
    }

    /* On failure the framework deletes the driver object, and with it anything created here. */
    status = ResmapCreateControlDevice(driver);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "resmap: control device not created 0x%08X\n",
                   (ULONG)status);
    }
    return status;
}

/*
 * ResmapCreateControlDevice - creates \Device\ResMap with its symbolic link, file-object callbacks,
 * in-caller-context callback and default queue, and the core's device state.
 *   Driver    the framework driver object
 * Returns STATUS_SUCCESS or the failing call's status; on failure nothing created here is left.
 * IRQL: PASSIVE_LEVEL.
 */
static
NTSTATUS
ResmapCreateControlDevice(
    _In_ WDFDRIVER Driver
    )
{
    DECLARE_CONST_UNICODE_STRING(ntName, RESMAP_NT_DEVICE_NAME);
    DECLARE_CONST_UNICODE_STRING(dosName, RESMAP_DOS_DEVICE_NAME);
    PWDFDEVICE_INIT deviceInit;
    WDF_FILEOBJECT_CONFIG fileConfig;
    WDF_OBJECT_ATTRIBUTES fileAttributes;
    WDF_OBJECT_ATTRIBUTES deviceAttributes;
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_OBJECT_ATTRIBUTES queueAttributes;
    PRESMAP_DEVICE coreDevice;
    WDFDEVICE device;
    NTSTATUS status;

    PAGED_CODE();

    deviceInit = WdfControlDeviceInitAllocate(Driver, &ResmapDeviceSddl);
    if (deviceInit == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    WdfDeviceInitSetDeviceType(deviceInit, RESMAP_DEVICE_TYPE);
    /* Without FILE_DEVICE_SECURE_OPEN, opening \\.\ResMap\anything would bypass the device's ACL. */
    WdfDeviceInitSetCharacteristics(deviceInit, FILE_DEVICE_SECURE_OPEN, FALSE);

    status = WdfDeviceInitAssignName(deviceInit, &ntName);
    if (!NT_SUCCESS(status)) {
        WdfDeviceInitFree(deviceInit);
        return status;
    }

    WDF_FILEOBJECT_CONFIG_INIT(&fileConfig, ResmapEvtDeviceFileCreate, ResmapEvtFileClose,
                               ResmapEvtFileCleanup);
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&fileAttributes, RESMAP_FILE_CONTEXT);
    WdfDeviceInitSetFileObjectConfig(deviceInit, &fileConfig, &fileAttributes);

    /* LOCK_USER_BUFFER must probe the caller's pages in the caller's process: see io.c. */
    WdfDeviceInitSetIoInCallerContextCallback(deviceInit, ResmapEvtIoInCallerContext);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&deviceAttributes, RESMAP_DEVICE_CONTEXT);
    deviceAttributes.EvtCleanupCallback = ResmapEvtDeviceCleanup;

    /* On failure the init structure of a control device is still ours to free. */
    status = WdfDeviceCreate(&deviceInit, &deviceAttributes, &device);
    if (!NT_SUCCESS(status)) {
        WdfDeviceInitFree(deviceInit);
        return status;
    }

    /* From here on, deleting the device undoes everything: its cleanup callback frees the core's
     * device state once the context holds it. */
    status = ResmapCoreDeviceCreate(&coreDevice);
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(device);
        return status;
    }
    ResmapGetDeviceContext(device)->CoreDevice = coreDevice;

    status = WdfDeviceCreateSymbolicLink(device, &dosName);
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(device);
        return status;
    }

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoDeviceControl = ResmapEvtIoDeviceControl;
    /* A control device has no power states to follow. */
    queueConfig.PowerManaged = WdfFalse;
    /* The core runs at PASSIVE_LEVEL only; the framework then never calls the queue at DISPATCH. */
    WDF_OBJECT_ATTRIBUTES_INIT(&queueAttributes);
    queueAttributes.ExecutionLevel = WdfExecutionLevelPassive;

    status = WdfIoQueueCreate(device, &queueConfig, &queueAttributes, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(device);
        return status;
    }

    /* Until this call the I/O manager refuses to open the device. */
    WdfControlFinishInitializing(device);
    return STATUS_SUCCESS;
}

/*
 * ResmapEvtDriverUnload - called when the service is stopped.
 *   Driver    the framework driver object
 * The framework deletes the control device after this returns (once its last handle is closed),
 * which frees the core's device state through ResmapEvtDeviceCleanup; nothing else is held.
 * IRQL: PASSIVE_LEVEL.
 */
_Use_decl_annotations_
VOID
ResmapEvtDriverUnload(
    WDFDRIVER Driver
    )
{
    UNREFERENCED_PARAMETER(Driver);

    PAGED_CODE();
}

/*
 * ResmapEvtDeviceCleanup - frees the core's device state when the control device is deleted.
 *   Device    the control device (a WDFDEVICE)
 * Every file object, and so every core session, is gone by then: a file object holds a reference
 * on its device.
 * IRQL: PASSIVE_LEVEL.
 */
_Use_decl_annotations_
VOID
ResmapEvtDeviceCleanup(
    WDFOBJECT Device
    )
{
    PRESMAP_DEVICE_CONTEXT deviceContext;

    PAGED_CODE();

    deviceContext = ResmapGetDeviceContext(Device);
    if (deviceContext->CoreDevice != NULL) {
        ResmapCoreDeviceDelete(deviceContext->CoreDevice);
        deviceContext->CoreDevice = NULL;
    }
}
