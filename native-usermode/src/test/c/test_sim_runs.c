/*
 * test_sim_runs.c - the simulator keeps filled system PTEs as runs of consecutive frames; what a
 * driver sees must be exactly what per-page bookkeeping showed: a run cut in its middle keeps both
 * ends, a run that walks off the end of physical memory is caught at the first frame beyond it, and
 * a frame mapped anywhere cannot be freed.
 */
#include "sim_fixture.h"
#include "sim_machine.h" /* frames_all: where the frames end */

/* A partial MDL of `pages` pages starting `first` pages into a pages-MDL (which has no virtual
 * address, so the sub-range is named by its offset from NULL, as the driver core does). */
static PMDL partial(PMDL source, size_t first, size_t pages)
{
    PMDL part = IoAllocateMdl((PUCHAR)NULL + first * PAGE_SIZE, (ULONG)(pages * PAGE_SIZE), FALSE, FALSE,
                              NULL);
    CHECK(part != NULL, "%s", "IoAllocateMdl returned NULL");
    IoBuildPartialMdl(source, part, (PUCHAR)NULL + first * PAGE_SIZE, (ULONG)(pages * PAGE_SIZE));
    return part;
}

/* One contiguous mapping of 8 pages in a divisible range, unmapped in the middle (pages 2..3): the
 * pages on both sides stay mapped to their own frames and bytes, then go one side at a time. */
static void a_run_cut_in_its_middle_keeps_both_ends(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    uint8_t seen = 0;
    PMDL pages = allocate_pages(8 * PAGE_SIZE, MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    PFN_NUMBER *frames = MmGetMdlPfnArray(pages);
    PUCHAR base = MmAllocateMappingAddressEx(8 * PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    CHECK(frames[7] == frames[0] + 7, "frames %llu..%llu not contiguous", (unsigned long long)frames[0],
          (unsigned long long)frames[7]);
    PMDL whole = partial(pages, 0, 8);
    PMDL middle = partial(pages, 2, 2);
    PMDL head = partial(pages, 0, 2);
    PMDL tail = partial(pages, 4, 4);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, whole, MmCached) == base, "%s", "not at base");
    for (int i = 0; i < 8; i++) {
        base[i * PAGE_SIZE] = (uint8_t)(0x40 + i);
    }
    MmUnmapReservedMapping(base + 2 * PAGE_SIZE, TAG_A, middle);
    resmap_sim_get_counters(m, &c);
    CHECK(c.reserved_mapped_pages == 6, "%llu mapped", (unsigned long long)c.reserved_mapped_pages);
    CHECK(resmap_sim_mapping_cache_type(m, base + PAGE_SIZE) == MmCached &&
              resmap_sim_mapping_cache_type(m, base + 2 * PAGE_SIZE) == MmNotMapped &&
              resmap_sim_mapping_cache_type(m, base + 3 * PAGE_SIZE) == MmNotMapped &&
              resmap_sim_mapping_cache_type(m, base + 4 * PAGE_SIZE) == MmCached,
          "%s", "the wrong pages mapped after the cut");
    CHECK(resmap_sim_touch(m, base + 7 * PAGE_SIZE, &seen) == 0 && seen == 0x47, "page 7 reads 0x%X", seen);
    CHECK(resmap_sim_touch(m, base + PAGE_SIZE, &seen) == 0 && seen == 0x41, "page 1 reads 0x%X", seen);
    /* The cut pages map again, to the same frames. */
    middle->MdlFlags &= ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
    CHECK(MmMapLockedPagesWithReservedMapping(base + 2 * PAGE_SIZE, TAG_A, middle, MmCached) ==
              base + 2 * PAGE_SIZE && base[3 * PAGE_SIZE] == 0x43,
          "%s", "the middle did not map back");
    MmUnmapReservedMapping(base + 2 * PAGE_SIZE, TAG_A, middle);
    MmUnmapReservedMapping(base, TAG_A, head);
    MmUnmapReservedMapping(base + 4 * PAGE_SIZE, TAG_A, tail);
    resmap_sim_get_counters(m, &c);
    CHECK(c.reserved_mapped_pages == 0 && resmap_sim_bugcheck(m, NULL, NULL) == 0, "%llu mapped",
          (unsigned long long)c.reserved_mapped_pages);
    /* Unmapped piece by piece through other MDLs, so its own mapped flag is still set. */
    whole->MdlFlags &= ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
    IoFreeMdl(whole);
    IoFreeMdl(middle);
    IoFreeMdl(head);
    IoFreeMdl(tail);
    free_pages(pages);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Frames consecutive up to the machine's last frame and one past it: the run is cut at the end of
 * the frames (the pool arena's follow physical memory) and the first frame beyond is the one reported
 * (P4 the frame). */
static void a_run_past_the_last_frame_is_caught_at_the_first_frame_beyond(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    resmap_sim_get_counters(m, &c);
    /* Every frame but frame 0, which is never handed out. */
    PMDL all = allocate_pages((c.frames_total - 1) * PAGE_SIZE, MM_ALLOCATE_FULLY_REQUIRED);
    PMDL forged = IoAllocateMdl(NULL, 12 * PAGE_SIZE, FALSE, FALSE, NULL);
    PFN_NUMBER *frames = MmGetMdlPfnArray(forged);
    for (size_t i = 0; i < 12; i++) {
        frames[i] = m->frames_all - 10 + i;
    }
    forged->MdlFlags |= MDL_PAGES_LOCKED;
    PVOID base = MmAllocateMappingAddress(12 * PAGE_SIZE, TAG_A);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, forged, MmCached) == NULL, "%s", "a mapping");
    /* Verifier's 0x85: P2 the MDL, P3 the pages to map, P4 the first frame not locked. */
    CHECK_BUGCHECK(m, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_MAP_NOT_LOCKED, p);
    CHECK(p[1] == (uintptr_t)forged && p[2] == 12 && p[3] == m->frames_all, "P3 %llu, P4 %llu",
          (unsigned long long)p[2], (unsigned long long)p[3]);
    (void)all;
    resmap_sim_destroy(m);
}

