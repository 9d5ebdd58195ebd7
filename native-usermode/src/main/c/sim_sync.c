/*
 * sim_sync.c - IRQL, spin locks, fast mutexes and PAGED_CODE.
 *
 * The machine tracks each thread's IRQL. A spin lock raises it to DISPATCH_LEVEL and a fast mutex to
 * APC_LEVEL, as on Windows, so a driver that calls a PASSIVE/APC-only routine while holding one is
 * caught (0xC4, see sim_enter). Fast mutexes are host mutexes; a thread waiting on one never holds
 * the machine lock, and gives up the wait if the machine bugchecks meanwhile.
 */
#include "sim_machine.h"

#include <errno.h>
#include <sched.h>
#include <time.h>

struct sim_fast_mutex {
    pthread_mutex_t mutex;
    KIRQL old_irql;
};

C_ASSERT(sizeof(struct sim_fast_mutex) <= sizeof(FAST_MUTEX));

/* How often a waiter looks whether the machine has died under it. */
#define WAIT_SLICE_NS 10000000L
#define SPINS_PER_CHECK 1024

/* The IRQL is the calling thread's own state (thread-local): reading or setting it takes no lock. */
static void set_irql(resmap_sim_machine *m, KIRQL irql)
{
    struct sim_thread *t = sim_thread(m);
    if (t != NULL) {
        t->irql = irql;
    }
}

static int machine_dead(resmap_sim_machine *m)
{
    int dead;
    pthread_mutex_lock(&m->lock);
    dead = m->dead;
    pthread_mutex_unlock(&m->lock);
    return dead;
}

KIRQL KeGetCurrentIrql(VOID)
{
    resmap_sim_machine *m = resmap_sim_current();
    return m == NULL ? PASSIVE_LEVEL : sim_irql(m);
}

VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "KeRaiseIrql", NULL);
    KIRQL current;
    if (m == NULL) {
        return;
    }
    call.quiet = 1;
    current = sim_irql(m);
    if (m->verifier && NewIrql < current) {
        sim_call_args(&call, "%u from %u", NewIrql, current);
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_RAISE_IRQL_LOWER, current,
                          NewIrql, 0);
    } else {
        *OldIrql = current;
        set_irql(m, NewIrql);
    }
    sim_leave(&call);
}

VOID KeLowerIrql(KIRQL NewIrql)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "KeLowerIrql", NULL);
    KIRQL current;
    if (m == NULL) {
        return;
    }
    call.quiet = 1;
    current = sim_irql(m);
    if (m->verifier && NewIrql > current) {
        sim_call_args(&call, "%u from %u", NewIrql, current);
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_LOWER_IRQL_HIGHER, current,
                          NewIrql, 0);
    } else {
        set_irql(m, NewIrql);
    }
    sim_leave(&call);
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    __atomic_store_n(SpinLock, 0, __ATOMIC_RELEASE);
}

VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "KeAcquireSpinLock",
                                      SIM_VERIFIER_IRQL(DISPATCH_LEVEL, VERIFIER_ACQUIRE_SPIN_LOCK_IRQL,
                                                        SpinLock, 0));
    unsigned spins = 0;
    if (m == NULL) {
        return;
    }
    call.quiet = 1;
    *OldIrql = sim_irql(m);
    set_irql(m, DISPATCH_LEVEL);
    sim_leave(&call);
    while (__atomic_exchange_n(SpinLock, 1, __ATOMIC_ACQUIRE) != 0) {
        if (++spins % SPINS_PER_CHECK == 0) {
            if (machine_dead(m)) {
                sim_unwind_if_dead(m);
                return;
            }
            sched_yield();
        }
    }
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "KeReleaseSpinLock", NULL);
    KIRQL current;
    if (m == NULL) {
        return;
    }
    call.quiet = 1;
    current = sim_irql(m);
    if (m->verifier && current != DISPATCH_LEVEL) {
        sim_call_args(&call, "at IRQL %u", current);
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_RELEASE_SPIN_LOCK_IRQL,
                          current, (ULONG_PTR)SpinLock, 0);
    } else {
        __atomic_store_n(SpinLock, 0, __ATOMIC_RELEASE);
        set_irql(m, NewIrql);
    }
    sim_leave(&call);
}

VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    struct sim_fast_mutex *fm = (struct sim_fast_mutex *)FastMutex;
    pthread_mutexattr_t attr;
    /* Error-checking, so that a release after an acquire the simulator refused (dead machine) is a
     * harmless error rather than undefined behaviour. */
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&fm->mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    fm->old_irql = PASSIVE_LEVEL;
}

VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    struct sim_fast_mutex *fm = (struct sim_fast_mutex *)FastMutex;
    resmap_sim_machine *m = sim_check_call("ExAcquireFastMutex",
                                           SIM_VERIFIER_IRQL(APC_LEVEL, VERIFIER_ACQUIRE_FAST_MUTEX_IRQL,
                                                             FastMutex, 0));
    if (m == NULL) {
        return;
    }
    /* Uncontended, the mutex is simply taken; otherwise waited for in slices (below). */
    for (int rc = pthread_mutex_trylock(&fm->mutex); rc != 0;) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += WAIT_SLICE_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        rc = pthread_mutex_timedlock(&fm->mutex, &until);
        if (rc == EDEADLK) {
            /* [D] a fast mutex cannot be acquired recursively: on Windows the thread deadlocks, and
             * Verifier's deadlock detection stops it as 0xC4/0x1000. The simulator reports it either
             * way rather than hang (or, worse, grant it). */
            sim_bugcheck(m, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_SELF_DEADLOCK, (ULONG_PTR)FastMutex,
                         0, 0);
            return;
        }
        if (rc != ETIMEDOUT) {
            break;
        }
        if (machine_dead(m)) {
            sim_unwind_if_dead(m);
            return;
        }
    }
    fm->old_irql = sim_irql(m);
    set_irql(m, APC_LEVEL);
}

VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    struct sim_fast_mutex *fm = (struct sim_fast_mutex *)FastMutex;
    resmap_sim_machine *m = resmap_sim_current();
    KIRQL restore = fm->old_irql;
    if (pthread_mutex_unlock(&fm->mutex) != 0) {
        return; /* not held by this thread */
    }
    if (m != NULL) {
        set_irql(m, restore);
    }
}

/* PAGED_CODE marks pageable driver code. Verifier's IRQL checking pages such code out when the IRQL
 * rises, so running it above APC_LEVEL faults on the instruction fetch in the driver itself:
 * 0xD1 DRIVER_IRQL_NOT_LESS_OR_EQUAL (address, IRQL, execute, address), the address being in the
 * function that ran PAGED_CODE. */
VOID SimPagedCodeCheck(const char *Function)
{
    ULONG_PTR where = (ULONG_PTR)__builtin_return_address(0);
    const struct sim_irql_check pageable = { APC_LEVEL, DRIVER_IRQL_NOT_LESS_OR_EQUAL, where,
                                             IRQL_FAULT_EXECUTE, where };
    /* Runs at the top of every core routine: no lock, nothing formatted (a quiet call is traced only
     * when it bugchecks, and then with its IRQL). */
    UNREFERENCED_PARAMETER(Function);
    (void)sim_check_call("PAGED_CODE", &pageable);
}
