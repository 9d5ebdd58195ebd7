/*
 * test_core_stress.c - many threads on one machine. Written for ThreadSanitizer (make test-tsan) as
 * much as for the plain and ASan runs; iteration counts, not time, bound it, so it asserts nothing
 * about speed.
 *
 *   - Threads sharing one session, threads on sessions of their own, and a thread that keeps failing
 *     the next allocations of every kind: every request ends in a status its situation allows (never
 *     STATUS_UNSUCCESSFUL, never a bugcheck), data written through a mapping reads back through it,
 *     and when every session is closed the machine holds nothing.
 *   - Two threads issuing requests on the current session while a third keeps opening a new session
 *     and closing the old one. Windows sends IRP_MJ_CLOSE only after the requests in flight have
 *     completed and fails requests on a handle that is being closed; so must the simulated I/O
 *     manager: every request ends in success, STATUS_FILE_CLOSED (its session is closing or closed) or
 *     STATUS_INVALID_HANDLE (the cleanup took the objects it names), and closing the last session
 *     leaves the machine as it was.
 */
#include <pthread.h>
#include <sched.h>

#include "test_core_client.h"

#define SHARED_THREADS 3
#define OWN_THREADS 2
#define ROUNDS 400
#define CLOSE_ROUNDS 300
#define CLOSE_WORKERS 2

struct stress {
    resmap_sim_machine *m;
    resmap_sim_session *shared;     /* the close race: the current session, read and swapped atomically */
    int stop;
    int32_t expected;               /* the one refusal besides STATUS_INVALID_HANDLE this run allows */
    unsigned long requests, refused, unexpected, bad_data;
    int32_t first_unexpected;
};

/* STATUS_INVALID_HANDLE is always allowed: an earlier step of the lifecycle was refused, or the
 * session's cleanup took the object, so the handle names nothing. */
static void note(struct stress *x, int32_t status)
{
    __atomic_add_fetch(&x->requests, 1, __ATOMIC_RELAXED);
    if (status == x->expected) {
        __atomic_add_fetch(&x->refused, 1, __ATOMIC_RELAXED);
    } else if (status != STATUS_SUCCESS && status != STATUS_INVALID_HANDLE) {
        if (__atomic_add_fetch(&x->unexpected, 1, __ATOMIC_RELAXED) == 1) {
            x->first_unexpected = status;
        }
    }
}

/* One lifecycle of every object kind; a fault may refuse any step. */
static void lifecycle(struct stress *x, resmap_sim_session *s, uint8_t mark)
{
    RESMAP_OBJECT_OUT reservation = { 0 }, pages = { 0 }, reserved = { 0 }, ordinary = { 0 };
    uint8_t back = 0;
    int32_t status;
    note(x, reserve(s, 4 * PAGE, TAG_A, 0, &reservation));
    note(x, allocate_pages(s, 3 * PAGE, MmCached, 0, &pages));
    note(x, map_reserved(s, pages.Handle, PAGE, 0, reservation.Handle, 0, TAG_A, &reserved));
    note(x, map_ordinary(s, pages.Handle, 0, 0, &ordinary));
    if (write_bytes(s, reserved.Handle, 5, &mark, 1) == STATUS_SUCCESS &&
        (status = read_bytes(s, ordinary.Handle, PAGE + 5, &back, 1)) == STATUS_SUCCESS && back != mark) {
        __atomic_add_fetch(&x->bad_data, 1, __ATOMIC_RELAXED);
    }
    note(x, unmap_ordinary(s, ordinary.Handle));
    note(x, unmap_reserved(s, reserved.Handle, TAG_A));
    note(x, release_pages(s, pages.Handle));
    note(x, free_reservation(s, reservation.Handle, TAG_A));
}

static void *shared_worker(void *arg)
{
    struct stress *x = arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (i % 50 == 0) {
            /* Faults from the workers too: on a loaded machine the injector thread may not be
             * scheduled at all while they run, and the run must still see faults hit. */
            resmap_sim_fail_nth(x->m, RESMAP_SIM_FAULT_RESERVATION, 1);
        }
        lifecycle(x, x->shared, (uint8_t)i);
    }
    return NULL;
}

static void *own_worker(void *arg)
{
    struct stress *x = arg;
    for (int i = 0; i < ROUNDS / 10; i++) {
        resmap_sim_session *s = resmap_sim_open(x->m);
        if (s == NULL) {
            continue; /* a fault took the session's own allocation */
        }
        for (int j = 0; j < 10; j++) {
            lifecycle(x, s, (uint8_t)(i + j));
        }
        resmap_sim_close(s);
    }
    return NULL;
}

static void *fault_injector(void *arg)
{
    struct stress *x = arg;
    unsigned seed = 12345;
    while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
        seed = seed * 1103515245u + 12345u;
        resmap_sim_fail_nth(x->m, 1 + (int)(seed >> 16) % 5, 1 + (seed >> 8) % 7);
        sched_yield();
    }
    for (int kind = 1; kind <= 5; kind++) {
        resmap_sim_fail_nth(x->m, kind, 0);
    }
    return NULL;
}