/* A long contiguous run with one free frame in it is caught at that frame, not at its run's start. */
static void a_free_frame_inside_a_run_is_caught_where_it_is(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(200 * PAGE_SIZE, MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    PMDL forged = IoAllocateMdl(NULL, 201 * PAGE_SIZE, FALSE, FALSE, NULL);
    PFN_NUMBER *frames = MmGetMdlPfnArray(pages);
    PFN_NUMBER *copy = MmGetMdlPfnArray(forged);
    CHECK(frames[199] == frames[0] + 199, "%s", "not contiguous");
    memcpy(copy, frames, 200 * sizeof(*copy));
    copy[200] = frames[199] + 1; /* consecutive, but never allocated */
    forged->MdlFlags |= MDL_PAGES_LOCKED;
    PVOID base = MmAllocateMappingAddress(201 * PAGE_SIZE, TAG_A);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, forged, MmCached) == NULL, "%s", "a mapping");
    CHECK_BUGCHECK(m, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_MAP_NOT_LOCKED, p);
    CHECK(p[2] == 201 && p[3] == frames[199] + 1, "P3 %llu, P4 %llu", (unsigned long long)p[2],
          (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

/* Two long runs in swapped order: each page of the mapping shows its own frame, the run boundary is
 * found even though both halves are long. */
static void swapped_long_runs_map_each_page_to_its_own_frame(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(120 * PAGE_SIZE, MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    PMDL swapped = IoAllocateMdl(NULL, 120 * PAGE_SIZE, FALSE, FALSE, NULL);
    PFN_NUMBER *frames = MmGetMdlPfnArray(pages);
    PFN_NUMBER *order = MmGetMdlPfnArray(swapped);
    int wrong = 0;
    CHECK(frames[119] == frames[0] + 119, "%s", "not contiguous");
    for (size_t i = 0; i < 120; i++) {
        order[i] = frames[(i + 60) % 120];
    }
    swapped->MdlFlags |= MDL_PAGES_LOCKED;
    PUCHAR direct = MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    CHECK(direct != NULL, "%s", "no ordinary mapping");
    for (int i = 0; i < 120; i++) {
        direct[i * PAGE_SIZE] = (uint8_t)i;
    }
    PUCHAR base = MmAllocateMappingAddress(120 * PAGE_SIZE, TAG_A);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, swapped, MmCached) == base, "%s", "not at base");
    for (int i = 0; i < 120 && resmap_sim_bugcheck(m, NULL, NULL) == 0; i++) {
        wrong += base[i * PAGE_SIZE] != (uint8_t)((i + 60) % 120);
    }
    CHECK(wrong == 0 && resmap_sim_bugcheck(m, NULL, NULL) == 0, "%d pages show another frame", wrong);
    resmap_sim_destroy(m);
}

/* Pages still shown by an ordinary mapping made through a partial MDL may be freed (the MmMdl kmtest
 * frees mapped pages on Windows, docs/kernel-facts.md): the pages nothing maps go back at once, the
 * two still mapped only when their mapping goes, so they are never handed out while mapped. */
static void frames_mapped_through_a_partial_mdl_are_freed_when_unmapped(void)
{
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
    PMDL pages = allocate_pages(6 * PAGE_SIZE, MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    PFN_NUMBER frames[6];
    memcpy(frames, MmGetMdlPfnArray(pages), sizeof(frames));
    PMDL part = partial(pages, 3, 2);
    PVOID va = MmMapLockedPagesSpecifyCache(part, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    CHECK(va != NULL, "%s", "no mapping");
    MmFreePagesFromMdl(pages);
    CHECK(!resmap_sim_bugcheck(m, NULL, NULL), "%s", "a bugcheck");
    CHECK(resmap_sim_frame_cache_type(m, frames[0]) == MmNotMapped &&
          resmap_sim_frame_cache_type(m, frames[3]) == MmCached &&
          resmap_sim_frame_cache_type(m, frames[4]) == MmCached &&
          resmap_sim_frame_cache_type(m, frames[5]) == MmNotMapped, "%s", "wrong frames kept");
    MmUnmapLockedPages(va, part);
    CHECK(resmap_sim_frame_cache_type(m, frames[3]) == MmNotMapped &&
          resmap_sim_frame_cache_type(m, frames[4]) == MmNotMapped, "%s", "frames kept after the unmap");
    resmap_sim_destroy(m);
}

/* Consecutive frames allocated with different caching types, mapped as one run: each page keeps the
 * type of its own frame (the run is split by type), not the type of the run's first frame. */
static void a_run_of_frames_with_two_caching_types_keeps_each_type(void)
{
    PHYSICAL_ADDRESS low, high, skip;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    resmap_sim_machine *m = machine();
    PMDL uncached = MmAllocatePagesForMdlEx(low, high, skip, 2 * PAGE_SIZE, MmNonCached,
                                            MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    PMDL cached = MmAllocatePagesForMdlEx(low, high, skip, 2 * PAGE_SIZE, MmCached,
                                          MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    PMDL both = IoAllocateMdl(NULL, 4 * PAGE_SIZE, FALSE, FALSE, NULL);
    CHECK(uncached != NULL && cached != NULL && both != NULL, "%s", "no pages");
    PFN_NUMBER *a = MmGetMdlPfnArray(uncached), *b = MmGetMdlPfnArray(cached), *f = MmGetMdlPfnArray(both);
    CHECK(b[0] == a[1] + 1, "frames %llu, %llu not adjacent", (unsigned long long)a[1], (unsigned long long)b[0]);
    f[0] = a[0];
    f[1] = a[1];
    f[2] = b[0];
    f[3] = b[1];
    both->MdlFlags |= MDL_PAGES_LOCKED;
    PUCHAR base = MmAllocateMappingAddress(4 * PAGE_SIZE, TAG_A);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, both, MmCached) == base, "%s", "not mapped");
    CHECK(resmap_sim_mapping_cache_type(m, base) == MmNonCached &&
              resmap_sim_mapping_cache_type(m, base + PAGE_SIZE) == MmNonCached &&
              resmap_sim_mapping_cache_type(m, base + 2 * PAGE_SIZE) == MmCached &&
              resmap_sim_mapping_cache_type(m, base + 3 * PAGE_SIZE) == MmCached,
          "types %d %d %d %d", resmap_sim_mapping_cache_type(m, base),
          resmap_sim_mapping_cache_type(m, base + PAGE_SIZE), resmap_sim_mapping_cache_type(m, base + 2 * PAGE_SIZE),
          resmap_sim_mapping_cache_type(m, base + 3 * PAGE_SIZE));
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(a_run_cut_in_its_middle_keeps_both_ends);
    RUN(a_run_past_the_last_frame_is_caught_at_the_first_frame_beyond);
    RUN(a_free_frame_inside_a_run_is_caught_where_it_is);
    RUN(swapped_long_runs_map_each_page_to_its_own_frame);
    RUN(frames_mapped_through_a_partial_mdl_are_freed_when_unmapped);
    RUN(a_run_of_frames_with_two_caching_types_keeps_each_type);
    return CHECK_DONE();
}
