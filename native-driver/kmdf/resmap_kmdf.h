/*
 * resmap_kmdf.h - the KMDF layer's contexts and callbacks.
 *
 * The KMDF layer is the only Windows-specific part of resmap.sys: it creates the control device,
 * turns file objects into core sessions, hands device-control requests to the core, and tells the
 * core when a process exits
 * (native-driver/core). Everything that matters (validation, state, cleanup order) is in the core.
 */
#ifndef RESMAP_KMDF_H
#define RESMAP_KMDF_H

#include <ntddk.h>
#include <wdf.h>

#include "resmap_protocol.h"
#include "resmap_core.h"

/* Per control device: the core's device state, created with the device and freed with it, and
 * whether the process-notify routine that reports to it is registered. */
typedef struct _RESMAP_DEVICE_CONTEXT {
    PRESMAP_DEVICE CoreDevice;
    BOOLEAN ProcessNotifyRegistered;
} RESMAP_DEVICE_CONTEXT, *PRESMAP_DEVICE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(RESMAP_DEVICE_CONTEXT, ResmapGetDeviceContext)

/* Per file object (one per CreateFile): the core session that owns the handle's objects. */
typedef struct _RESMAP_FILE_CONTEXT {
    PRESMAP_SESSION Session;
} RESMAP_FILE_CONTEXT, *PRESMAP_FILE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(RESMAP_FILE_CONTEXT, ResmapGetFileContext)

/* driver.c */
DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_UNLOAD ResmapEvtDriverUnload;
EVT_WDF_OBJECT_CONTEXT_CLEANUP ResmapEvtDeviceCleanup;

/* io.c */
EVT_WDF_DEVICE_FILE_CREATE ResmapEvtDeviceFileCreate;
EVT_WDF_FILE_CLEANUP ResmapEvtFileCleanup;
EVT_WDF_FILE_CLOSE ResmapEvtFileClose;
EVT_WDF_IO_IN_CALLER_CONTEXT ResmapEvtIoInCallerContext;

#endif /* RESMAP_KMDF_H */
