/*
 * session.c - opening a session per file object, and tearing down everything it holds.
 */
#include "core_internal.h"

static
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapDestroyObjectsOfTypes(
    _In_ PRESMAP_SESSION Session,
    _In_ ULONG FirstType,
    _In_ ULONG SecondType
    );

static
_IRQL_requires_max_(APC_LEVEL)
VOID
ResmapDestroyAllObjects(
    _In_ PRESMAP_SESSION Session
    );

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapCoreSessionOpen)
#pragma alloc_text(PAGE, ResmapCoreSessionCleanup)
#pragma alloc_text(PAGE, ResmapCoreSessionClose)
#pragma alloc_text(PAGE, ResmapCoreProcessExit)
#pragma alloc_text(PAGE, ResmapDestroyObjectsOfTypes)
#pragma alloc_text(PAGE, ResmapDestroyAllObjects)
#endif

/*
 * ResmapCoreSessionOpen - see resmap_core.h.
 */
_Use_decl_annotations_
NTSTATUS
ResmapCoreSessionOpen(
    PRESMAP_DEVICE Device,
    PRESMAP_SESSION *Session
    )
{
    PRESMAP_SESSION session;

    PAGED_CODE();

    *Session = NULL;

    /* Nonpaged: the session lock and table are used at APC_LEVEL (under the FAST_MUTEX). */
    session = (PRESMAP_SESSION)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*session), RESMAP_CORE_POOL_TAG);
    if (session == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    session->Device = Device;
    session->Process = PsGetCurrentProcess();
    ExInitializeFastMutex(&session->Lock);

    /* Sessions get distinct tags (for 2^24 - 1 opens in a row), so a handle copied from another
     * session never names one of this session's objects. */
    ExAcquireFastMutex(&Device->Lock);
    session->Tag = Device->NextSessionTag;
    Device->NextSessionTag = (Device->NextSessionTag + 1) & RESMAP_HANDLE_FIELD_MASK;
    if (Device->NextSessionTag == 0) {
        Device->NextSessionTag = 1;
    }
    InsertTailList(&Device->Sessions, &session->Link);
    ExReleaseFastMutex(&Device->Lock);

    *Session = session;
    return STATUS_SUCCESS;
}

/*
 * ResmapDestroyObjectsOfTypes - destroys every object of the session whose type is one of the two.
 * IRQL: <= APC_LEVEL, session lock held.
 */
static
_Use_decl_annotations_
VOID
ResmapDestroyObjectsOfTypes(
    PRESMAP_SESSION Session,
    ULONG FirstType,
    ULONG SecondType
    )
{
    ULONG index;
    PRESMAP_OBJECT object;

    PAGED_CODE();

    /* The walk stops once the session holds nothing more, so the cleanup of an empty or nearly empty
     * session does not visit every slot. */
    for (index = 0; index < RESMAP_MAX_OBJECTS && Session->ObjectCount != 0; index++) {
        object = ResmapObjectAt(Session, index);
        if (object == NULL || (object->Type != FirstType && object->Type != SecondType)) {
            continue;
        }
        switch (object->Type) {
        case RESMAP_OBJECT_RESERVED_MAPPING:
        case RESMAP_OBJECT_ORDINARY_MAPPING:
            ResmapMappingDestroy(Session, object);
            break;
        case RESMAP_OBJECT_PAGE_SET:
            ResmapPageSetDestroy(Session, object);
            break;
        default:
            ResmapReservationDestroy(Session, object);
            break;
        }
    }
}

/*
 * ResmapCoreSessionCleanup - see resmap_core.h.
 * The order is the one that can never bugcheck: every mapping is unmapped (and its partial MDL
 * freed) before the pages under it are unlocked or freed (MmUnlockPages would otherwise tear down a
 * mapping the driver still records; freeing mapped frames corrupts the PFN database), and before the
 * reservation it occupies is freed (0xDA/0x103: freeing a mapped range).
 */
_Use_decl_annotations_
VOID
ResmapCoreSessionCleanup(
    PRESMAP_SESSION Session
    )
{
    PAGED_CODE();

    ExAcquireFastMutex(&Session->Lock);
    ResmapDestroyAllObjects(Session);
    ExReleaseFastMutex(&Session->Lock);
}

/*
 * ResmapDestroyAllObjects - destroys every object of the session, mappings first (see
 * ResmapCoreSessionCleanup for why that order). IRQL: APC_LEVEL, session lock held.
 */
static
_Use_decl_annotations_
VOID
ResmapDestroyAllObjects(
    PRESMAP_SESSION Session
    )
{
    PAGED_CODE();

    ResmapDestroyObjectsOfTypes(Session, RESMAP_OBJECT_RESERVED_MAPPING, RESMAP_OBJECT_ORDINARY_MAPPING);
    ResmapDestroyObjectsOfTypes(Session, RESMAP_OBJECT_PAGE_SET, RESMAP_OBJECT_PAGE_SET);
    ResmapDestroyObjectsOfTypes(Session, RESMAP_OBJECT_RESERVATION, RESMAP_OBJECT_RESERVATION);
    NT_ASSERT(Session->ObjectCount == 0);
}

/*
 * ResmapCoreSessionClose - see resmap_core.h.
 */
_Use_decl_annotations_
VOID
ResmapCoreSessionClose(
    PRESMAP_SESSION Session
    )
{
    PAGED_CODE();

    ExAcquireFastMutex(&Session->Device->Lock);
    RemoveEntryList(&Session->Link);
    ExReleaseFastMutex(&Session->Device->Lock);

    ResmapCoreSessionCleanup(Session);
    ExFreePoolWithTag(Session, RESMAP_CORE_POOL_TAG);
}

/*
 * ResmapCoreProcessExit - see resmap_core.h.
 * Holding the device lock keeps every session on the list alive: a session is taken off it, under
 * that lock, before it is freed.
 */
_Use_decl_annotations_
VOID
ResmapCoreProcessExit(
    PRESMAP_DEVICE Device,
    PEPROCESS Process
    )
{
    PLIST_ENTRY entry;
    PRESMAP_SESSION session;

    PAGED_CODE();

    ExAcquireFastMutex(&Device->Lock);
    for (entry = Device->Sessions.Flink; entry != &Device->Sessions; entry = entry->Flink) {
        session = CONTAINING_RECORD(entry, RESMAP_SESSION, Link);
        if (session->Process != Process) {
            continue;
        }
        ExAcquireFastMutex(&session->Lock);
        ResmapDestroyAllObjects(session);
        session->Process = NULL;
        ExReleaseFastMutex(&session->Lock);
    }
    ExReleaseFastMutex(&Device->Lock);
}
