/*
 * test_sim_pool_frames.c - pool has frames behind it: where ExAllocatePool2 places blocks [D],
 * MmProbeAndLockPages(KernelMode) of pool [D][R], MmBuildMdlForNonPagedPool and the misuse its page
 * forbids [D], and (AddressSanitizer builds) the poison around every block.
 */
#include "sim_fixture.h"
#include "sim_machine.h" /* sim_pool_frame_is_pool: whether a frame is one of the pool arena's */

#if defined(__SANITIZE_ADDRESS__)
#define POOL_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_TEST_ASAN 1
#endif
#endif
#ifdef POOL_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

static PMDL mdl_for(void *va, ULONG bytes)
{
    PMDL mdl = IoAllocateMdl(va, bytes, FALSE, FALSE, NULL);
    CHECK(mdl != NULL, "IoAllocateMdl(%u) returned NULL", bytes);
    return mdl;
}

/* ExAllocatePoolWithTag's page [D]: "If NumberOfBytes is PAGE_SIZE or greater, a page-aligned
 * buffer is allocated"; smaller requests are 16-byte aligned on x64 and do not cross a page. */
static void blocks_are_placed_as_the_pool_page_says(void)
{
    resmap_sim_machine *m = machine();
    static const size_t sizes[] = { 1, 16, 17, 100, 2048, 2049, 4095 };
    void *small[64];
    size_t n = 0;
    for (size_t round = 0; round < 9; round++) {
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            uintptr_t p = (uintptr_t)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizes[k], TAG_A);
            CHECK(p != 0 && p % 16 == 0, "%zu bytes at 0x%llx", sizes[k], (unsigned long long)p);
            CHECK(p / PAGE_SIZE == (p + sizes[k] - 1) / PAGE_SIZE, "%zu bytes cross a page", sizes[k]);
            small[n++] = (void *)p;
        }
    }
    uintptr_t page = (uintptr_t)ExAllocatePool2(POOL_FLAG_PAGED, PAGE_SIZE, TAG_A);
    uintptr_t large = (uintptr_t)ExAllocatePoolWithTag(NonPagedPoolNx, 3 * PAGE_SIZE + 1, TAG_A);
    CHECK(page != 0 && page % PAGE_SIZE == 0, "a page at 0x%llx", (unsigned long long)page);
    CHECK(large != 0 && large % PAGE_SIZE == 0, "a large block at 0x%llx", (unsigned long long)large);
    for (size_t i = 0; i < n; i++) {
        ExFreePoolWithTag(small[i], TAG_A);
    }
    ExFreePoolWithTag((void *)page, TAG_A);
    ExFreePool((void *)large);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* MmProbeAndLockPages' page [D]: KernelMode locks nonpaged memory too; the MDL then names the frames
 * behind the block, which a system mapping shows with the block's own bytes. System memory belongs
 * to no process, so the MDL names none [R]. */
