/*
 * test_sim_machines.c - machines: configuration and its limits, several independent machines in one
 * process each selected per thread, several threads on one machine, no machine at all, and the
 * counters that every other test uses as its leak check.
 */
#include "sim_fixture.h"

#include <pthread.h>

#define THREADS 4
#define ROUNDS 200

static resmap_sim_machine *create(uint32_t physical_pages, uint32_t system_ptes)
{
    resmap_sim_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.physical_pages = physical_pages;
    cfg.system_ptes = system_ptes;
    return resmap_sim_create(&cfg);
}

/* One reserve, allocate, map, write, read, unmap, free; returns whether every step worked. */
static int lifecycle(void)
{
    PHYSICAL_ADDRESS low, high, skip;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    PUCHAR base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    PMDL pages = MmAllocatePagesForMdlEx(low, high, skip, 2 * PAGE_SIZE, MmCached, 0);
    int ok = base != NULL && pages != NULL;
    if (ok) {
        PUCHAR va = MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
        ok = va == base;
        if (ok) {
            va[PAGE_SIZE] = 0x5E;
            ok = va[PAGE_SIZE] == 0x5E;
            MmUnmapReservedMapping(base, TAG_A, pages);
        }
    }
    if (pages != NULL) {
        free_pages(pages);
    }
    if (base != NULL) {
        MmFreeMappingAddress(base, TAG_A);
    }
    return ok;
}

