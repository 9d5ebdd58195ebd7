/*
 * test_sim_guarded_calls.c - how a bugcheck stops driver code. The real KeBugCheckEx never returns;
 * inside sim_guarded_call (how the simulated I/O manager runs the driver core) the driver code is
 * abandoned at the bugcheck and the call reports it, the thread's machine selection and IRQL are put
 * back, and a thread waiting on a lock of the dead machine gives up instead of hanging.
 */
#include "sim_fixture.h"
#include "sim_iohooks.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

struct driver_code {
    int reached_end;
    KIRQL irql_inside;
    resmap_sim_machine *selected_inside;
    resmap_sim_machine *inner;      /* a machine to run a nested guarded call on, or NULL */
    int inner_result;
};

static void reserve_nothing(void *ctx)
{
    struct driver_code *code = ctx;
    code->irql_inside = KeGetCurrentIrql();
    code->selected_inside = resmap_sim_current();
    MmAllocateMappingAddress(0, TAG_A);
    code->reached_end = 1;
}

static void reserve_and_free(void *ctx)
{
    struct driver_code *code = ctx;
    code->irql_inside = KeGetCurrentIrql();
    code->selected_inside = resmap_sim_current();
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    MmFreeMappingAddress(base, TAG_A);
    if (code->inner != NULL) {
        struct driver_code inner;
        memset(&inner, 0, sizeof(inner));
        code->inner_result = sim_guarded_call(code->inner, reserve_nothing, &inner);
    }
    code->reached_end = base != NULL;
}

/* Driver code that runs through returns 0; it ran on the guarded machine at PASSIVE_LEVEL, and the
 * caller's selection and IRQL are as they were. */
static void a_clean_call_runs_to_its_end(void)
{
    struct driver_code code;
    resmap_sim_machine *m = machine();
    resmap_sim_select(NULL);
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    memset(&code, 0, sizeof(code));
    CHECK(sim_guarded_call(m, reserve_and_free, &code) == 0, "%s", "a bugcheck");
    CHECK(code.reached_end && code.irql_inside == PASSIVE_LEVEL && code.selected_inside == m,
          "end %d IRQL %u", code.reached_end, code.irql_inside);
    CHECK(resmap_sim_current() == NULL && resmap_sim_irql(m) == DISPATCH_LEVEL, "IRQL %u",
          resmap_sim_irql(m));
    resmap_sim_set_irql(m, PASSIVE_LEVEL);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* A bugcheck abandons the driver code where it happens; the call returns 1; a later guarded call on
 * the dead machine does not run its code at all. */
static void a_bugcheck_abandons_the_driver_code(void)
{
    struct driver_code code;
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    memset(&code, 0, sizeof(code));
    CHECK(sim_guarded_call(m, reserve_nothing, &code) == 1, "%s", "no bugcheck reported");
    CHECK(!code.reached_end, "%s", "driver code ran past the bugcheck");
    CHECK(resmap_sim_current() == m, "%p", (void *)resmap_sim_current());
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_ZERO_PAGES, p);
    memset(&code, 0, sizeof(code));
    CHECK(sim_guarded_call(m, reserve_and_free, &code) == 1 && code.selected_inside == NULL, "%s",
          "driver code ran on a dead machine");
    CHECK(sim_guarded_call(NULL, reserve_and_free, &code) == 1, "%s", "a call on no machine");
    resmap_sim_destroy(m);
}

/* Nested guarded calls on two machines: the inner machine's bugcheck unwinds to the inner guard only,
 * and the outer driver code goes on with its own machine. */
static void a_nested_bugcheck_unwinds_to_its_own_machine(void)
{
    struct driver_code code;
    resmap_sim_machine *outer = machine();
    resmap_sim_machine *inner = machine();
    memset(&code, 0, sizeof(code));
    code.inner = inner;
    CHECK(sim_guarded_call(outer, reserve_and_free, &code) == 0, "%s", "the outer machine died");
    CHECK(code.inner_result == 1 && code.reached_end, "inner %d end %d", code.inner_result,
          code.reached_end);
    CHECK(resmap_sim_bugcheck(inner, NULL, NULL) && !resmap_sim_bugcheck(outer, NULL, NULL), "%s",
          "the wrong machine dead");
    CHECK_CLEAN(outer);
    resmap_sim_destroy(inner);
    resmap_sim_destroy(outer);
}

struct waiter {
    resmap_sim_machine *m;
    PKSPIN_LOCK spin_lock;      /* waits on this, or else on the fast mutex */
    PFAST_MUTEX mutex;
    int result;
};

static void wait_for_the_lock(void *ctx)
{
    struct waiter *w = ctx;
    KIRQL old;
    if (w->spin_lock != NULL) {
        KeAcquireSpinLock(w->spin_lock, &old);
    } else {
        ExAcquireFastMutex(w->mutex);
    }
}

static void *waiting_thread(void *arg)
{
    struct waiter *w = arg;
    w->result = sim_guarded_call(w->m, wait_for_the_lock, w);
    return NULL;
}

