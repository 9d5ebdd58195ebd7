/*
 * test_sim_pool.c - the machine's pool: ExAllocatePool2 and ExAllocatePoolWithTag, their flags and
 * contents, how blocks are counted and traced, and ExFreePool[WithTag]. Misuse (double frees, foreign
 * addresses, wrong tags, IRQL) is in test_sim_verifier.c.
 */
#include "sim_fixture.h"

static size_t bytes_equal_to(const uint8_t *p, size_t n, uint8_t value)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        count += p[i] == value;
    }
    return count;
}

/* ExAllocatePool2 zeroes unless asked not to; ExAllocatePoolWithTag never does, and the simulator
 * fills such blocks with 0xA5 so that reading what was never written shows. */
static void blocks_are_zeroed_only_by_ex_allocate_pool2(void)
{
    resmap_sim_machine *m = machine();
    uint8_t *zeroed = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, TAG_A);
    uint8_t *raw = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, 100, TAG_A);
    uint8_t *old_style = ExAllocatePoolWithTag(NonPagedPoolNx, 100, TAG_A);
    CHECK(zeroed != NULL && bytes_equal_to(zeroed, 100, 0) == 100, "%s", "a block not zeroed");
    CHECK(raw != NULL && bytes_equal_to(raw, 100, 0xA5) == 100, "%s", "an uninitialized block zeroed");
    CHECK(old_style != NULL && bytes_equal_to(old_style, 100, 0xA5) == 100, "%s",
          "an ExAllocatePoolWithTag block zeroed");
    ExFreePoolWithTag(zeroed, TAG_A);
    ExFreePoolWithTag(raw, TAG_A);
    ExFreePool(old_style);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* ExAllocatePool2 needs exactly one of POOL_FLAG_PAGED and POOL_FLAG_NON_PAGED and no flag the
 * simulator does not know; otherwise NULL, with no bugcheck and no allocation attempt counted. */
static void ex_allocate_pool2_refuses_flags_it_cannot_honour(void)
{
    resmap_sim_machine *m = machine();
    const POOL_FLAGS refused[] = { 0, POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED,
                                   POOL_FLAG_NON_PAGED | 0x1000, POOL_FLAG_UNINITIALIZED };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        CHECK(ExAllocatePool2(refused[i], 16, TAG_A) == NULL, "flags 0x%llX gave a block",
              (unsigned long long)refused[i]);
    }
    CHECK(resmap_sim_allocations(m, RESMAP_SIM_FAULT_POOL) == 0, "%llu attempts",
          (unsigned long long)resmap_sim_allocations(m, RESMAP_SIM_FAULT_POOL));
    PVOID paged = ExAllocatePool2(POOL_FLAG_PAGED, 16, TAG_A);
    CHECK(paged != NULL, "%s", "no paged block");
    ExFreePoolWithTag(paged, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Pool blocks are counted (MDLs separately) and traced as pool#N. */
static void blocks_are_counted_and_traced(void)
{
    char trace[512];
    resmap_sim_counters c;
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_TRACE);
    PVOID a = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, TAG_A);
    PVOID b = ExAllocatePoolWithTag(PagedPool, 32, TAG_B);
    PMDL mdl = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    resmap_sim_get_counters(m, &c);
    CHECK(c.pool_allocations == 2 && c.pool_bytes == 96 && c.mdls == 1, "%llu blocks of %llu bytes",
          (unsigned long long)c.pool_allocations, (unsigned long long)c.pool_bytes);
    ExFreePoolWithTag(a, TAG_A);
    ExFreePool(b);
    IoFreeMdl(mdl);
    resmap_sim_trace_read(m, trace, sizeof(trace));
    CHECK(strcmp(trace, "ExAllocatePool2(nonpaged, 64, 'RsMp') = pool#1+0x0\n"
                        "ExAllocatePoolWithTag(paged, 32, 'RsMq') = pool#2+0x0\n"
                        "IoAllocateMdl(NULL, 4096) = mdl#3\n"
                        "ExFreePoolWithTag(pool#1+0x0, 'RsMp')\n"
                        "ExFreePool(pool#2+0x0)\n"
                        "IoFreeMdl(mdl#3)\n") == 0, "\n%s", trace);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Blocks are found by address through an index that grows and shrinks: thousands of live blocks freed
 * in an order unlike their allocation order are each found once, and a second free of any of them is
 * still recognised. */
static void many_blocks_are_each_found_until_freed(void)
{
    enum { COUNT = 3000 };
    static PVOID blocks[COUNT];
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
    size_t freed = 0;
    for (size_t i = 0; i < COUNT; i++) {
        blocks[i] = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8 + i % 64, TAG_A);
    }
    /* Every 7th first, then the rest backwards: runs of the index are cut in the middle. */
    for (size_t i = 0; i < COUNT; i += 7) {
        ExFreePoolWithTag(blocks[i], TAG_A);
        freed++;
    }
    for (size_t i = COUNT; i-- > 0;) {
        if (i % 7 != 0) {
            ExFreePoolWithTag(blocks[i], TAG_A);
            freed++;
        }
    }
    CHECK(freed == COUNT && resmap_sim_bugcheck(m, NULL, NULL) == 0, "bugchecked after %zu frees",
          freed);
    CHECK_CLEAN(m);
    uint64_t p[4];
    ExFreePoolWithTag(blocks[1], TAG_A); /* the last one freed */
    CHECK_BUGCHECK(m, BAD_POOL_CALLER, BAD_POOL_FREE_TWICE, p);
    CHECK(p[3] == (uint64_t)(uintptr_t)blocks[1], "P4 0x%llX", (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(blocks_are_zeroed_only_by_ex_allocate_pool2);
    RUN(ex_allocate_pool2_refuses_flags_it_cannot_honour);
    RUN(blocks_are_counted_and_traced);
    RUN(many_blocks_are_each_found_until_freed);
    return CHECK_DONE();
}
