/*
 * test_core_close_race.c - a session's lifetime under load: two threads issue requests on the
 * current session of a machine while a third keeps opening a new session and closing the old one.
 * Windows sends IRP_MJ_CLOSE only after the requests in flight have completed and fails requests on a
 * handle that is being closed; so must the simulated I/O manager: every request ends in success,
 * STATUS_FILE_CLOSED (its session is closing or closed) or STATUS_INVALID_HANDLE (the cleanup took the
 * objects it names), nothing crashes or bugchecks (run it under ASan and TSan: make SAN=1, TSAN=1),
 * and closing the last session leaves the machine as it was.
 */
#include <pthread.h>
#include <sched.h>

#include "test_core_client.h"

#define ROUNDS 300
#define WORKERS 2

struct race {
    resmap_sim_machine *m;
    resmap_sim_session *current;    /* read and swapped atomically */
    int stop;
    unsigned long requests, refused_closed, unexpected;
    int32_t first_unexpected;
};

static void note(struct race *r, int32_t status)
{
    __atomic_add_fetch(&r->requests, 1, __ATOMIC_RELAXED);
    if (status == STATUS_FILE_CLOSED) {
        __atomic_add_fetch(&r->refused_closed, 1, __ATOMIC_RELAXED);
    } else if (status != STATUS_SUCCESS && status != STATUS_INVALID_HANDLE) {
        if (__atomic_add_fetch(&r->unexpected, 1, __ATOMIC_RELAXED) == 1) {
            r->first_unexpected = status;
        }
    }
}

/* One object lifecycle on whatever session is current when it starts. */
static void *worker(void *arg)
{
    struct race *r = arg;
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        resmap_sim_session *s = __atomic_load_n(&r->current, __ATOMIC_ACQUIRE);
        RESMAP_OBJECT_OUT reservation, pages, mapping;
        uint8_t byte = 0x5A;
        note(r, reserve(s, 2 * PAGE, TAG_A, 0, &reservation));
        note(r, allocate_pages(s, 2 * PAGE, MmCached, 0, &pages));
        note(r, map_reserved(s, pages.Handle, 0, 0, reservation.Handle, 0, TAG_A, &mapping));
        note(r, write_bytes(s, mapping.Handle, 1, &byte, 1));
        note(r, read_bytes(s, mapping.Handle, 1, &byte, 1));
        note(r, unmap_reserved(s, mapping.Handle, TAG_A));
        note(r, release_pages(s, pages.Handle));
        note(r, free_reservation(s, reservation.Handle, TAG_A));
    }
    return NULL;
}

static void requests_racing_the_close_complete_or_are_refused_and_nothing_leaks(void)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .physical_pages = 1024, .system_ptes = 1024 };
    struct race r;
    pthread_t workers[WORKERS];
    resmap_sim_counters before, after;

    memset(&r, 0, sizeof(r));
    r.m = resmap_sim_create(&cfg);
    r.current = resmap_sim_open(r.m);
    CHECK(r.current != NULL, "%s", "no session");
    resmap_sim_get_counters(r.m, &before);
    for (int i = 0; i < WORKERS; i++) {
        pthread_create(&workers[i], NULL, worker, &r);
    }
    for (int round = 0; round < ROUNDS; round++) {
        resmap_sim_session *next = resmap_sim_open(r.m);
        resmap_sim_session *old = __atomic_exchange_n(&r.current, next, __ATOMIC_ACQ_REL);
        sched_yield();
        resmap_sim_close(old);
    }
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(workers[i], NULL);
    }
    {
        /* A request on a session already closed is refused; a second close is harmless. */
        resmap_sim_session *old = r.current;
        RESMAP_INFO info;
        resmap_sim_close(old);
        CHECK_STATUS(get_info(old, &info), STATUS_FILE_CLOSED);
        resmap_sim_close(old);
    }
    check_alive(r.m);
    CHECK(r.unexpected == 0, "%lu requests ended otherwise, the first with 0x%08X", r.unexpected,
          (unsigned)r.first_unexpected);
    CHECK(r.requests > 0, "%s", "no request ran");
    resmap_sim_get_counters(r.m, &after);
    CHECK(after.reservations == 0 && after.frames_allocated == 0 && after.mdls == 0 && after.ptes_used == 0 &&
              after.sessions == before.sessions - 1 && after.pool_allocations == before.pool_allocations - 1,
          "left: %llu reservations, %llu frames, %llu MDLs, %llu PTEs, %llu sessions, %llu pool blocks",
          (unsigned long long)after.reservations, (unsigned long long)after.frames_allocated,
          (unsigned long long)after.mdls, (unsigned long long)after.ptes_used, (unsigned long long)after.sessions,
          (unsigned long long)after.pool_allocations);
    printf("  %lu requests, %lu refused as closed, over %d closes\n", r.requests, r.refused_closed, ROUNDS);
    resmap_sim_destroy(r.m);
}

int main(void)
{
    RUN(requests_racing_the_close_complete_or_are_refused_and_nothing_leaks);
    return CHECK_DONE();
}
