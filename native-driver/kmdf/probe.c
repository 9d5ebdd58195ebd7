/*
 * probe.c - ResmapProbeAndLockPages for the real kernel.
 *
 * MmProbeAndLockPages reports a bad or inaccessible buffer by raising an exception, which only
 * structured exception handling can catch. The portable core cannot contain __try/__except (the
 * simulator is built with gcc), so it calls this function, declared in resmap_core.h; the simulator
 * has its own. This file needs only wdm.h, so Linux CI compile-checks it with clang and mingw-w64.
 */
#include "resmap_core.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapProbeAndLockPages)
#endif

/*
 * ResmapProbeAndLockPages - probes and locks the pages an MDL describes.
 *   Mdl           an MDL built over the buffer (IoAllocateMdl), not yet locked, not partial
 *   AccessMode    UserMode for a caller's buffer: the probe then refuses kernel addresses
 *   Operation     IoReadAccess, IoWriteAccess or IoModifyAccess
 * Returns STATUS_SUCCESS with the pages locked, or the exception's code (typically
 * STATUS_ACCESS_VIOLATION) with nothing locked.
 * IRQL: <= APC_LEVEL; in the context of the process that owns the buffer.
 */
_Use_decl_annotations_
NTSTATUS
ResmapProbeAndLockPages(
    PMDL Mdl,
    KPROCESSOR_MODE AccessMode,
    LOCK_OPERATION Operation
    )
{
    NTSTATUS status = STATUS_SUCCESS;

    PAGED_CODE();

    __try {
        MmProbeAndLockPages(Mdl, AccessMode, Operation);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }

    return status;
}