/* A thread blocked on a spin lock or a fast mutex that will never be released (its holder's machine
 * died) is let go, its guarded call reporting the bugcheck. */
static void a_waiter_gives_up_when_the_machine_dies(void)
{
    for (int spin = 0; spin < 2; spin++) {
        KSPIN_LOCK lock;
        FAST_MUTEX mutex;
        KIRQL old;
        pthread_t thread;
        struct waiter w;
        resmap_sim_machine *m = machine();
        KeInitializeSpinLock(&lock);
        ExInitializeFastMutex(&mutex);
        if (spin) {
            KeAcquireSpinLock(&lock, &old);
        } else {
            ExAcquireFastMutex(&mutex);
        }
        w.m = m;
        w.spin_lock = spin ? &lock : NULL;
        w.mutex = &mutex;
        w.result = -1;
        resmap_sim_counters before, now;
        resmap_sim_get_counters(m, &before);
        pthread_create(&thread, NULL, waiting_thread, &w);
        /* Its acquire call is counted on entry, just before it starts waiting. */
        do {
            sched_yield();
            resmap_sim_get_counters(m, &now);
        } while (now.calls == before.calls);
        usleep(20000);
        KeBugCheckEx(0xE2, 0, 0, 0, 0);
        pthread_join(thread, NULL);
        CHECK(w.result == 1, "%s: guarded call returned %d", spin ? "spin lock" : "fast mutex", w.result);
        if (!spin) {
            ExReleaseFastMutex(&mutex);
        }
        resmap_sim_destroy(m);
    }
}

struct held_lock {
    FAST_MUTEX mutex;
    KSPIN_LOCK spin_lock;
    int spin;               /* leave the spin lock held, else the fast mutex */
    int twice;              /* acquire the fast mutex a second time */
    int reached_end;
};

static void return_holding_a_lock(void *ctx)
{
    struct held_lock *h = ctx;
    KIRQL old;
    if (h->spin) {
        KeAcquireSpinLock(&h->spin_lock, &old);
    } else {
        ExAcquireFastMutex(&h->mutex);
        if (h->twice) {
            ExAcquireFastMutex(&h->mutex);
        }
    }
    h->reached_end = 1;
}

/* Driver code that returns holding a fast mutex (APC_LEVEL) or a spin lock (DISPATCH_LEVEL) is
 * 0x4A IRQL_GT_ZERO_AT_SYSTEM_SERVICE (P1 the routine, P2 the IRQL it left), not an IRQL quietly put
 * back; the caller's own IRQL is restored all the same. */
static void returning_above_passive_is_0x4a(void)
{
    for (int spin = 0; spin < 2; spin++) {
        struct held_lock h;
        uint64_t p[4];
        resmap_sim_machine *m = machine();
        memset(&h, 0, sizeof(h));
        ExInitializeFastMutex(&h.mutex);
        KeInitializeSpinLock(&h.spin_lock);
        h.spin = spin;
        resmap_sim_select(NULL);
        CHECK(sim_guarded_call(m, return_holding_a_lock, &h) == 1 && h.reached_end, "%s: no bugcheck",
              spin ? "spin lock" : "fast mutex");
        CHECK_BUGCHECK(m, IRQL_GT_ZERO_AT_SYSTEM_SERVICE, (uint64_t)(uintptr_t)return_holding_a_lock, p);
        CHECK(p[1] == (spin ? DISPATCH_LEVEL : APC_LEVEL) && p[2] == 0 && p[3] == 0, "P2 %llu",
              (unsigned long long)p[1]);
        CHECK(resmap_sim_irql(m) == PASSIVE_LEVEL, "caller left at IRQL %u", resmap_sim_irql(m));
        resmap_sim_destroy(m);
    }
}

/* "Drivers cannot acquire a fast ... mutex recursively ... the driver will deadlock": a second acquire
 * by the owner is 0xC4/0x1000 (Verifier's self-deadlock, P2 the mutex), never granted; the code after
 * it does not run. */
static void a_recursive_fast_mutex_acquire_is_a_self_deadlock(void)
{
    struct held_lock h;
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    memset(&h, 0, sizeof(h));
    ExInitializeFastMutex(&h.mutex);
    h.twice = 1;
    CHECK(sim_guarded_call(m, return_holding_a_lock, &h) == 1 && !h.reached_end, "reached end %d",
          h.reached_end);
    CHECK_BUGCHECK(m, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_SELF_DEADLOCK, p);
    CHECK(p[1] == (uint64_t)(uintptr_t)&h.mutex, "P2 0x%llX", (unsigned long long)p[1]);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(a_clean_call_runs_to_its_end);
    RUN(a_bugcheck_abandons_the_driver_code);
    RUN(a_nested_bugcheck_unwinds_to_its_own_machine);
    RUN(a_waiter_gives_up_when_the_machine_dies);
    RUN(returning_above_passive_is_0x4a);
    RUN(a_recursive_fast_mutex_acquire_is_a_self_deadlock);
    return CHECK_DONE();
}
