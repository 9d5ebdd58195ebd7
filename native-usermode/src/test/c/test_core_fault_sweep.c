/*
 * test_core_fault_sweep.c - every allocation the driver core and the simulated kernel make, failed in
 * turn (as SQLite tests its malloc failures): for each fault kind, the 1st, 2nd, 3rd ... attempt of
 * that kind within a realistic lifecycle (a fresh machine, so the first open creates the core's
 * device; a session; two reservations, one divisible; allocated pages and a locked user buffer; a
 * reserved mapping, a ring of two, an ordinary one; writes, reads, queries; every object removed;
 * the close), until the lifecycle no longer reaches that attempt. Each point runs in four modes:
 *
 *   retry       the failed request is sent again (the fault was one-shot, so it now succeeds) and the
 *               lifecycle goes on;
 *   continue    the lifecycle goes on without it (what depends on it is refused, STATUS_INVALID_HANDLE);
 *   abandon     the session is closed at once;
 *   persistent  this attempt and every later one of the kind fail, to the end.
 *
 * After every request that fails: its status is the documented one (STATUS_INSUFFICIENT_RESOURCES
 * for an allocation the kernel refused), the session's GET_INFO (live counts, quotas used) and the
 * machine's counters are exactly as before, and every mapping made so far still reads back what was
 * written through it and can be unmapped. At the end the session's GET_INFO shows nothing held, and
 * closing it leaves the machine as it was before the session opened.
 */
#include "test_core_client.h"
#include "core_internal.h"

enum mode { RETRY, CONTINUE, ABANDON, PERSISTENT, MODES };
static const char *const kModeNames[MODES] = { "retry", "continue", "abandon", "persistent" };
static const char *const kKindNames[] = { "", "reservation", "pages", "MDL", "pool", "mapping" };

enum step_kind {
    OPEN, RESERVE, RESERVE_DIVISIBLE, ALLOCATE, LOCK, MAP_RESERVED, MAP_RING_FIRST, MAP_RING_SECOND,
    MAP_ORDINARY, WRITE, READ, QUERY, INFO, UNMAP_ORDINARY, UNMAP_RING_SECOND, UNMAP_RING_FIRST,
    UNMAP_RESERVED, RELEASE_LOCKED, RELEASE_ALLOCATED, FREE_DIVISIBLE, FREE_RESERVATION, STEPS
};

/* The objects of one lifecycle; 0 = not made (or refused). */
typedef struct objects {
    RESMAP_OBJECT_OUT reservation, divisible, pages, locked, reserved, ring_first, ring_second, ordinary;
} objects;

typedef struct point {
    resmap_sim_machine *m;
    resmap_sim_session *s;
    uint8_t *user;
    objects o;
    int kind;
    enum mode mode;
    int fired;              /* the injected fault was hit */
    int abandoned;
    unsigned failures;      /* requests that failed for the fault */
} point;

static unsigned long total_requests, total_failures;

/* The machine's counters equal those of the fresh machine, but for the core's device: the first open
 * creates it (one pool block) and it stays until the machine goes, even when the session's own
 * allocation then fails. Anything else left over is a leak. */
static int same_but_device(const resmap_sim_counters *fresh, resmap_sim_counters now)
{
    if (now.pool_allocations == fresh->pool_allocations + 1 &&
        now.pool_bytes == fresh->pool_bytes + sizeof(RESMAP_DEVICE)) {
        now.pool_allocations = fresh->pool_allocations;
        now.pool_bytes = fresh->pool_bytes;
    }
    now.calls = fresh->calls;
    return memcmp(fresh, &now, sizeof(now)) == 0;
}

