/*
 * resmap_core.h - the portable driver core's entry points.
 *
 * The core owns everything that matters (sessions, handles, validation, quotas, state machines,
 * cleanup) and knows nothing of KMDF, the WDK build or the simulator. Two hosts call it:
 *   - the KMDF layer (native-driver/kmdf), on Windows;
 *   - the simulated I/O manager (native-usermode), on Linux.
 * Both give it the same thing: a device, sessions opened per file object, and METHOD_BUFFERED
 * requests (one system buffer of max(input, output) bytes that holds the input on entry and the
 * output on return).
 */
#ifndef RESMAP_CORE_H
#define RESMAP_CORE_H

#include <wdm.h>
#include "resmap_compat.h"

/* One per device object; holds what is resolved once per kernel (MmAllocateMappingAddressEx). */
typedef struct _RESMAP_DEVICE RESMAP_DEVICE, *PRESMAP_DEVICE;

/* One per open file object; owns every object the handle created. */
typedef struct _RESMAP_SESSION RESMAP_SESSION, *PRESMAP_SESSION;

/*
 * ResmapCoreDeviceCreate - allocates the device state and resolves optional kernel routines.
 * IRQL: PASSIVE_LEVEL. Returns STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES.
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
ResmapCoreDeviceCreate(
    _Outptr_ PRESMAP_DEVICE *Device
    );

/*
 * ResmapCoreDeviceDelete - frees the device state. Every session must have been closed.
 * IRQL: PASSIVE_LEVEL.
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID
ResmapCoreDeviceDelete(
    _In_ PRESMAP_DEVICE Device
    );

/*
 * ResmapCoreSessionOpen - opens a session for a new file object.
 * IRQL: PASSIVE_LEVEL. Returns STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES.
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
ResmapCoreSessionOpen(
    _In_ PRESMAP_DEVICE Device,
    _Outptr_ PRESMAP_SESSION *Session
    );

/*
 * ResmapCoreSessionCleanup - unmaps, unlocks, frees and releases every object of the session, in an
 * order that cannot bugcheck. Called from IRP_MJ_CLEANUP, which runs in the context of the process
 * that owns the handle: locked user pages must be unlocked there, before that process exits.
 * The session stays valid (and empty) until ResmapCoreSessionClose.
 * IRQL: PASSIVE_LEVEL.
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID
ResmapCoreSessionCleanup(
    _In_ PRESMAP_SESSION Session
    );

/*
 * ResmapCoreSessionClose - frees the session. Cleans up first if the host did not.
 * IRQL: PASSIVE_LEVEL.
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID
ResmapCoreSessionClose(
    _In_ PRESMAP_SESSION Session
    );

/*
 * ResmapCoreDispatch - carries out one device-control request.
 *   IoControlCode       an IOCTL_RESMAP_* code (others: STATUS_INVALID_DEVICE_REQUEST)
 *   SystemBuffer        max(InputBufferLength, OutputBufferLength) bytes; input on entry, output on
 *                       return; may be NULL when both lengths are 0
 *   BytesReturned       set to the number of output bytes written (0 on failure)
 * Returns one of the statuses listed in resmap_protocol.h.
 * IRQL: PASSIVE_LEVEL, in the context of the requesting process (IOCTL_RESMAP_LOCK_USER_BUFFER
 * probes and locks the caller's pages).
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
ResmapCoreDispatch(
    _In_ PRESMAP_SESSION Session,
    _In_ ULONG IoControlCode,
    _Inout_updates_bytes_opt_(InputBufferLength > OutputBufferLength ? InputBufferLength : OutputBufferLength)
        PVOID SystemBuffer,
    _In_ ULONG InputBufferLength,
    _In_ ULONG OutputBufferLength,
    _Out_ PULONG_PTR BytesReturned
    );

/*
 * ResmapProbeAndLockPages - MmProbeAndLockPages with its exceptions turned into a status.
 * Only the real kernel can catch the exceptions MmProbeAndLockPages raises (structured exception
 * handling), so this one function lives outside the core: in the kernel-only layer on Windows
 * (native-driver/kmdf/probe.c) and in the simulator on Linux.
 * Returns STATUS_SUCCESS, or the exception code (typically STATUS_ACCESS_VIOLATION).
 * IRQL: <= APC_LEVEL for pageable (user) memory.
 */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
ResmapProbeAndLockPages(
    _Inout_ PMDL Mdl,
    _In_ KPROCESSOR_MODE AccessMode,
    _In_ LOCK_OPERATION Operation
    );

#endif /* RESMAP_CORE_H */