static void kernel_mode_locks_nonpaged_pool_and_maps_its_frames(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    size_t bytes = 2 * PAGE_SIZE + 100;
    uint8_t *block = ExAllocatePool2(POOL_FLAG_NON_PAGED, bytes, TAG_A);
    PMDL mdl = mdl_for(block + 8, (ULONG)(bytes - 8));
    memset(block, 0x3C, bytes);
    CHECK(ResmapProbeAndLockPages(mdl, KernelMode, IoWriteAccess) == STATUS_SUCCESS, "%s", "refused");
    CHECK((mdl->MdlFlags & MDL_PAGES_LOCKED) && mdl->Process == NULL, "flags 0x%X, process %p",
          (unsigned)mdl->MdlFlags, (void *)mdl->Process);
    for (size_t i = 0; i < 3; i++) {
        CHECK(sim_pool_frame_is_pool(m, MmGetMdlPfnArray(mdl)[i]), "frame %zu is 0x%llx", i,
              (unsigned long long)MmGetMdlPfnArray(mdl)[i]);
    }
    CHECK(MmGetMdlPfnArray(mdl)[1] == MmGetMdlPfnArray(mdl)[0] + 1, "%s", "the block's pages scattered");
    resmap_sim_get_counters(m, &c);
    CHECK(c.frames_locked == 3 && c.frames_user == 0 && c.frames_allocated == 0, "%llu frames locked",
          (unsigned long long)c.frames_locked);

    /* The page's own caching type wins [D]: pool is cached memory whatever the caller asks. */
    uint8_t *view = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmNonCached, NULL, FALSE,
                                                 NormalPagePriority | MdlMappingNoExecute);
    CHECK(view != NULL && view != block + 8, "view %p", (void *)view);
    CHECK(resmap_sim_mapping_cache_type(m, view) == MmCached, "cache type %d",
          resmap_sim_mapping_cache_type(m, view));
    CHECK(view[0] == 0x3C && view[bytes - 9] == 0x3C, "%s", "the view shows other bytes");
    view[1] = 0x5A;
    CHECK(block[9] == 0x5A, "%s", "a write through the view did not reach the block");

    MmUnlockPages(mdl); /* releases the view as well [D] */
    resmap_sim_get_counters(m, &c);
    CHECK(c.frames_locked == 0 && c.ordinary_mappings == 0, "%llu locked, %llu mappings",
          (unsigned long long)c.frames_locked, (unsigned long long)c.ordinary_mappings);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(block, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* What the project is for: a driver reserves once and maps its own pool buffer into it on demand. */
static void a_locked_pool_buffer_maps_into_a_reservation(void)
{
    resmap_sim_machine *m = machine();
    uint32_t *block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 2 * PAGE_SIZE, TAG_B);
    PVOID base = MmAllocateMappingAddress(4 * PAGE_SIZE, TAG_A);
    PMDL mdl = mdl_for(block, 2 * PAGE_SIZE);
    block[PAGE_SIZE / 4] = 0xC0FFEEu;
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    uint32_t *mapped = MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    CHECK(mapped == base && mapped[PAGE_SIZE / 4] == 0xC0FFEEu, "mapped %p", (void *)mapped);
    MmUnmapReservedMapping(base, TAG_A, mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    MmFreeMappingAddress(base, TAG_A);
    ExFreePoolWithTag(block, TAG_B);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* [R] a UserMode probe of a system address raises STATUS_ACCESS_VIOLATION before touching it; a
 * KernelMode probe of pool that no block holds faults like any address without a page. */
static void pool_is_refused_to_user_mode_and_where_no_block_is(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    uint8_t *block = ExAllocatePool2(POOL_FLAG_NON_PAGED, PAGE_SIZE, TAG_A);
    PMDL mdl = mdl_for(block, PAGE_SIZE);
    CHECK(ResmapProbeAndLockPages(mdl, UserMode, IoReadAccess) == STATUS_ACCESS_VIOLATION, "%s",
          "UserMode locked pool");
    ExFreePoolWithTag(block, TAG_A); /* its page goes back to the arena */
    CHECK(ResmapProbeAndLockPages(mdl, KernelMode, IoReadAccess) == STATUS_ACCESS_VIOLATION, "%s",
          "a freed page locked");
    resmap_sim_get_counters(m, &c);
    CHECK(c.frames_locked == 0 && !(mdl->MdlFlags & MDL_PAGES_LOCKED), "%llu locked",
          (unsigned long long)c.frames_locked);
    IoFreeMdl(mdl);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* [D] pageable memory is locked at or below APC_LEVEL, nonpageable memory up to DISPATCH_LEVEL: with
 * Verifier, paged pool at DISPATCH_LEVEL faults (0x0A, as for user memory); nonpaged pool locks. */
static void paged_pool_is_pageable_and_nonpaged_pool_is_not(void)
{
    resmap_sim_machine *m = machine();
    uint64_t p[4];
    KIRQL old;
    uint8_t *nonpaged = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, TAG_A);
    uint8_t *paged = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_A);
    PMDL a = mdl_for(nonpaged, 64), b = mdl_for(paged, 64);
    CHECK((uintptr_t)nonpaged / PAGE_SIZE != (uintptr_t)paged / PAGE_SIZE, "%s",
          "paged and nonpaged pool share a page");
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    MmProbeAndLockPages(a, KernelMode, IoReadAccess);
    CHECK(!resmap_sim_bugcheck(m, NULL, NULL) && (a->MdlFlags & MDL_PAGES_LOCKED), "%s",
          "nonpaged pool not locked at DISPATCH_LEVEL");
    MmUnlockPages(a);
    MmProbeAndLockPages(b, KernelMode, IoReadAccess);
    CHECK_BUGCHECK(m, IRQL_NOT_LESS_OR_EQUAL, (uintptr_t)paged, p);
    CHECK(p[1] == DISPATCH_LEVEL && p[2] == 0 && p[3] == (uintptr_t)MmProbeAndLockPages, "P2 %llu",
          (unsigned long long)p[1]);
    resmap_sim_destroy(m);
}

/* MmBuildMdlForNonPagedPool's page [D]: the MDL describes the frames, MmGetSystemAddressForMdlSafe
 * returns the buffer itself, nothing is locked and no PTE is used. */
static void build_mdl_for_nonpaged_pool_describes_the_buffer(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    uint8_t *block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 3 * PAGE_SIZE, TAG_A);
    PMDL mdl = mdl_for(block + 100, PAGE_SIZE);
    MmBuildMdlForNonPagedPool(mdl);
    CHECK((mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) && !(mdl->MdlFlags & MDL_PAGES_LOCKED) &&
          mdl->Process == NULL, "flags 0x%X", (unsigned)mdl->MdlFlags);
    CHECK(sim_pool_frame_is_pool(m, MmGetMdlPfnArray(mdl)[0]) &&
          MmGetMdlPfnArray(mdl)[1] == MmGetMdlPfnArray(mdl)[0] + 1, "frames 0x%llx 0x%llx",
          (unsigned long long)MmGetMdlPfnArray(mdl)[0], (unsigned long long)MmGetMdlPfnArray(mdl)[1]);
    CHECK(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == block + 100, "%s", "another address");
    resmap_sim_get_counters(m, &c);
    CHECK(c.ptes_used == 0 && c.frames_locked == 0, "%llu PTEs", (unsigned long long)c.ptes_used);

    /* Its frames are resident: a reserved mapping of them needs no lock. */
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    block[100] = 0x77;
    uint8_t *mapped = MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    CHECK(mapped != NULL && mapped[0] == 0x77, "mapped %p", (void *)mapped);
    MmUnmapReservedMapping(base, TAG_A, mdl);
    MmFreeMappingAddress(base, TAG_A);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(block, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* [D] such an MDL must not be locked, unlocked, or given a second system mapping. With Verifier those
 * are its documented MDL checks: 0xB0 and 0xB2 name the forbidding flag, 0x7C an MDL never locked. */
static void build_mdl_for_nonpaged_pool_misuse_is_verifiers_mdl_checks(void)
{
    struct {
        int step;
        ULONG sub;
    } cases[] = { { 0, VERIFIER_PROBE_BAD_FLAGS }, { 1, VERIFIER_MAP_BAD_FLAGS },
                  { 2, VERIFIER_UNLOCK_NEVER_LOCKED } };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        resmap_sim_machine *m = machine();
        uint64_t p[4];
        uint8_t *block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 256, TAG_A);
        PMDL mdl = mdl_for(block, 256);
        MmBuildMdlForNonPagedPool(mdl);
        if (cases[k].step == 0) {
            MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
        } else if (cases[k].step == 1) {
            CHECK(MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE,
                                               NormalPagePriority) == NULL, "%s", "a second mapping");
        } else {
            MmUnlockPages(mdl);
        }
        CHECK_BUGCHECK(m, DRIVER_VERIFIER_DETECTED_VIOLATION, cases[k].sub, p);
        CHECK(p[1] == (uintptr_t)mdl, "P2 0x%llx", (unsigned long long)p[1]);
        CHECK(cases[k].step == 2 || p[3] == MDL_SOURCE_IS_NONPAGED_POOL, "P4 0x%llx",
              (unsigned long long)p[3]);
        resmap_sim_destroy(m);
    }
}

