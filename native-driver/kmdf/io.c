/*
 * io.c - file objects become core sessions; device-control requests go to the core.
 *
 * Every request is completed here, synchronously, with the status and byte count the core returns.
 * One request, IOCTL_RESMAP_LOCK_USER_BUFFER, is carried out before it reaches the queue, in the
 * thread of the process that sent it: it locks that process's own pages, and a queue may deliver a
 * request in another thread.
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
#pragma alloc_text(PAGE, ResmapEvtIoDeviceControl)
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
 * ResmapEvtIoInCallerContext - sees every request first, in the requesting thread.
 *   Device     the control device
 *   Request    the request; either completed here or handed to the default queue
 * IOCTL_RESMAP_LOCK_USER_BUFFER is carried out here, where the caller's address space is the current
 * one; every other request is queued and reaches ResmapEvtIoDeviceControl (or is failed by the
 * queue if it is not a device-control request).
 * IRQL: PASSIVE_LEVEL (a top-level driver is called in the thread of the user-mode caller).
 */
_Use_decl_annotations_
VOID
ResmapEvtIoInCallerContext(
    WDFDEVICE Device,
    WDFREQUEST Request
    )
{
    WDF_REQUEST_PARAMETERS params;
    NTSTATUS status;

    PAGED_CODE();

    WDF_REQUEST_PARAMETERS_INIT(&params);
    WdfRequestGetParameters(Request, &params);

    if (params.Type == WdfRequestTypeDeviceControl &&
        params.Parameters.DeviceIoControl.IoControlCode == IOCTL_RESMAP_LOCK_USER_BUFFER) {
        ResmapDispatchRequest(Request,
                              params.Parameters.DeviceIoControl.IoControlCode,
                              params.Parameters.DeviceIoControl.InputBufferLength,
                              params.Parameters.DeviceIoControl.OutputBufferLength);
        return;
    }

    status = WdfDeviceEnqueueRequest(Device, Request);
    if (!NT_SUCCESS(status)) {
        /* A request the framework did not take is still ours to complete. */
        WdfRequestComplete(Request, status);
    }
}

/*
 * ResmapEvtIoDeviceControl - carries out a queued device-control request.
 *   Queue                 the default queue (parallel, PASSIVE_LEVEL)
 *   Request               the request; completed by ResmapDispatchRequest
 *   OutputBufferLength    the caller's output length
 *   InputBufferLength     the caller's input length
 *   IoControlCode         the IOCTL code
 * IRQL: PASSIVE_LEVEL (the queue was created with WdfExecutionLevelPassive).
 */
_Use_decl_annotations_
VOID
ResmapEvtIoDeviceControl(
    WDFQUEUE Queue,
    WDFREQUEST Request,
    size_t OutputBufferLength,
    size_t InputBufferLength,
    ULONG IoControlCode
    )
{
    UNREFERENCED_PARAMETER(Queue);

    PAGED_CODE();

    ResmapDispatchRequest(Request, IoControlCode, InputBufferLength, OutputBufferLength);
}

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
