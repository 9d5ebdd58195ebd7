/*
 * object_reply.c - the reply of every request that creates an object.
 */
#include "core_internal.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapWriteObjectReply)
#endif

/*
 * ResmapWriteObjectReply - see core_internal.h.
 * Built in a zeroed local and copied whole, so no byte of the reply is left from the request.
 */
_Use_decl_annotations_
VOID
ResmapWriteObjectReply(
    const RESMAP_OBJECT *Object,
    PVOID Buffer,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_OBJECT_OUT reply;

    PAGED_CODE();

    RtlZeroMemory(&reply, sizeof(reply));
    reply.Handle = Object->Handle;
    reply.Bytes = Object->Bytes;
    reply.Offset = Object->Offset;
    reply.Pages = Object->Pages;
    RtlCopyMemory(Buffer, &reply, sizeof(reply));
    *BytesReturned = sizeof(reply);
}