static int32_t run_step(point *p, enum step_kind step)
{
    objects *o = &p->o;
    RESMAP_QUERY_OUT q;
    RESMAP_INFO info;
    uint8_t byte = 0;
    total_requests++;
    switch (step) {
    case RESERVE:
        return reserve(p->s, 3 * PAGE, TAG_A, 0, &o->reservation);
    case RESERVE_DIVISIBLE:
        return reserve(p->s, 4 * PAGE, TAG_B, RESMAP_RESERVE_DIVISIBLE, &o->divisible);
    case ALLOCATE:
        return allocate_pages(p->s, 2 * PAGE, MmCached, 0, &o->pages);
    case LOCK:
        return lock_buffer(p->s, p->user + 100, PAGE, RESMAP_ACCESS_READ_WRITE, &o->locked);
    case MAP_RESERVED:
        return map_reserved(p->s, o->pages.Handle, 0, 0, o->reservation.Handle, 0, TAG_A, &o->reserved);
    case MAP_RING_FIRST:
        return map_reserved(p->s, o->locked.Handle, 0, 0, o->divisible.Handle, 0, TAG_B, &o->ring_first);
    case MAP_RING_SECOND:
        return map_reserved(p->s, o->locked.Handle, 0, 0, o->divisible.Handle, 2 * PAGE, TAG_B, &o->ring_second);
    case MAP_ORDINARY:
        return map_ordinary(p->s, o->pages.Handle, 0, 0, &o->ordinary);
    case WRITE:
        return write_bytes(p->s, o->reserved.Handle, 10, "sweep", 5);
    case READ:
        return read_bytes(p->s, o->ordinary.Handle, 10, &byte, 1);
    case QUERY:
        return query(p->s, o->pages.Handle, &q);
    case INFO:
        return get_info(p->s, &info);
    case UNMAP_ORDINARY:
        return unmap_ordinary(p->s, o->ordinary.Handle);
    case UNMAP_RING_SECOND:
        return unmap_reserved(p->s, o->ring_second.Handle, TAG_B);
    case UNMAP_RING_FIRST:
        return unmap_reserved(p->s, o->ring_first.Handle, TAG_B);
    case UNMAP_RESERVED:
        return unmap_reserved(p->s, o->reserved.Handle, TAG_A);
    case RELEASE_LOCKED:
        return release_pages(p->s, o->locked.Handle);
    case RELEASE_ALLOCATED:
        return release_pages(p->s, o->pages.Handle);
    case FREE_DIVISIBLE:
        return free_reservation(p->s, o->divisible.Handle, TAG_B);
    case FREE_RESERVATION:
        return free_reservation(p->s, o->reservation.Handle, TAG_A);
    default:
        return STATUS_SUCCESS;
    }
}

/* After a failure: every mapping made so far still shows its bytes (a write then a read through it). */
static void check_mappings_work(point *p, const char *where)
{
    const RESMAP_OBJECT_OUT *mappings[] = { &p->o.reserved, &p->o.ring_first, &p->o.ring_second, &p->o.ordinary };
    for (size_t i = 0; i < sizeof(mappings) / sizeof(mappings[0]); i++) {
        uint8_t mark = (uint8_t)(0xA0 + i), back = 0;
        if (mappings[i]->Handle == 0) {
            continue;
        }
        CHECK(write_bytes(p->s, mappings[i]->Handle, 1, &mark, 1) == STATUS_SUCCESS &&
                  read_bytes(p->s, mappings[i]->Handle, 1, &back, 1) == STATUS_SUCCESS && back == mark,
              "%s: mapping %zu no longer works", where, i);
    }
}

/* What a step produced, forgotten when the step is refused (its handle then names nothing). */
static RESMAP_OBJECT_OUT *made_by(point *p, enum step_kind step)
{
    switch (step) {
    case RESERVE: return &p->o.reservation;
    case RESERVE_DIVISIBLE: return &p->o.divisible;
    case ALLOCATE: return &p->o.pages;
    case LOCK: return &p->o.locked;
    case MAP_RESERVED: return &p->o.reserved;
    case MAP_RING_FIRST: return &p->o.ring_first;
    case MAP_RING_SECOND: return &p->o.ring_second;
    case MAP_ORDINARY: return &p->o.ordinary;
    default: return NULL;
    }
}

/* And what a removal step takes away. */
static RESMAP_OBJECT_OUT *removed_by(point *p, enum step_kind step)
{
    switch (step) {
    case UNMAP_ORDINARY: return &p->o.ordinary;
    case UNMAP_RING_SECOND: return &p->o.ring_second;
    case UNMAP_RING_FIRST: return &p->o.ring_first;
    case UNMAP_RESERVED: return &p->o.reserved;
    case RELEASE_LOCKED: return &p->o.locked;
    case RELEASE_ALLOCATED: return &p->o.pages;
    case FREE_DIVISIBLE: return &p->o.divisible;
    case FREE_RESERVATION: return &p->o.reservation;
    default: return NULL;
    }
}

static void one_step(point *p, enum step_kind step, const char *where)
{
    RESMAP_INFO info_before, info_after;
    resmap_sim_counters before, after;
    uint64_t attempts_before = resmap_sim_allocations(p->m, p->kind);
    int32_t status;

    get_info(p->s, &info_before);
    resmap_sim_get_counters(p->m, &before);
    status = run_step(p, step);
    if (resmap_sim_allocations(p->m, p->kind) != attempts_before && status != STATUS_SUCCESS) {
        p->fired = 1;
    }
    if (status == STATUS_SUCCESS) {
        RESMAP_OBJECT_OUT *gone = removed_by(p, step);
        if (gone != NULL) {
            memset(gone, 0, sizeof(*gone));
        }
        return;
    }
    /* Refused: for the fault (the kernel refused an allocation) or because an object it names was
     * itself refused earlier; either way nothing may have changed. */
    CHECK(status == STATUS_INSUFFICIENT_RESOURCES || status == STATUS_INVALID_HANDLE, "%s: status 0x%08X", where,
          (unsigned)status);
    CHECK(status == STATUS_INVALID_HANDLE || resmap_sim_allocations(p->m, p->kind) != attempts_before,
          "%s: STATUS_INSUFFICIENT_RESOURCES without an injected fault", where);
    get_info(p->s, &info_after);
    resmap_sim_get_counters(p->m, &after);
    after.calls = before.calls;
    CHECK(memcmp(&info_before, &info_after, sizeof(info_after)) == 0, "%s: GET_INFO changed", where);
    CHECK(memcmp(&before, &after, sizeof(after)) == 0, "%s: the machine's counters changed", where);
    p->failures++;
    total_failures++;
    check_mappings_work(p, where);
    if (made_by(p, step) != NULL) {
        memset(made_by(p, step), 0, sizeof(RESMAP_OBJECT_OUT));
    }
    if (p->mode == RETRY && status == STATUS_INSUFFICIENT_RESOURCES) {
        CHECK_STATUS(run_step(p, step), STATUS_SUCCESS);
    } else if (p->mode == ABANDON) {
        p->abandoned = 1;
    }
}

