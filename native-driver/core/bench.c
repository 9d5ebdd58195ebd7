/*
 * bench.c - IOCTL_RESMAP_BENCH: times map + unmap cycles of one page set sub-range inside the driver,
 * on the reserved path and the ordinary one, with KeQueryPerformanceCounter. What it answers on
 * Windows is what a reserved mapping saves over an ordinary one with no user/kernel transition, no I/O
 * manager and no handle table in the measurement; on the simulator it measures the simulator.
 *
 * The request is validated by the very helpers the map handlers use (mapping.c), so it is refused
 * exactly where a map would be. Each path maps a partial MDL of its own, built by ResmapPrepareMapping
 * as for a map request, so that an MDL only ever alternates between one kind of map and its unmap (the
 * map handlers, too, never map one MDL with both calls); each map is unmapped before the next: nothing
 * outlives the request, and the session's objects, quotas and handles are as they were (the
 * unpublished mapping objects only hold an object slot for the length of the request, so a session at
 * its object quota is refused as a map would be).
 *
 * The two paths alternate cycle by cycle, reserved first, so that both see the same machine state,
 * and the loop ends after Iterations cycles or after the first cycle that ends past the time budget:
 * the session lock is held throughout, and the bounds keep that hold short.
 */
#include "core_internal.h"

/* The paths, as indexes of the partial MDLs and mapping objects a bench prepares. */
#define RESMAP_BENCH_PATH_RESERVED  0
#define RESMAP_BENCH_PATH_ORDINARY  1
#define RESMAP_BENCH_PATHS          2

static
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapCheckBenchRequest(
    _In_ const RESMAP_BENCH_IN *Request
    );

static
_IRQL_requires_max_(APC_LEVEL)
_Must_inspect_result_
NTSTATUS
ResmapBenchLoop(
    _In_ const RESMAP_BENCH_IN *Request,
    _In_ const RESMAP_OBJECT *PageSet,
    _In_opt_ const RESMAP_OBJECT *Reservation,
    _In_reads_(RESMAP_BENCH_PATHS) PMDL *Mdls,
    _Inout_ RESMAP_BENCH_OUT *Reply
    );

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, ResmapCheckBenchRequest)
#pragma alloc_text(PAGE, ResmapBenchLoop)
#pragma alloc_text(PAGE, ResmapBench)
#endif

/*
 * ResmapCheckBenchRequest - the bench's own fields: a known, non-empty set of paths, an iteration
 * count and a budget within the driver's bounds, Reserved 0; and for the ordinary path alone, the map
 * request an ordinary map would accept.
 */
static
_Use_decl_annotations_
NTSTATUS
ResmapCheckBenchRequest(
    const RESMAP_BENCH_IN *Request
    )
{
    PAGED_CODE();

    if (Request->Flags == 0 || (Request->Flags & ~RESMAP_BENCH_VALID_FLAGS) != 0 || Request->Reserved != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Request->Iterations == 0 || Request->Iterations > RESMAP_MAX_BENCH_ITERATIONS ||
        Request->BudgetMicroseconds > RESMAP_MAX_BENCH_MICROSECONDS) {
        return STATUS_INVALID_PARAMETER;
    }
    if ((Request->Flags & RESMAP_BENCH_RESERVED) == 0) {
        return ResmapCheckOrdinaryRequest(&Request->Map);
    }
    return STATUS_SUCCESS;
}

/* Adds one cycle's ticks to a path's total, minimum and maximum. */
static __inline
VOID
ResmapBenchAccount(
    _Inout_ UINT64 *Total,
    _Inout_ UINT64 *Min,
    _Inout_ UINT64 *Max,
    _In_ UINT64 Ticks
    )
{
    *Total += Ticks;
    if (Ticks < *Min) {
        *Min = Ticks;
    }
    if (Ticks > *Max) {
        *Max = Ticks;
    }
}

/*
 * ResmapBenchLoop - the timed cycles. A map call that returns NULL ends the loop with the status the
 * map handlers give it (nothing is mapped then: the previous cycle unmapped). Each cycle is timed
 * from just before its map call to just after its unmap call.
 */
