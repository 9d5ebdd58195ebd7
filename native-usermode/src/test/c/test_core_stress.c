/*
 * test_core_stress.c - many threads on one machine with faults injected: threads sharing one session,
 * threads on sessions of their own, and a thread that keeps failing the next allocations of every
 * kind. Written for ThreadSanitizer (make test-tsan) as much as for the plain run: every request must
 * end in a status that its situation allows (never STATUS_UNSUCCESSFUL, never a bugcheck), data
 * written through a mapping must read back through it, and when every session is closed the machine
 * must hold nothing. Iteration counts, not time, bound it, so it asserts nothing about speed.
 */
#include <pthread.h>
#include <sched.h>

#include "test_core_client.h"

#define SHARED_THREADS 3
#define OWN_THREADS 2
#define ROUNDS 400

struct stress {
    resmap_sim_machine *m;
    resmap_sim_session *shared;
    int stop;
    unsigned long requests, faults_seen, unexpected, bad_data;
    int32_t first_unexpected;
};

static void note(struct stress *x, int32_t status)
{
    __atomic_add_fetch(&x->requests, 1, __ATOMIC_RELAXED);
    if (status == STATUS_INSUFFICIENT_RESOURCES) {
        __atomic_add_fetch(&x->faults_seen, 1, __ATOMIC_RELAXED);
    } else if (status != STATUS_SUCCESS && status != STATUS_INVALID_HANDLE) {
        /* INVALID_HANDLE: an earlier step of this lifecycle was refused, so it names nothing. */
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
    CHECK(x.faults_seen > 0, "%s", "no injected fault was ever hit");
    resmap_sim_get_counters(x.m, &after);
    CHECK(after.reservations == 0 && after.frames_allocated == 0 && after.mdls == 0 && after.ptes_used == 0 &&
              after.sessions == 0 && after.ordinary_mappings == 0,
          "left: %llu reservations, %llu frames, %llu MDLs, %llu PTEs, %llu sessions",
          (unsigned long long)after.reservations, (unsigned long long)after.frames_allocated,
          (unsigned long long)after.mdls, (unsigned long long)after.ptes_used, (unsigned long long)after.sessions);
    printf("  %lu requests, %lu refused for an injected fault\n", x.requests, x.faults_seen);
    resmap_sim_destroy(x.m);
}

int main(void)
{
    RUN(threads_on_shared_and_own_sessions_with_faults_stay_consistent);
    return CHECK_DONE();
}