/* One sweep point: fault `kind` at its n-th attempt in `mode`. Returns whether the fault was reached. */
static int sweep_point(int kind, uint32_t n, enum mode mode)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .physical_pages = 512, .system_ptes = 256 };
    resmap_sim_counters fresh, now;
    char where[96];
    point p;
    int reached;

    memset(&p, 0, sizeof(p));
    p.m = resmap_sim_create(&cfg);
    p.kind = kind;
    p.mode = mode;
    p.user = resmap_sim_user_alloc(p.m, 2 * PAGE);
    resmap_sim_get_counters(p.m, &fresh);
    if (mode == PERSISTENT) {
        resmap_sim_fail_from(p.m, kind, n);
    } else {
        resmap_sim_fail_nth(p.m, kind, n);
    }

    /* The open: the first one on a machine also creates the core's device. */
    snprintf(where, sizeof(where), "%s fault %u (%s), open", kKindNames[kind], n, kModeNames[mode]);
    total_requests++;
    p.s = resmap_sim_open(p.m);
    while (p.s == NULL) {
        resmap_sim_counters after;
        resmap_sim_get_counters(p.m, &after);
        CHECK(same_but_device(&fresh, after), "%s: a failed open left something behind", where);
        p.fired = 1;
        total_failures++;
        if (mode == PERSISTENT || mode == ABANDON || mode == CONTINUE) {
            break; /* without a session nothing more can happen */
        }
        total_requests++;
        p.s = resmap_sim_open(p.m);
    }
    for (int step = RESERVE; p.s != NULL && step < STEPS && !p.abandoned; step++) {
        snprintf(where, sizeof(where), "%s fault %u (%s), step %d", kKindNames[kind], n, kModeNames[mode], step);
        one_step(&p, (enum step_kind)step, where);
    }
    if (p.s != NULL && !p.abandoned) {
        RESMAP_INFO info;
        get_info(p.s, &info);
        CHECK(info.LiveReservations == 0 && info.LivePageSets == 0 && info.LiveReservedMappings == 0 &&
                  info.LiveOrdinaryMappings == 0 && info.ReservedBytes == 0 && info.PageSetBytes == 0,
              "%s: the session still counts %u/%u/%u/%u objects, %llu/%llu bytes", where, info.LiveReservations,
              info.LivePageSets, info.LiveReservedMappings, info.LiveOrdinaryMappings,
              (unsigned long long)info.ReservedBytes, (unsigned long long)info.PageSetBytes);
    }
    reached = p.fired || resmap_sim_allocations(p.m, kind) >= n;
    resmap_sim_fail_nth(p.m, kind, 0);
    resmap_sim_close(p.s);
    check_alive(p.m);
    resmap_sim_get_counters(p.m, &now);
    CHECK(same_but_device(&fresh, now), "%s: closing left something behind", where);
    resmap_sim_user_free(p.m, p.user);
    resmap_sim_destroy(p.m);
    return reached;
}

static void every_allocation_fails_in_turn_in_every_mode_and_changes_nothing(void)
{
    unsigned points = 0;
    for (int kind = RESMAP_SIM_FAULT_RESERVATION; kind <= RESMAP_SIM_FAULT_MAPPING; kind++) {
        uint32_t n = 1;
        while (n < 200) {
            int reached = 0;
            for (int mode = 0; mode < MODES; mode++) {
                reached |= sweep_point(kind, n, (enum mode)mode);
                points++;
            }
            if (!reached) {
                break;
            }
            n++;
        }
        CHECK(n > 1, "no %s allocation in the lifecycle", kKindNames[kind]);
        printf("  %s: %u allocation points\n", kKindNames[kind], n - 1);
    }
    printf("  %u sweep points, %lu requests, %lu of them refused for a fault\n", points, total_requests,
           total_failures);
}

int main(void)
{
    RUN(every_allocation_fails_in_turn_in_every_mode_and_changes_nothing);
    return CHECK_DONE();
}
