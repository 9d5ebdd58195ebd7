/*
 * sim_host.c - the budget of host mappings (VMAs) the simulator may create, and host faults.
 *
 * Every simulated mapping is a real mmap: a run of contiguous frames mapped into a PROT_NONE arena
 * becomes a host mapping of its own and may split the arena's mapping in two. Linux caps the mappings
 * of a process at vm.max_map_count; past it every mmap fails, and so does the MAP_FIXED that puts a
 * range back to PROT_NONE, so the simulator's state and the host's would drift apart. The budget
 * keeps the simulator below that cap: it is derived from the sysctl and from what the process
 * already uses when the first machine is made, leaving room for the rest of the process, and each
 * machine charges an upper bound of what it can add (sim_machine.h says which, where) before it
 * touches any state, so a request that would pass the budget fails the way Windows fails a request it
 * has no resources for.
 *
 * An arena, whatever is mapped into it, is at most 1 + 2 * (runs mapped into it) host mappings
 * (mapped runs and the gaps between them; merging only lowers the count), so charging 1 per arena
 * and 2 per mapped run bounds the real count at all times.
 */
#include "sim_machine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Host mappings left to the rest of the process (the JVM's heap, threads, libraries) on top of what
 * it had when the budget was derived: an eighth of the cap. */
#define HOST_RESERVE_DIVISOR 8
#define DEFAULT_MAX_MAP_COUNT 65530u

static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t host_limit;     /* 0 until derived */
static uint64_t host_used;

static uint64_t read_number(const char *path, uint64_t fallback)
{
    FILE *f = fopen(path, "r");
    unsigned long long v = 0;
    if (f == NULL) {
        return fallback;
    }
    if (fscanf(f, "%llu", &v) != 1) {
        v = fallback;
    }
    fclose(f);
    return v;
}

static uint64_t mappings_in_use(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    uint64_t n = 0;
    int c;
    if (f == NULL) {
        return 0;
    }
    while ((c = fgetc(f)) != EOF) {
        n += c == '\n';
    }
    fclose(f);
    return n;
}

static void derive_limit_locked(void)
{
    uint64_t cap = read_number("/proc/sys/vm/max_map_count", DEFAULT_MAX_MAP_COUNT);
    uint64_t taken = mappings_in_use() + cap / HOST_RESERVE_DIVISOR;
    host_limit = cap > taken ? cap - taken : 1;
}

int sim_host_charge(uint64_t mappings)
{
    int ok;
    pthread_mutex_lock(&host_lock);
    if (host_limit == 0) {
        derive_limit_locked();
    }
    ok = mappings <= host_limit && host_used <= host_limit - mappings;
    if (ok) {
        host_used += mappings;
    }
    pthread_mutex_unlock(&host_lock);
    return ok ? 0 : -1;
}

void sim_host_uncharge(uint64_t mappings)
{
    pthread_mutex_lock(&host_lock);
    host_used -= mappings <= host_used ? mappings : host_used;
    pthread_mutex_unlock(&host_lock);
}

uint64_t sim_runs(const PFN_NUMBER *frames, size_t count)
{
    uint64_t runs = 0;
    for (size_t i = 0; i < count; i++) {
        runs += i == 0 || frames[i] != frames[i - 1] + 1;
    }
    return runs;
}

void sim_host_fault_locked(resmap_sim_machine *m, const char *what, const void *va, size_t pages, int error)
{
    /* Loud on purpose: the host refused what the simulator cannot do without, so the machine is
     * stopped rather than left with a view of memory the host does not share. */
    fprintf(stderr, "resmap-sim: host %s of %zu pages at %p failed: %s; the machine is stopped\n", what,
            pages, va, strerror(error));
    if (!m->dead) {
        m->bug_code = SIM_HOST_FAULT;
        m->bug_params[0] = (ULONG_PTR)error;
        m->bug_params[1] = (ULONG_PTR)va;
        m->bug_params[2] = pages;
        m->bug_params[3] = 0;
        __atomic_store_n(&m->dead, 1, __ATOMIC_RELEASE); /* read without the lock by sim_check_call */
        if (m->tracing) {
            char line[256];
            sim_format_bugcheck_locked(m, "*** STOP ", m->bug_code, m->bug_params, line, sizeof(line));
            sim_trace_line_locked(m, line);
        }
    }
}

RESMAP_SIM_API void resmap_sim_host_budget(uint64_t *used, uint64_t *limit)
{
    pthread_mutex_lock(&host_lock);
    if (host_limit == 0) {
        derive_limit_locked();
    }
    if (used != NULL) {
        *used = host_used;
    }
    if (limit != NULL) {
        *limit = host_limit;
    }
    pthread_mutex_unlock(&host_lock);
}

RESMAP_SIM_API void resmap_sim_set_host_budget(uint64_t limit)
{
    pthread_mutex_lock(&host_lock);
    if (limit == 0) {
        derive_limit_locked();
    } else {
        host_limit = limit;
    }
    pthread_mutex_unlock(&host_lock);
}

int sim_machine_charge_locked(resmap_sim_machine *m, uint64_t mappings)
{
    if (sim_host_charge(mappings) != 0) {
        return -1;
    }
    m->host_charged += mappings;
    return 0;
}

void sim_machine_uncharge_locked(resmap_sim_machine *m, uint64_t mappings)
{
    sim_host_uncharge(mappings);
    m->host_charged -= mappings;
}
