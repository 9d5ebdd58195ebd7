/*
 * test_sim_fault_injection.c - "any allocation the kernel could refuse can be made to fail on a
 * chosen call": resmap_sim_fail_nth makes the n-th next allocation of one kind fail the way the kernel
 * fails it (NULL, no bugcheck), resmap_sim_allocations counts the attempts, and a failure leaves
 * nothing behind.
 */
#include "sim_fixture.h"

static const int kinds[] = { RESMAP_SIM_FAULT_RESERVATION, RESMAP_SIM_FAULT_PAGES, RESMAP_SIM_FAULT_MDL,
                             RESMAP_SIM_FAULT_POOL, RESMAP_SIM_FAULT_MAPPING };
#define KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* One allocation of a kind, released at once; returns whether it succeeded. */
static int allocate_one(int kind)
{
    PHYSICAL_ADDRESS low, high, skip;
    PVOID p;
    PMDL mdl;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    switch (kind) {
    case RESMAP_SIM_FAULT_RESERVATION:
        p = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        if (p != NULL) {
            MmFreeMappingAddress(p, TAG_A);
        }
        return p != NULL;
    case RESMAP_SIM_FAULT_PAGES:
        mdl = MmAllocatePagesForMdlEx(low, high, skip, PAGE_SIZE, MmCached, 0);
        if (mdl != NULL) {
            free_pages(mdl);
        }
        return mdl != NULL;
    case RESMAP_SIM_FAULT_MDL:
        mdl = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
        if (mdl != NULL) {
            IoFreeMdl(mdl);
        }
        return mdl != NULL;
    case RESMAP_SIM_FAULT_POOL:
        p = ExAllocatePoolWithTag(NonPagedPoolNx, 32, TAG_A);
        if (p != NULL) {
            ExFreePoolWithTag(p, TAG_A);
        }
        return p != NULL;
    default:
        mdl = MmAllocatePagesForMdlEx(low, high, skip, PAGE_SIZE, MmCached, 0);
        p = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
        if (p != NULL) {
            MmUnmapLockedPages(p, mdl);
        }
        free_pages(mdl);
        return p != NULL;
    }
}

/* n = 1 fails the very next allocation of that kind; n = 3 the third; then the kind works again. */
static void the_nth_allocation_of_each_kind_fails(void)
{
    for (size_t k = 0; k < KINDS; k++) {
        resmap_sim_machine *m = machine();
        CHECK(resmap_sim_fail_nth(m, kinds[k], 1) == 0, "kind %d refused", kinds[k]);
        CHECK(!allocate_one(kinds[k]), "kind %d: the 1st allocation succeeded", kinds[k]);
        CHECK(allocate_one(kinds[k]), "kind %d: the allocation after it failed", kinds[k]);
        resmap_sim_fail_nth(m, kinds[k], 3);
        int results[4];
        for (int i = 0; i < 4; i++) {
            results[i] = allocate_one(kinds[k]);
        }
        CHECK(results[0] && results[1] && !results[2] && results[3], "kind %d: %d %d %d %d", kinds[k],
              results[0], results[1], results[2], results[3]);
        CHECK_CLEAN(m);
        resmap_sim_destroy(m);
    }
}

/* A planned failure of one kind leaves the other kinds alone; n = 0 cancels it. */
static void a_planned_failure_is_per_kind_and_can_be_cancelled(void)
{
    for (size_t k = 0; k < KINDS; k++) {
        resmap_sim_machine *m = machine();
        resmap_sim_fail_nth(m, kinds[k], 1);
        for (size_t other = 0; other < KINDS; other++) {
            /* allocate_one(MAPPING) allocates pages too, so it would meet a planned PAGES failure. */
            if (kinds[other] == kinds[k] ||
                (kinds[other] == RESMAP_SIM_FAULT_MAPPING && kinds[k] == RESMAP_SIM_FAULT_PAGES)) {
                continue;
            }
            CHECK(allocate_one(kinds[other]), "kind %d failed while %d was planned", kinds[other],
                  kinds[k]);
        }
        resmap_sim_fail_nth(m, kinds[k], 0);
        CHECK(allocate_one(kinds[k]), "kind %d: failed after the cancel", kinds[k]);
        CHECK_CLEAN(m);
        resmap_sim_destroy(m);
    }
}

