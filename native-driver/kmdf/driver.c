/*
 * driver.c - resmap.sys entry point: the non-PnP driver object, its control device, and the
 * process-exit notification that releases what an exiting process still has locked.
 *
 * resmap.sys is a non-PnP (legacy-style) KMDF driver: it is started as a kernel service, owns no
 * hardware and exposes one control device, \Device\ResMap (\\.\ResMap), that only SYSTEM and
 * administrators may open.
 *
 * It needs Windows 10 version 2004 (build 19041) or later: it imports ExAllocatePool2, which older
 * kernels do not export (the service then fails to start with ERROR_PROC_NOT_FOUND, 127).
 */
#include "resmap_kmdf.h"

/*
 * The core device the process-notify routine reports to. A process-notify routine has no context
 * argument, and there is one control device per driver, so a global is the only way to reach it.
 * Set before the routine is registered, cleared after it is removed (removal waits for callbacks
 * still running), so the routine never sees a device being deleted.
 */
static PRESMAP_DEVICE ResmapNotifyDevice;

/* SYSTEM and built-in administrators: all access; nobody else; not inheritable (P). */
static const UNICODE_STRING ResmapDeviceSddl = RTL_CONSTANT_STRING(L"D:P(A;;GA;;;SY)(A;;GA;;;BA)");

static
NTSTATUS
ResmapCreateControlDevice(
    _In_ WDFDRIVER Driver
    );

static
_IRQL_requires_(PASSIVE_LEVEL)
VOID
ResmapProcessNotify(
    _Inout_ PEPROCESS Process,
    _In_ HANDLE ProcessId,
    _Inout_opt_ PPS_CREATE_NOTIFY_INFO CreateInfo
    );

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, ResmapCreateControlDevice)
#pragma alloc_text(PAGE, ResmapEvtDriverUnload)
#pragma alloc_text(PAGE, ResmapEvtDeviceCleanup)
#pragma alloc_text(PAGE, ResmapProcessNotify)
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
 * ResmapCreateControlDevice - creates \Device\ResMap with its symbolic link, file-object callbacks and
 * in-caller-context callback (which completes every request: the device has no queue), the core's
 * device state, and registers the process-notify routine.
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
    PRESMAP_DEVICE_CONTEXT deviceContext;
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
        /* Static Driver Verifier's InitFreeNull: the freed pointer is never left set. */
        WdfDeviceInitFree(deviceInit);
        deviceInit = NULL;
        return status;
    }

    WDF_FILEOBJECT_CONFIG_INIT(&fileConfig, ResmapEvtDeviceFileCreate, ResmapEvtFileClose,
                               ResmapEvtFileCleanup);
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&fileAttributes, RESMAP_FILE_CONTEXT);
    WdfDeviceInitSetFileObjectConfig(deviceInit, &fileConfig, &fileAttributes);

    /* Every request is carried out in the caller's thread, and so in the caller's process: see io.c. */
    WdfDeviceInitSetIoInCallerContextCallback(deviceInit, ResmapEvtIoInCallerContext);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&deviceAttributes, RESMAP_DEVICE_CONTEXT);
    deviceAttributes.EvtCleanupCallback = ResmapEvtDeviceCleanup;

    /* On failure the init structure of a control device is still ours to free. */
    status = WdfDeviceCreate(&deviceInit, &deviceAttributes, &device);
    if (!NT_SUCCESS(status)) {
        WdfDeviceInitFree(deviceInit);
        deviceInit = NULL;
        return status;
    }

    /* From here on, deleting the device undoes everything: its cleanup callback frees the core's
     * device state once the context holds it. */
    status = ResmapCoreDeviceCreate(&coreDevice);
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(device);
        return status;
    }
    deviceContext = ResmapGetDeviceContext(device);
    deviceContext->CoreDevice = coreDevice;

    status = WdfDeviceCreateSymbolicLink(device, &dosName);
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(device);
        return status;
    }

    /* A process that exits while another process holds a duplicate of its handle would exit with
     * pages still locked (bugcheck 0x76): the notify routine releases them first. It fails with
     * STATUS_ACCESS_DENIED unless the image is linked with /INTEGRITYCHECK (resmap.vcxproj). */
    ResmapNotifyDevice = coreDevice;
    status = PsSetCreateProcessNotifyRoutineEx(ResmapProcessNotify, FALSE);
    if (!NT_SUCCESS(status)) {
        ResmapNotifyDevice = NULL;
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "resmap: PsSetCreateProcessNotifyRoutineEx failed 0x%08X (is the image linked with /INTEGRITYCHECK?)\n",
                   (ULONG)status);
        WdfObjectDelete(device);
        return status;
    }
    deviceContext->ProcessNotifyRegistered = TRUE;

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
 * ResmapEvtDeviceCleanup - removes the process-notify routine and frees the core's device state when
 * the control device is deleted.
 *   Device    the control device (a WDFDEVICE)
 * Every file object, and so every core session, is gone by then: a file object holds a reference
 * on its device.
 * IRQL: PASSIVE_LEVEL. The role type allows DISPATCH_LEVEL because other objects' cleanup callbacks
 * can run there, but the framework cleans up a device object at PASSIVE_LEVEL; Code Analysis cannot
 * know that and reports PAGED_CODE() (C28118), suppressed as Microsoft's samples do
 * (general/toaster/.../sideband/filter.c).
 */
#pragma warning(push)
#pragma warning(disable: 28118) /* a device object is cleaned up at PASSIVE_LEVEL: see above */
_Use_decl_annotations_
VOID
ResmapEvtDeviceCleanup(
    WDFOBJECT Device
    )
{
    PRESMAP_DEVICE_CONTEXT deviceContext;

    PAGED_CODE();

    deviceContext = ResmapGetDeviceContext(Device);
    if (deviceContext->ProcessNotifyRegistered) {
        /* Waits for notify routines still running before it returns. */
        (VOID)PsSetCreateProcessNotifyRoutineEx(ResmapProcessNotify, TRUE);
        deviceContext->ProcessNotifyRegistered = FALSE;
        ResmapNotifyDevice = NULL;
    }
    if (deviceContext->CoreDevice != NULL) {
        ResmapCoreDeviceDelete(deviceContext->CoreDevice);
        deviceContext->CoreDevice = NULL;
    }
}
#pragma warning(pop)

/*
 * ResmapProcessNotify - tells the core that a process exits, so that it releases every user buffer
 * that process locked, unmapping first, even where another process still holds a handle.
 *   Process       the process being created or exiting
 *   ProcessId     its id (unused)
 *   CreateInfo    NULL when the process exits; process creation is of no interest
 * IRQL: PASSIVE_LEVEL, in a critical region, in the context of the process's last thread: its
 * pages can still be unlocked there, before the process's address space is torn down.
 */
static
_Use_decl_annotations_
VOID
ResmapProcessNotify(
    PEPROCESS Process,
    HANDLE ProcessId,
    PPS_CREATE_NOTIFY_INFO CreateInfo
    )
{
    UNREFERENCED_PARAMETER(ProcessId);

    PAGED_CODE();

    if (CreateInfo == NULL && ResmapNotifyDevice != NULL) {
        ResmapCoreProcessExit(ResmapNotifyDevice, Process);
    }
}