/* Outside the routine's contract (paged pool, user memory: pages that may not be resident): the
 * simulator makes it the page fault 0x50 (address, read, the routine). */
static void build_mdl_for_nonpaged_pool_of_pageable_memory_faults(void)
{
    for (int user = 0; user < 2; user++) {
        resmap_sim_machine *m = machine();
        uint64_t p[4];
        uint8_t *va = user ? resmap_sim_user_alloc(m, PAGE_SIZE)
                           : ExAllocatePool2(POOL_FLAG_PAGED, 128, TAG_A);
        PMDL mdl = mdl_for(va, 128);
        MmBuildMdlForNonPagedPool(mdl);
        CHECK_BUGCHECK(m, PAGE_FAULT_IN_NONPAGED_AREA, (uintptr_t)va, p);
        CHECK(p[1] == 0 && p[2] == (uintptr_t)MmBuildMdlForNonPagedPool, "P3 0x%llx",
              (unsigned long long)p[2]);
        CHECK(!(mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL), "%s", "the MDL was built");
        resmap_sim_destroy(m);
    }
}

/* The pool's frames are not the machine's memory: a machine's memory counters and its allocations of
 * every physical frame are what they were before pool had frames. */
static void pool_frames_do_not_count_as_the_machines_memory(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    void *block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 10 * PAGE_SIZE, TAG_A);
    resmap_sim_get_counters(m, &c);
    CHECK(c.frames_total == 1024 && c.frames_allocated == 0, "%llu frames",
          (unsigned long long)c.frames_total);
    PMDL all = allocate_pages(1023 * PAGE_SIZE, MM_ALLOCATE_FULLY_REQUIRED);
    for (size_t i = 0; all != NULL && i < 1023; i++) {
        CHECK(!sim_pool_frame_is_pool(m, MmGetMdlPfnArray(all)[i]), "a pool frame 0x%llx handed out",
              (unsigned long long)MmGetMdlPfnArray(all)[i]);
    }
    free_pages(all);
    ExFreePoolWithTag(block, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* A pool limit larger than the simulator keeps bounded is refused at creation. */
static void a_pool_larger_than_256_mib_is_refused(void)
{
    resmap_sim_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.struct_size = sizeof(cfg);
    cfg.pool_bytes = (256u << 20) + 1;
    CHECK(resmap_sim_create(&cfg) == NULL, "%s", "a machine");
    cfg.pool_bytes = 256u << 20;
    resmap_sim_machine *m = resmap_sim_create(&cfg);
    CHECK(m != NULL, "%s", "no machine with the largest pool");
    resmap_sim_destroy(m);
}

/* Under AddressSanitizer the bytes around a block and a freed block are poisoned, so an overrun or a
 * use after free is a sanitizer report as it is for the host's heap. */
static void blocks_are_fenced_by_poison_under_asan(void)
{
#ifdef POOL_TEST_ASAN
    resmap_sim_machine *m = machine();
    uint8_t *block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 40, TAG_A);
    CHECK(!__asan_address_is_poisoned(block + 39), "%s", "the block's last byte poisoned");
    CHECK(__asan_address_is_poisoned(block + 40), "%s", "the byte past the block not poisoned");
    ExFreePoolWithTag(block, TAG_A);
    CHECK(__asan_address_is_poisoned(block), "%s", "a freed block not poisoned");
    resmap_sim_destroy(m);
#endif
}

int main(void)
{
    RUN(blocks_are_placed_as_the_pool_page_says);
    RUN(kernel_mode_locks_nonpaged_pool_and_maps_its_frames);
    RUN(a_locked_pool_buffer_maps_into_a_reservation);
    RUN(pool_is_refused_to_user_mode_and_where_no_block_is);
    RUN(paged_pool_is_pageable_and_nonpaged_pool_is_not);
    RUN(build_mdl_for_nonpaged_pool_describes_the_buffer);
    RUN(build_mdl_for_nonpaged_pool_misuse_is_verifiers_mdl_checks);
    RUN(build_mdl_for_nonpaged_pool_of_pageable_memory_faults);
    RUN(pool_frames_do_not_count_as_the_machines_memory);
    RUN(a_pool_larger_than_256_mib_is_refused);
    RUN(blocks_are_fenced_by_poison_under_asan);
    return CHECK_DONE();
}