/* resmap_sim_allocations counts attempts, failed ones included; unknown kinds are refused. */
static void attempts_are_counted_per_kind(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_fail_nth(m, RESMAP_SIM_FAULT_MDL, 2);
    for (int i = 0; i < 5; i++) {
        allocate_one(RESMAP_SIM_FAULT_MDL);
    }
    CHECK(resmap_sim_allocations(m, RESMAP_SIM_FAULT_MDL) == 5, "%llu",
          (unsigned long long)resmap_sim_allocations(m, RESMAP_SIM_FAULT_MDL));
    CHECK(resmap_sim_allocations(m, RESMAP_SIM_FAULT_RESERVATION) == 0, "%llu",
          (unsigned long long)resmap_sim_allocations(m, RESMAP_SIM_FAULT_RESERVATION));
    CHECK(resmap_sim_fail_nth(m, 0, 1) == -1 && resmap_sim_fail_nth(m, 6, 1) == -1 &&
          resmap_sim_fail_nth(NULL, RESMAP_SIM_FAULT_MDL, 1) == -1, "%s", "an unknown kind accepted");
    CHECK(resmap_sim_allocations(m, 6) == 0 && resmap_sim_allocations(NULL, 1) == 0, "%s",
          "attempts of an unknown kind");
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* A scenario that needs every kind - reserve, allocate pages, build a partial MDL, map it reserved,
 * map the pages ordinarily, allocate pool - that stops cleanly at whatever fails. */
static int lifecycle(void)
{
    PHYSICAL_ADDRESS low, high, skip;
    int done = 0;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    PMDL pages = base == NULL ? NULL : MmAllocatePagesForMdlEx(low, high, skip, 2 * PAGE_SIZE, MmCached, 0);
    PMDL partial = pages == NULL ? NULL : IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    PVOID ordinary = NULL;
    PVOID block = NULL;
    if (partial != NULL) {
        IoBuildPartialMdl(pages, partial, NULL, PAGE_SIZE);
        if (MmMapLockedPagesWithReservedMapping(base, TAG_A, partial, MmCached) == base) {
            ordinary = MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE,
                                                    NormalPagePriority);
            block = ordinary == NULL ? NULL : ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, TAG_A);
            done = block != NULL;
            MmUnmapReservedMapping(base, TAG_A, partial);
        }
        IoFreeMdl(partial);
    }
    if (block != NULL) {
        ExFreePoolWithTag(block, TAG_A);
    }
    if (ordinary != NULL) {
        MmUnmapLockedPages(ordinary, pages);
    }
    if (pages != NULL) {
        free_pages(pages);
    }
    if (base != NULL) {
        MmFreeMappingAddress(base, TAG_A);
    }
    return done;
}

/* SQLite's way: fail the 1st, 2nd, ... allocation of each kind until the scenario gets through; every
 * failed run ends without a bugcheck and with every counter back to zero. */
static void every_failure_point_of_a_lifecycle_is_clean(void)
{
    for (size_t k = 0; k < KINDS; k++) {
        uint32_t n = 1;
        for (;; n++) {
            resmap_sim_machine *m = machine();
            resmap_sim_fail_nth(m, kinds[k], n);
            int done = lifecycle();
            uint64_t attempts = resmap_sim_allocations(m, kinds[k]);
            CHECK_CLEAN(m);
            resmap_sim_destroy(m);
            if (done) {
                CHECK(attempts < n, "kind %d: done although attempt %u failed", kinds[k], n);
                break;
            }
            if (n > 16) {
                CHECK(0, "kind %d: still failing after %u", kinds[k], n);
                break;
            }
        }
        CHECK(n >= 2, "kind %d: the lifecycle never allocated it", kinds[k]);
    }
}

int main(void)
{
    RUN(the_nth_allocation_of_each_kind_fails);
    RUN(a_planned_failure_is_per_kind_and_can_be_cancelled);
    RUN(attempts_are_counted_per_kind);
    RUN(every_failure_point_of_a_lifecycle_is_clean);
    return CHECK_DONE();
}