static
_Use_decl_annotations_
NTSTATUS
ResmapBenchLoop(
    const RESMAP_BENCH_IN *Request,
    const RESMAP_OBJECT *PageSet,
    const RESMAP_OBJECT *Reservation,
    PMDL *Mdls,
    RESMAP_BENCH_OUT *Reply
    )
{
    LARGE_INTEGER frequency;
    UINT64 start;
    UINT64 before;
    UINT64 now;
    UINT64 budgetTicks;
    ULONG budgetMicroseconds;
    ULONG cycles;
    PVOID address;

    PAGED_CODE();

    start = (UINT64)KeQueryPerformanceCounter(&frequency).QuadPart;
    budgetMicroseconds = Request->BudgetMicroseconds != 0 ? Request->BudgetMicroseconds
                                                          : RESMAP_MAX_BENCH_MICROSECONDS;
    /* No overflow: the frequency is far below 2^64 / RESMAP_MAX_BENCH_MICROSECONDS (1.8e13 Hz). */
    budgetTicks = (UINT64)frequency.QuadPart * budgetMicroseconds / 1000000u;
    Reply->Frequency = (UINT64)frequency.QuadPart;
    Reply->ReservedMinTicks = MAXULONG64;
    Reply->OrdinaryMinTicks = MAXULONG64;
    now = start;

    for (cycles = 0; cycles < Request->Iterations;) {
        if ((Request->Flags & RESMAP_BENCH_RESERVED) != 0) {
            before = (UINT64)KeQueryPerformanceCounter(NULL).QuadPart;
            address = ResmapMapMdlReserved(Reservation, &Request->Map, Mdls[RESMAP_BENCH_PATH_RESERVED]);
            if (address == NULL) {
                return STATUS_UNSUCCESSFUL;
            }
            MmUnmapReservedMapping(address, Request->Map.PoolTag, Mdls[RESMAP_BENCH_PATH_RESERVED]);
            now = (UINT64)KeQueryPerformanceCounter(NULL).QuadPart;
            ResmapBenchAccount(&Reply->ReservedTotalTicks, &Reply->ReservedMinTicks, &Reply->ReservedMaxTicks,
                               now - before);
        }
        if ((Request->Flags & RESMAP_BENCH_ORDINARY) != 0) {
            before = (UINT64)KeQueryPerformanceCounter(NULL).QuadPart;
            address = ResmapMapMdlOrdinary(PageSet, Mdls[RESMAP_BENCH_PATH_ORDINARY], Request->Map.CachingType);
            if (address == NULL) {
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            MmUnmapLockedPages(address, Mdls[RESMAP_BENCH_PATH_ORDINARY]);
            now = (UINT64)KeQueryPerformanceCounter(NULL).QuadPart;
            ResmapBenchAccount(&Reply->OrdinaryTotalTicks, &Reply->OrdinaryMinTicks, &Reply->OrdinaryMaxTicks,
                               now - before);
        }
        cycles++;
        if (cycles < Request->Iterations && now - start >= budgetTicks) {
            Reply->Flags |= RESMAP_BENCH_BUDGET_SPENT;
            break;
        }
    }

    if ((Request->Flags & RESMAP_BENCH_RESERVED) == 0) {
        Reply->ReservedMinTicks = 0;
    }
    if ((Request->Flags & RESMAP_BENCH_ORDINARY) == 0) {
        Reply->OrdinaryMinTicks = 0;
    }
    Reply->Cycles = cycles;
    Reply->ElapsedTicks = now - start;
    return STATUS_SUCCESS;
}

/*
 * ResmapBench - IOCTL_RESMAP_BENCH. Refuses what its map request would be refused (and in the same
 * order), then the bench's bounds; the reply is written only on success and holds ticks and counts,
 * never an address.
 * IRQL: APC_LEVEL, session lock held.
 */
_Use_decl_annotations_
NTSTATUS
ResmapBench(
    PRESMAP_SESSION Session,
    PVOID Buffer,
    ULONG InputLength,
    ULONG OutputLength,
    PULONG_PTR BytesReturned
    )
{
    RESMAP_BENCH_IN request;
    RESMAP_BENCH_OUT reply;
    RESMAP_SUB_RANGE subRange;
    PRESMAP_OBJECT pageSet;
    PRESMAP_OBJECT reservation = NULL;
    PRESMAP_OBJECT slots[RESMAP_BENCH_PATHS] = { NULL, NULL };
    PMDL mdls[RESMAP_BENCH_PATHS] = { NULL, NULL };
    BOOLEAN reserved;
    ULONG path;
    NTSTATUS status;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(OutputLength);

    ResmapReadRequest(Buffer, &request);
    status = ResmapCheckBenchRequest(&request);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    reserved = (request.Flags & RESMAP_BENCH_RESERVED) != 0;
    status = ResmapResolveMapRequest(Session, &request.Map, &pageSet, &subRange);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (reserved) {
        status = ResmapResolveReservedTarget(Session, &request.Map, subRange.Pages, &reservation);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    status = STATUS_SUCCESS;
    if (reserved) {
        status = ResmapPrepareMapping(Session, RESMAP_OBJECT_RESERVED_MAPPING, pageSet, &subRange,
                                      &slots[RESMAP_BENCH_PATH_RESERVED], &mdls[RESMAP_BENCH_PATH_RESERVED]);
    }
    if (NT_SUCCESS(status) && (request.Flags & RESMAP_BENCH_ORDINARY) != 0) {
        status = ResmapPrepareMapping(Session, RESMAP_OBJECT_ORDINARY_MAPPING, pageSet, &subRange,
                                      &slots[RESMAP_BENCH_PATH_ORDINARY], &mdls[RESMAP_BENCH_PATH_ORDINARY]);
    }

    if (NT_SUCCESS(status)) {
        RtlZeroMemory(&reply, sizeof(reply));
        reply.Flags = request.Flags;
        reply.Pages = subRange.Pages;
        status = ResmapBenchLoop(&request, pageSet, reservation, mdls, &reply);
    }

    /* The loop always unmapped what it mapped: the MDLs are free of mappings, as IoFreeMdl requires. */
    for (path = 0; path < RESMAP_BENCH_PATHS; path++) {
        if (mdls[path] != NULL) {
            IoFreeMdl(mdls[path]);
            ResmapObjectFree(slots[path]);
        }
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    RtlCopyMemory(Buffer, &reply, sizeof(reply));
    *BytesReturned = sizeof(reply);
    return STATUS_SUCCESS;
}
