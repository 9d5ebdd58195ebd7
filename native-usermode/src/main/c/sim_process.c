/*
 * sim_process.c - simulated processes: enough of them to model what a process's exit does to the
 * pages a driver locked in it.
 *
 * A machine starts with one process (id 1), in which every thread runs unless it attaches to
 * another. User memory belongs to the process that allocated it, and only that process's probes see
 * it. MmProbeAndLockPages counts the pages it locks against the process (MDL.Process names it), and
 * MmUnlockPages takes them off again. Process exit then runs as Windows runs it [R: ReactOS
 * PspExitProcess; D: the process-notify routine runs in the exiting process's last thread]:
 *   1. the process-notify routines (here: the simulated I/O manager's, which calls the driver core);
 *   2. the process's handles are closed (IRP_MJ_CLEANUP where it held a file object's last handle);
 *   3. its address space goes: with pages still locked, bugcheck 0x76 PROCESS_HAS_LOCKED_PAGES
 *      [D: parameters 0, the process, the number of locked pages, 0 (no driver stacks kept)];
 *      otherwise its user memory is freed.
 */
#include "sim_machine.h"
#include "sim_iohooks.h"

#include "sim_bugcodes.h"

void sim_process_init(resmap_sim_machine *m)
{
    m->processes[0].alive = 1;
    m->process_count = 1;
}

struct sim_process *sim_process_locked(resmap_sim_machine *m, uint32_t id)
{
    return id >= 1 && id <= m->process_count ? &m->processes[id - 1] : NULL;
}

uint32_t sim_current_process_id_locked(resmap_sim_machine *m)
{
    struct sim_thread *t = sim_thread(m);
    return t != NULL && t->process != 0 ? t->process : 1;
}

/* Not a memory manager call, so not traced: the driver core asks it once per request. */
PEPROCESS IoGetCurrentProcess(VOID)
{
    resmap_sim_machine *m = resmap_sim_current();
    PEPROCESS process;
    if (m == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&m->lock);
    process = (PEPROCESS)sim_process_locked(m, sim_current_process_id_locked(m));
    pthread_mutex_unlock(&m->lock);
    return process;
}

RESMAP_SIM_API uint32_t resmap_sim_process_create(resmap_sim_machine *m)
{
    uint32_t id = 0;
    if (m == NULL) {
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    if (!m->dead && m->process_count < SIM_MAX_PROCESSES) {
        id = ++m->process_count;
        m->processes[id - 1].alive = 1;
    }
    pthread_mutex_unlock(&m->lock);
    return id;
}

uint32_t sim_switch_process(resmap_sim_machine *m, uint32_t process)
{
    struct sim_thread *t;
    uint32_t previous = 1;
    pthread_mutex_lock(&m->lock);
    t = sim_thread(m);
    if (t != NULL) {
        previous = t->process != 0 ? t->process : 1;
        t->process = process;
    }
    pthread_mutex_unlock(&m->lock);
    return previous;
}

RESMAP_SIM_API int resmap_sim_process_attach(resmap_sim_machine *m, uint32_t process)
{
    struct sim_process *p;
    if (m == NULL) {
        return -1;
    }
    pthread_mutex_lock(&m->lock);
    p = sim_process_locked(m, process);
    pthread_mutex_unlock(&m->lock);
    if (p == NULL || !p->alive) {
        return -1;
    }
    sim_switch_process(m, process);
    return 0;
}

RESMAP_SIM_API uint32_t resmap_sim_process_current(resmap_sim_machine *m)
{
    uint32_t id;
    if (m == NULL) {
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    id = sim_current_process_id_locked(m);
    pthread_mutex_unlock(&m->lock);
    return id;
}

void sim_set_io_process_exit(resmap_sim_machine *m, void (*on_process_exit)(void *state, uint32_t process))
{
    pthread_mutex_lock(&m->lock);
    m->io_on_process_exit = on_process_exit;
    pthread_mutex_unlock(&m->lock);
}

/* Step 3 of process exit, as kernel code (a bugcheck unwinds out of it). */
static void tear_down_address_space(void *ctx)
{
    resmap_sim_machine *m = resmap_sim_current();
    uint32_t id = *(const uint32_t *)ctx;
    struct sim_process *p;
    uint64_t locked;

    pthread_mutex_lock(&m->lock);
    p = sim_process_locked(m, id);
    locked = p->locked_pages;
    pthread_mutex_unlock(&m->lock);
    if (locked != 0) {
        sim_bugcheck(m, PROCESS_HAS_LOCKED_PAGES, 0, (ULONG_PTR)p, (ULONG_PTR)locked, 0);
    }
    pthread_mutex_lock(&m->lock);
    sim_user_free_process_locked(m, id);
    p->alive = 0;
    pthread_mutex_unlock(&m->lock);
}

RESMAP_SIM_API int resmap_sim_process_exit(resmap_sim_machine *m, uint32_t process)
{
    struct sim_process *p;
    void (*notify)(void *, uint32_t);
    void *io_state;
    uint32_t previous;
    int dead;

    if (m == NULL) {
        return -1;
    }
    pthread_mutex_lock(&m->lock);
    p = sim_process_locked(m, process);
    notify = m->io_on_process_exit;
    io_state = m->io_state;
    dead = m->dead;
    pthread_mutex_unlock(&m->lock);
    if (p == NULL || process == 1 || !p->alive) {
        return -1;
    }
    if (dead) {
        return 1;
    }

    /* Steps 1 and 2: the I/O manager runs the driver in the exiting process's context itself. */
    if (notify != NULL) {
        notify(io_state, process);
    }
    previous = sim_switch_process(m, process);
    dead = sim_guarded_call(m, tear_down_address_space, &process);
    sim_switch_process(m, previous == process ? 1 : previous);
    return dead ? 1 : 0;
}