static void threads_on_shared_and_own_sessions_with_faults_stay_consistent(void)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .physical_pages = 2048, .system_ptes = 2048 };
    struct stress x;
    pthread_t shared[SHARED_THREADS], own[OWN_THREADS], injector;
    resmap_sim_counters after;

    memset(&x, 0, sizeof(x));
    x.expected = STATUS_INSUFFICIENT_RESOURCES;
    x.m = resmap_sim_create(&cfg);
    x.shared = resmap_sim_open(x.m);
    CHECK(x.shared != NULL, "%s", "no session");
    pthread_create(&injector, NULL, fault_injector, &x);
    for (int i = 0; i < SHARED_THREADS; i++) {
        pthread_create(&shared[i], NULL, shared_worker, &x);
    }
    for (int i = 0; i < OWN_THREADS; i++) {
        pthread_create(&own[i], NULL, own_worker, &x);
    }
    for (int i = 0; i < SHARED_THREADS; i++) {
        pthread_join(shared[i], NULL);
    }
    for (int i = 0; i < OWN_THREADS; i++) {
        pthread_join(own[i], NULL);
    }
    __atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
    pthread_join(injector, NULL);
    resmap_sim_close(x.shared);

    check_alive(x.m);
    CHECK(x.unexpected == 0, "%lu requests ended otherwise, the first with 0x%08X", x.unexpected,
          (unsigned)x.first_unexpected);
    CHECK(x.bad_data == 0, "%lu reads did not see what was written", x.bad_data);
    CHECK(x.refused > 0, "%s", "no injected fault was ever hit");
    resmap_sim_get_counters(x.m, &after);
    CHECK(after.reservations == 0 && after.frames_allocated == 0 && after.mdls == 0 && after.ptes_used == 0 &&
              after.sessions == 0 && after.ordinary_mappings == 0,
          "left: %llu reservations, %llu frames, %llu MDLs, %llu PTEs, %llu sessions",
          (unsigned long long)after.reservations, (unsigned long long)after.frames_allocated,
          (unsigned long long)after.mdls, (unsigned long long)after.ptes_used, (unsigned long long)after.sessions);
    printf("  %lu requests, %lu refused for an injected fault\n", x.requests, x.refused);
    resmap_sim_destroy(x.m);
}

/* Lifecycles, each on whatever session is current when it starts. */
static void *close_race_worker(void *arg)
{
    struct stress *r = arg;
    uint8_t mark = 0;
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        lifecycle(r, __atomic_load_n(&r->shared, __ATOMIC_ACQUIRE), mark++);
    }
    return NULL;
}

static void requests_racing_the_close_complete_or_are_refused_and_nothing_leaks(void)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .physical_pages = 1024, .system_ptes = 1024 };
    struct stress r;
    pthread_t workers[CLOSE_WORKERS];
    resmap_sim_counters before, after;

    memset(&r, 0, sizeof(r));
    r.expected = STATUS_FILE_CLOSED;
    r.m = resmap_sim_create(&cfg);
    r.shared = resmap_sim_open(r.m);
    CHECK(r.shared != NULL, "%s", "no session");
    resmap_sim_get_counters(r.m, &before);
    for (int i = 0; i < CLOSE_WORKERS; i++) {
        pthread_create(&workers[i], NULL, close_race_worker, &r);
    }
    for (int round = 0; round < CLOSE_ROUNDS; round++) {
        resmap_sim_session *next = resmap_sim_open(r.m);
        resmap_sim_session *old = __atomic_exchange_n(&r.shared, next, __ATOMIC_ACQ_REL);
        /* Close only once a worker has issued a request since the swap, so every close races
         * requests however the host schedules the threads. */
        unsigned long seen = __atomic_load_n(&r.requests, __ATOMIC_RELAXED);
        while (__atomic_load_n(&r.requests, __ATOMIC_RELAXED) == seen) {
            sched_yield();
        }
        resmap_sim_close(old);
    }
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < CLOSE_WORKERS; i++) {
        pthread_join(workers[i], NULL);
    }
    {
        /* A request on a session already closed is refused; a second close is harmless. */
        resmap_sim_session *old = r.shared;
        RESMAP_INFO info;
        resmap_sim_close(old);
        CHECK_STATUS(get_info(old, &info), STATUS_FILE_CLOSED);
        resmap_sim_close(old);
    }
    check_alive(r.m);
    CHECK(r.unexpected == 0, "%lu requests ended otherwise, the first with 0x%08X", r.unexpected,
          (unsigned)r.first_unexpected);
    CHECK(r.requests > 0, "%s", "no request ran");
    CHECK(r.bad_data == 0, "%lu reads did not see what was written", r.bad_data);
    resmap_sim_get_counters(r.m, &after);
    CHECK(after.reservations == 0 && after.frames_allocated == 0 && after.mdls == 0 && after.ptes_used == 0 &&
              after.sessions == before.sessions - 1 && after.pool_allocations == before.pool_allocations - 1,
          "left: %llu reservations, %llu frames, %llu MDLs, %llu PTEs, %llu sessions, %llu pool blocks",
          (unsigned long long)after.reservations, (unsigned long long)after.frames_allocated,
          (unsigned long long)after.mdls, (unsigned long long)after.ptes_used, (unsigned long long)after.sessions,
          (unsigned long long)after.pool_allocations);
    printf("  %lu requests, %lu refused as closed, over %d closes\n", r.requests, r.refused, CLOSE_ROUNDS);
    resmap_sim_destroy(r.m);
}

int main(void)
{
    RUN(threads_on_shared_and_own_sessions_with_faults_stay_consistent);
    RUN(requests_racing_the_close_complete_or_are_refused_and_nothing_leaks);
    return CHECK_DONE();
}
