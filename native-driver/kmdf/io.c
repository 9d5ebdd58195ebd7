/*
 * io.c - file objects become core sessions; device-control requests go to the core.
 *
 * Every request is completed here, synchronously, with the status and byte count the core returns,
 * in the thread that sent it (the in-caller-context callback): IOCTL_RESMAP_LOCK_USER_BUFFER must
 * lock the caller's own pages, and the core refuses a session's requests from any process other
 * than the one that opened it, which it can only tell in the requesting thread. No request is
 * queued, so the device has no I/O queue.
 */
#include "resmap_kmdf.h"

static
VOID
ResmapDispatchRequest(
    _In_ WDFREQUEST Request,
    _In_ ULONG IoControlCode,
    _In_ size_t InputBufferLength,
    _In_ size_t OutputBufferLength
    );

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapEvtDeviceFileCreate)
#pragma alloc_text(PAGE, ResmapEvtFileCleanup)
#pragma alloc_text(PAGE, ResmapEvtFileClose)
#pragma alloc_text(PAGE, ResmapEvtIoInCallerContext)
#pragma alloc_text(PAGE, ResmapDispatchRequest)
#endif

/*
 * ResmapEvtDeviceFileCreate - opens a core session for a new handle to \\.\ResMap.
 *   Device        the control device
 *   Request       the create request; completed here
 *   FileObject    the new file object; its context receives the session
 * Completes the request with STATUS_SUCCESS or the core's status (then no handle is created).
 * IRQL: PASSIVE_LEVEL (the framework calls file-object callbacks only there).
 */
_Use_decl_annotations_
VOID
ResmapEvtDeviceFileCreate(
    WDFDEVICE Device,
    WDFREQUEST Request,
    WDFFILEOBJECT FileObject
    )
{
    PRESMAP_SESSION session;
    NTSTATUS status;

    PAGED_CODE();

    status = ResmapCoreSessionOpen(ResmapGetDeviceContext(Device)->CoreDevice, &session);
    if (NT_SUCCESS(status)) {
        ResmapGetFileContext(FileObject)->Session = session;
    }
    WdfRequestComplete(Request, status);
}

/*
 * ResmapEvtFileCleanup - releases everything the handle created, when its last user handle closes.
 *   FileObject    the file object being cleaned up
 * This runs in the process that closes the handle (or in the exiting process), which is where the
 * user pages it locked must be unlocked: a process that exits with locked pages bugchecks (0x76).
 * IRQL: PASSIVE_LEVEL.
 */
_Use_decl_annotations_
VOID
ResmapEvtFileCleanup(
    WDFFILEOBJECT FileObject
    )
{
    PRESMAP_SESSION session;

    PAGED_CODE();

    session = ResmapGetFileContext(FileObject)->Session;
    if (session != NULL) {
        ResmapCoreSessionCleanup(session);
    }
}

/*
 * ResmapEvtFileClose - frees the session when the file object's last reference goes.
 *   FileObject    the file object being closed
 * IRQL: PASSIVE_LEVEL.
 */
_Use_decl_annotations_
VOID
ResmapEvtFileClose(
    WDFFILEOBJECT FileObject
    )
{
    PRESMAP_FILE_CONTEXT fileContext;

    PAGED_CODE();

    fileContext = ResmapGetFileContext(FileObject);
    if (fileContext->Session != NULL) {
        ResmapCoreSessionClose(fileContext->Session);
        fileContext->Session = NULL;
    }
}

/*
 * ResmapEvtIoInCallerContext - carries out every request, in the requesting thread.
 *   Device     the control device
 *   Request    the request; always completed here
 * Device-control requests go to the core; any other request type (read, write, ...) is refused.
 * IRQL: PASSIVE_LEVEL. The callback's role type allows DISPATCH_LEVEL, because a driver lower in a
 * stack can be called at DISPATCH_LEVEL; resmap is a top-level driver of its own control device, and
 * a user-mode thread's request reaches it at PASSIVE_LEVEL, where the core must run. Code Analysis
 * cannot know that and reports PAGED_CODE() here (C28118); Microsoft's samples suppress it the same
 * way for callbacks that run at PASSIVE_LEVEL (general/toaster/.../sideband/filter.c).
 */
#pragma warning(push)
#pragma warning(disable: 28118) /* runs at PASSIVE_LEVEL: see above */
_Use_decl_annotations_
VOID
ResmapEvtIoInCallerContext(
    WDFDEVICE Device,
    WDFREQUEST Request
    )
{
    WDF_REQUEST_PARAMETERS params;

    UNREFERENCED_PARAMETER(Device);

    PAGED_CODE();

    WDF_REQUEST_PARAMETERS_INIT(&params);
    WdfRequestGetParameters(Request, &params);

    if (params.Type != WdfRequestTypeDeviceControl) {
        WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
        return;
    }
    ResmapDispatchRequest(Request,
                          params.Parameters.DeviceIoControl.IoControlCode,
                          params.Parameters.DeviceIoControl.InputBufferLength,
                          params.Parameters.DeviceIoControl.OutputBufferLength);
}
#pragma warning(pop)

/*
 * ResmapDispatchRequest - hands one METHOD_BUFFERED request to the core and completes it.
 *   Request               the request; always completed
 *   IoControlCode         the IOCTL code
 *   InputBufferLength     bytes of input in the system buffer
 *   OutputBufferLength    bytes the caller can receive from the system buffer
 * The system buffer is retrieved with exactly the caller's lengths as minimums, so the core is never
 * told a buffer is longer than it is; the core checks each IOCTL's own minimum sizes.
 * IRQL: PASSIVE_LEVEL.
 */
static
VOID
ResmapDispatchRequest(
    _In_ WDFREQUEST Request,
    _In_ ULONG IoControlCode,
    _In_ size_t InputBufferLength,
    _In_ size_t OutputBufferLength
    )
{
    PRESMAP_SESSION session;
    PVOID inputBuffer = NULL;
    PVOID outputBuffer = NULL;
    ULONG_PTR bytesReturned = 0;
    NTSTATUS status = STATUS_SUCCESS;

    PAGED_CODE();

    session = ResmapGetFileContext(WdfRequestGetFileObject(Request))->Session;

    /* METHOD_BUFFERED: input and output are one system buffer of max(input, output) bytes. */
    if (InputBufferLength != 0) {
        status = WdfRequestRetrieveInputBuffer(Request, InputBufferLength, &inputBuffer, NULL);
    }
    if (NT_SUCCESS(status) && OutputBufferLength != 0) {
        status = WdfRequestRetrieveOutputBuffer(Request, OutputBufferLength, &outputBuffer, NULL);
    }

    if (NT_SUCCESS(status)) {
        /* The I/O manager's lengths are ULONGs, so the casts lose nothing. */
        status = ResmapCoreDispatch(session,
                                    IoControlCode,
                                    inputBuffer != NULL ? inputBuffer : outputBuffer,
                                    (ULONG)InputBufferLength,
                                    (ULONG)OutputBufferLength,
                                    &bytesReturned);
    }

    /* The I/O manager copies Information bytes out of the system buffer: more than the caller's
     * output length would disclose kernel pool. The core never reports that; this keeps it so. */
    NT_ASSERT(bytesReturned <= OutputBufferLength);
    if (bytesReturned > OutputBufferLength) {
        status = STATUS_UNSUCCESSFUL;
        bytesReturned = 0;
    }

    WdfRequestCompleteWithInformation(Request, status, bytesReturned);
}