/* NULL takes the defaults (8192 frames, 4096 system PTEs, the newest build); zero fields too. */
static void a_null_configuration_takes_the_defaults(void)
{
    resmap_sim_counters c;
    resmap_sim_machine *m = resmap_sim_create(NULL);
    resmap_sim_select(m);
    resmap_sim_get_counters(m, &c);
    CHECK(c.frames_total == 8192 && c.ptes_total == 4096, "%llu frames %llu PTEs",
          (unsigned long long)c.frames_total, (unsigned long long)c.ptes_total);
    PVOID base = MmAllocateMappingAddressEx(PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    CHECK(base != NULL, "%s", "no MmAllocateMappingAddressEx on the default build");
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Bounds on one machine's host footprint; a pool of 3 PTEs is the smallest that holds a reservation
 * (one page and its two headers). */
static void configurations_out_of_bounds_are_refused(void)
{
    CHECK(create(65537, 0) == NULL, "%s", "a machine of more than 65536 frames");
    CHECK(create(0, 262145) == NULL, "%s", "a machine of more than 262144 PTEs");
    CHECK(create(0, 2) == NULL, "%s", "a machine of 2 PTEs");
    resmap_sim_machine *m = create(16, 3);
    CHECK(m != NULL, "%s", "no machine of 3 PTEs");
    resmap_sim_select(m);
    PVOID base = MmAllocateMappingAddress(1, TAG_A);
    CHECK(base != NULL, "%s", "no reservation in 3 PTEs");
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* An older, shorter configuration struct is read only as far as its struct_size says. */
static void a_shorter_configuration_is_read_as_far_as_it_goes(void)
{
    resmap_sim_counters c;
    resmap_sim_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.struct_size = (uint32_t)offsetof(resmap_sim_config, system_ptes);
    cfg.physical_pages = 64;
    cfg.system_ptes = 5;
    cfg.flags = RESMAP_SIM_FLAG_TRACE;
    resmap_sim_machine *m = resmap_sim_create(&cfg);
    resmap_sim_select(m);
    resmap_sim_get_counters(m, &c);
    CHECK(c.frames_total == 64 && c.ptes_total == 4096, "%llu frames %llu PTEs",
          (unsigned long long)c.frames_total, (unsigned long long)c.ptes_total);
    char line[8];
    MmAllocateMappingAddress(PAGE_SIZE, 0);
    CHECK(resmap_sim_trace_read(m, line, sizeof(line)) == 0, "%s", "a trace the struct did not ask for");
    resmap_sim_destroy(m);
}

/* The pool limit of the configuration bounds pool blocks (MDLs are not counted in it). */
static void the_pool_limit_bounds_pool_blocks(void)
{
    resmap_sim_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool_bytes = 1024;
    resmap_sim_machine *m = resmap_sim_create(&cfg);
    resmap_sim_select(m);
    PVOID all = ExAllocatePool2(POOL_FLAG_NON_PAGED, 1024, TAG_A);
    CHECK(all != NULL, "%s", "no block of the whole pool");
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 1, TAG_A) == NULL, "%s", "a block beyond the pool");
    PMDL mdl = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    CHECK(mdl != NULL, "%s", "no MDL with the pool full");
    IoFreeMdl(mdl);
    ExFreePoolWithTag(all, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* With no machine selected the kernel functions do nothing and fail; the resmap_sim_* functions take
 * a NULL machine as "nothing to do". */
static void without_a_machine_nothing_happens(void)
{
    resmap_sim_counters c;
    uint8_t byte;
    resmap_sim_select(NULL);
    CHECK(MmAllocateMappingAddress(PAGE_SIZE, TAG_A) == NULL, "%s", "a reservation on no machine");
    CHECK(IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL) == NULL, "%s", "an MDL on no machine");
    MmFreeMappingAddress(NULL, TAG_A);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "IRQL %u", KeGetCurrentIrql());
    CHECK(resmap_sim_bugcheck(NULL, NULL, NULL) == 0 && resmap_sim_get_counters(NULL, &c) == -1 &&
          resmap_sim_touch(NULL, &byte, &byte) == -1 && resmap_sim_irql(NULL) == 0, "%s",
          "an answer about no machine");
    resmap_sim_set_irql(NULL, DISPATCH_LEVEL);
    resmap_sim_trace_enable(NULL, 1);
    resmap_sim_destroy(NULL);
    resmap_sim_machine *m = machine();
    CHECK(resmap_sim_get_counters(m, NULL) == -1, "%s", "counters into NULL");
    resmap_sim_destroy(m);
}

/* Every kernel call counts, failed ones included. */
static void kernel_calls_are_counted(void)
{
    resmap_sim_counters c;
    resmap_sim_machine *m = machine();
    CHECK(lifecycle(), "%s", "a failed lifecycle");
    MmAllocateMappingAddress(PAGE_SIZE, 0);
    resmap_sim_get_counters(m, &c);
    /* reserve, allocate pages, map, unmap, free pages, free the MDL, free the range, the failed one */
    CHECK(c.calls == 8, "%llu calls", (unsigned long long)c.calls);
    resmap_sim_destroy(m);
}

struct worker {
    resmap_sim_machine *m;      /* NULL: the worker makes its own */
    int bugcheck;               /* this worker's machine bugchecks halfway */
    int good;
    int selected_own;
    resmap_sim_counters after;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    int own = w->m == NULL;
    resmap_sim_machine *m = own ? machine() : w->m;
    resmap_sim_select(m);
    for (int i = 0; i < ROUNDS; i++) {
        if (w->bugcheck && i == ROUNDS / 2) {
            MmAllocateMappingAddress(0, TAG_A);
        }
        w->good += lifecycle();
    }
    w->selected_own = resmap_sim_current() == m;
    resmap_sim_get_counters(m, &w->after);
    if (own) {
        resmap_sim_destroy(m);
    }
    return NULL;
}

/* Several machines in one process, one per thread, run side by side; a bugcheck on one leaves the
 * others running; the main thread's own selection is untouched. */
static void machines_are_independent_and_selected_per_thread(void)
{
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    resmap_sim_machine *mine = machine();
    memset(workers, 0, sizeof(workers));
    workers[0].bugcheck = 1;
    for (int i = 0; i < THREADS; i++) {
        pthread_create(&threads[i], NULL, work, &workers[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    CHECK(workers[0].good == ROUNDS / 2, "%d good rounds on the dying machine", workers[0].good);
    for (int i = 1; i < THREADS; i++) {
        CHECK(workers[i].good == ROUNDS && workers[i].after.calls == (uint64_t)ROUNDS * 7,
              "worker %d: %d good rounds, %llu calls", i, workers[i].good,
              (unsigned long long)workers[i].after.calls);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(workers[i].selected_own, "worker %d lost its machine", i);
    }
    CHECK(resmap_sim_current() == mine, "%p", (void *)resmap_sim_current());
    CHECK_CLEAN(mine);
    resmap_sim_destroy(mine);
}

/* A reservation of one machine is no reservation of another. */
static void an_address_of_one_machine_means_nothing_to_another(void)
{
    uint64_t p[4];
    resmap_sim_machine *a = machine();
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    resmap_sim_machine *b = machine();
    MmFreeMappingAddress(base, TAG_A);
    CHECK_BUGCHECK(b, SYSTEM_PTE_MISUSE, PTE_MISUSE_NOT_A_RESERVATION, p);
    CHECK(!resmap_sim_bugcheck(a, NULL, NULL), "%s", "the other machine bugchecked");
    resmap_sim_select(a);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(a);
    resmap_sim_destroy(a);
    resmap_sim_destroy(b);
}

/* Threads sharing one machine: every lifecycle works and the counters come back to zero. */
static void threads_share_one_machine_safely(void)
{
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    resmap_sim_machine *m = machine();
    memset(workers, 0, sizeof(workers));
    for (int i = 0; i < THREADS; i++) {
        workers[i].m = m;
        pthread_create(&threads[i], NULL, work, &workers[i]);
    }
    int good = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        good += workers[i].good;
    }
    CHECK(good == THREADS * ROUNDS, "%d good rounds", good);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(a_null_configuration_takes_the_defaults);
    RUN(configurations_out_of_bounds_are_refused);
    RUN(a_shorter_configuration_is_read_as_far_as_it_goes);
    RUN(the_pool_limit_bounds_pool_blocks);
    RUN(without_a_machine_nothing_happens);
    RUN(kernel_calls_are_counted);
    RUN(machines_are_independent_and_selected_per_thread);
    RUN(an_address_of_one_machine_means_nothing_to_another);
    RUN(threads_share_one_machine_safely);
    return CHECK_DONE();
}
