/*
 * sim_bugcheck.c - simulated bugchecks and the guarded calls they unwind.
 *
 * A bugcheck marks the machine dead: every later kernel call fails, and resmap_sim_bugcheck reports
 * the first code and parameters. The real kernel never returns from KeBugCheckEx; the simulator
 * comes as close as a host process can: inside sim_guarded_call it abandons the driver code with
 * longjmp, outside one it returns to the caller, which then returns its failure value.
 */
#include "sim_machine.h"
#include "sim_iohooks.h"

#include <setjmp.h>
#include <stdio.h>

struct sim_guard {
    jmp_buf env;
    resmap_sim_machine *m;
    struct sim_guard *outer;
};

/* The calling thread's innermost guarded call. */
static __thread struct sim_guard *innermost_guard;

static void unwind_to_guard_of(resmap_sim_machine *m)
{
    for (struct sim_guard *g = innermost_guard; g != NULL; g = g->outer) {
        if (g->m == m) {
            innermost_guard = g;
            longjmp(g->env, 1);
        }
    }
}

void sim_bugcheck(resmap_sim_machine *m, ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3,
                  ULONG_PTR p4)
{
    pthread_mutex_lock(&m->lock);
    if (!m->dead) {
        m->bug_code = code;
        m->bug_params[0] = p1;
        m->bug_params[1] = p2;
        m->bug_params[2] = p3;
        m->bug_params[3] = p4;
        /* Atomic: sim_check_call reads it without the lock. */
        __atomic_store_n(&m->dead, 1, __ATOMIC_RELEASE);
        if (m->tracing) {
            char line[256];
            sim_format_bugcheck_locked(m, "*** STOP ", code, m->bug_params, line, sizeof(line));
            sim_trace_line_locked(m, line);
        }
    }
    pthread_mutex_unlock(&m->lock);
    unwind_to_guard_of(m);
}

void sim_unwind_if_dead(resmap_sim_machine *m)
{
    int dead;
    pthread_mutex_lock(&m->lock);
    dead = m->dead;
    pthread_mutex_unlock(&m->lock);
    if (dead) {
        unwind_to_guard_of(m);
    }
}

int sim_guarded_call(resmap_sim_machine *m, void (*fn)(void *ctx), void *ctx)
{
    struct sim_guard guard;
    resmap_sim_machine *previous = resmap_sim_current();
    struct sim_thread *t;
    KIRQL saved_irql = PASSIVE_LEVEL;
    KIRQL left_at;
    int dead;

    if (m == NULL || fn == NULL) {
        return 1;
    }
    pthread_mutex_lock(&m->lock);
    dead = m->dead;
    t = sim_thread(m);
    if (t != NULL) {
        saved_irql = t->irql;
        t->irql = PASSIVE_LEVEL;
    }
    pthread_mutex_unlock(&m->lock);
    if (dead) {
        return 1;
    }

    guard.m = m;
    guard.outer = innermost_guard;
    innermost_guard = &guard;
    resmap_sim_select(m);
    if (setjmp(guard.env) == 0) {
        fn(ctx);
    }
    /* Reached normally or by longjmp from a bugcheck; either way this guard is the innermost. */
    innermost_guard = guard.outer;
    resmap_sim_select(previous);

    pthread_mutex_lock(&m->lock);
    dead = m->dead;
    t = sim_thread(m);
    left_at = t != NULL ? t->irql : PASSIVE_LEVEL;
    if (t != NULL) {
        t->irql = saved_irql;
    }
    pthread_mutex_unlock(&m->lock);
    if (!dead && left_at != PASSIVE_LEVEL) {
        /* [D] driver code that returns to the caller above PASSIVE_LEVEL - a fast mutex or spin lock
         * still held, an IRQL never lowered - is 0x4A when the thread goes back to user mode. The
         * simulator never puts the IRQL back silently. P1 is the routine that was called. */
        sim_bugcheck(m, IRQL_GT_ZERO_AT_SYSTEM_SERVICE, (ULONG_PTR)fn, left_at, 0, 0);
        dead = 1;
    }
    return dead;
}

VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2,
                  ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "KeBugCheckEx", NULL);
    if (m == NULL) {
        return;
    }
    sim_call_args(&call, "0x%X, 0x%llX, 0x%llX, 0x%llX, 0x%llX", BugCheckCode,
                  (unsigned long long)BugCheckParameter1, (unsigned long long)BugCheckParameter2,
                  (unsigned long long)BugCheckParameter3, (unsigned long long)BugCheckParameter4);
    sim_call_bugcheck(&call, BugCheckCode, BugCheckParameter1, BugCheckParameter2,
                      BugCheckParameter3, BugCheckParameter4);
    sim_leave(&call);
}

VOID SimAssertionFailure(const char *Expression, const char *File, ULONG Line)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "NT_ASSERT", NULL);
    if (m == NULL) {
        return;
    }
    sim_call_args(&call, "%s, %s:%u", Expression, File, Line);
    /* Without a debugger the assertion's exception is unhandled: P1 is the exception code. */
    sim_call_bugcheck(&call, KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)STATUS_ASSERTION_FAILURE,
                      0, 0, 0);
    sim_leave(&call);
}
