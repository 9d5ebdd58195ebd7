/*
 * handle_table.c - a session's objects and the opaque handles that name them.
 *
 * A handle is only ever compared, never dereferenced: it is decoded into a table index and checked
 * against the slot's generation, the session's tag and the object's type before the object is used.
 */
#include "core_internal.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapObjectAllocate)
#pragma alloc_text(PAGE, ResmapObjectPublish)
#pragma alloc_text(PAGE, ResmapObjectRetire)
#pragma alloc_text(PAGE, ResmapObjectFree)
#pragma alloc_text(PAGE, ResmapObjectLookup)
#pragma alloc_text(PAGE, ResmapObjectAt)
#endif

/*
 * ResmapObjectAllocate - see core_internal.h.
 */
_Use_decl_annotations_
NTSTATUS
ResmapObjectAllocate(
    PRESMAP_SESSION Session,
    ULONG Type,
    PRESMAP_OBJECT *Object
    )
{
    PRESMAP_OBJECT object;

    PAGED_CODE();

    *Object = NULL;
    if (Session->ObjectCount >= RESMAP_MAX_OBJECTS) {
        return STATUS_QUOTA_EXCEEDED;
    }

    /* Nonpaged: teardown may touch objects at APC_LEVEL, and the block is small. */
    object = (PRESMAP_OBJECT)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*object), RESMAP_CORE_POOL_TAG);
    if (object == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    object->Type = Type;
    *Object = object;
    return STATUS_SUCCESS;
}

/*
 * ResmapObjectPublish - see core_internal.h.
 */
_Use_decl_annotations_
VOID
ResmapObjectPublish(
    PRESMAP_SESSION Session,
    PRESMAP_OBJECT Object
    )
{
    ULONG index;
    RESMAP_HANDLE_SLOT *slot;

    PAGED_CODE();

    for (index = 0; index < RESMAP_MAX_OBJECTS; index++) {
        if (Session->Slots[index].Object == NULL) {
            break;
        }
    }
    NT_ASSERT(index < RESMAP_MAX_OBJECTS);

    slot = &Session->Slots[index];
    if (slot->Generation == 0) {
        slot->Generation = 1;
    }
    slot->Object = Object;
    Object->Handle = ((UINT64)Object->Type << RESMAP_HANDLE_TYPE_SHIFT) |
                     ((UINT64)Session->Tag << RESMAP_HANDLE_SESSION_SHIFT) |
                     ((UINT64)slot->Generation << RESMAP_HANDLE_GENERATION_SHIFT) |
                     (UINT64)index;
    Session->ObjectCount++;
    Session->LiveCount[Object->Type]++;
}

/*
 * ResmapObjectRetire - see core_internal.h.
 */
_Use_decl_annotations_
VOID
ResmapObjectRetire(
    PRESMAP_SESSION Session,
    PRESMAP_OBJECT Object
    )
{
    RESMAP_HANDLE_SLOT *slot;

    PAGED_CODE();

    slot = &Session->Slots[Object->Handle & RESMAP_HANDLE_INDEX_MASK];
    NT_ASSERT(slot->Object == Object);
    slot->Object = NULL;

    /* A new generation makes every copy of the old handle stale; 0 is skipped so that no valid
     * handle has a zero generation. */
    slot->Generation = (slot->Generation + 1) & RESMAP_HANDLE_FIELD_MASK;
    if (slot->Generation == 0) {
        slot->Generation = 1;
    }
    Session->ObjectCount--;
    Session->LiveCount[Object->Type]--;
    ResmapObjectFree(Object);
}

/*
 * ResmapObjectFree - see core_internal.h.
 */
_Use_decl_annotations_
VOID
ResmapObjectFree(
    PRESMAP_OBJECT Object
    )
{
    PAGED_CODE();

    ExFreePoolWithTag(Object, RESMAP_CORE_POOL_TAG);
}

/*
 * ResmapObjectLookup - see core_internal.h.
 */
_Use_decl_annotations_
PRESMAP_OBJECT
ResmapObjectLookup(
    PRESMAP_SESSION Session,
    UINT64 Handle,
    ULONG Type
    )
{
    ULONG handleType;
    ULONG sessionTag;
    ULONG generation;
    RESMAP_HANDLE_SLOT *slot;

    PAGED_CODE();

    handleType = (ULONG)(Handle >> RESMAP_HANDLE_TYPE_SHIFT);
    sessionTag = (ULONG)(Handle >> RESMAP_HANDLE_SESSION_SHIFT) & RESMAP_HANDLE_FIELD_MASK;
    generation = (ULONG)(Handle >> RESMAP_HANDLE_GENERATION_SHIFT) & RESMAP_HANDLE_FIELD_MASK;
    slot = &Session->Slots[Handle & RESMAP_HANDLE_INDEX_MASK];

    if (sessionTag != Session->Tag || generation == 0 || generation != slot->Generation ||
        slot->Object == NULL || slot->Object->Handle != Handle) {
        return NULL;
    }
    if (Type != 0 && handleType != Type) {
        return NULL;
    }
    return slot->Object;
}

/*
 * ResmapObjectAt - see core_internal.h.
 */
_Use_decl_annotations_
PRESMAP_OBJECT
ResmapObjectAt(
    PRESMAP_SESSION Session,
    ULONG Index
    )
{
    PAGED_CODE();

    if (Index >= RESMAP_MAX_OBJECTS) {
        return NULL;
    }
    return Session->Slots[Index].Object;
}
