/*
 * sim_iohooks.h - what the simulated I/O manager (iomgr.c) needs from the simulated kernel.
 *
 * Internal to libresmap-sim. The kernel model (machine, Mm*, Io*, Ex*, bugchecks) is on one side, the
 * I/O manager that feeds the driver core sessions and IOCTLs is on the other; this is the whole seam.
 */
#ifndef SIM_IOHOOKS_H
#define SIM_IOHOOKS_H

#include "resmap_sim.h"

/*
 * Runs fn(ctx) as kernel code of machine m: m is the calling thread's current machine for the duration
 * (the previous selection is restored afterwards) and the thread runs at PASSIVE_LEVEL.
 * If the machine bugchecks while fn runs, fn is abandoned at that point (the real kernel never returns
 * from a bugcheck either) and the call returns 1. If the machine had already bugchecked, fn is not
 * called and the call returns 1. Otherwise it returns 0. Calls may nest on one thread.
 */
int sim_guarded_call(resmap_sim_machine *m, void (*fn)(void *ctx), void *ctx);

/*
 * The I/O manager's per-machine state. The kernel model keeps one pointer for it and, when the machine
 * is destroyed, calls on_destroy(state, dead) first: dead is 1 if the machine has bugchecked, in which
 * case the driver core must not run again and only host memory (malloc) may be released; the machine's
 * pool, MDLs, frames and mappings are reclaimed by the kernel model itself.
 */
void sim_set_io_state(resmap_sim_machine *m, void *state, void (*on_destroy)(void *state, int dead));
void *sim_get_io_state(resmap_sim_machine *m);

/* Process exit (resmap_sim_process_exit) calls on_process_exit(state, process) first, the way Windows
 * runs process-notify routines and then closes the process's handles, before it checks for pages the
 * process still has locked. */
void sim_set_io_process_exit(resmap_sim_machine *m, void (*on_process_exit)(void *state, uint32_t process));

/* Makes the calling thread run in simulated process `process` on machine m (as
 * resmap_sim_process_attach does) and returns the one it ran in before, for restoring. */
uint32_t sim_switch_process(resmap_sim_machine *m, uint32_t process);

/* Adjusts resmap_sim_counters.sessions. */
void sim_count_sessions(resmap_sim_machine *m, int delta);

#endif /* SIM_IOHOOKS_H */
