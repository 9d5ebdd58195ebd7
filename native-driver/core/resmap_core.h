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
 * ResmapCoreSessionOpen - opens a session for a new file object, owned by the current process.
 * Only that process's requests are served (ResmapCoreDispatch): a handle duplicated into another
 * process can be closed there, nothing else.
 * IRQL: PASSIVE_LEVEL, in the context of the opening process. Returns STATUS_SUCCESS or
 * STATUS_INSUFFICIENT_RESOURCES.
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
 * ResmapCoreProcessExit - a process is exiting: every session it opened releases everything it holds,
 * in the order ResmapCoreSessionCleanup uses (mappings first), and serves no process from then on.
 * Called from the host's process-exit notification (PsSetCreateProcessNotifyRoutineEx on Windows),
 * which runs in the exiting process before its address space goes: a user buffer can never outlive
 * the process that locked it, even while another process still holds a duplicate of the handle
 * (without this, that process's exit bugchecks with 0x76 PROCESS_HAS_LOCKED_PAGES).
 * IRQL: PASSIVE_LEVEL.
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID
ResmapCoreProcessExit(
    _In_ PRESMAP_DEVICE Device,
    _In_ PEPROCESS Process
    );

/*
 * ResmapCoreDispatch - carries out one device-control request.
 *   IoControlCode       an IOCTL_RESMAP_* code (others: STATUS_INVALID_DEVICE_REQUEST)
 *   SystemBuffer        max(InputBufferLength, OutputBufferLength) bytes; input on entry, output on
 *                       return; may be NULL when both lengths are 0
 *   BytesReturned       set to the number of output bytes written (0 on failure)
 * Returns one of the statuses listed in resmap_protocol.h; STATUS_ACCESS_DENIED for every request
 * from a process other than the session's opener (or after the opener has exited).
 * IRQL: PASSIVE_LEVEL, in the context of the requesting process (the process check, and
 * IOCTL_RESMAP_LOCK_USER_BUFFER probes and locks the caller's pages).
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
