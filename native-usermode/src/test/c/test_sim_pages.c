/*
 * test_sim_pages.c - simulated physical memory: MmAllocatePagesForMdlEx (zeroed frames, the caching
 * type of each frame, fewer bytes than asked, the flags, the address window) and frames seen through
 * two mappings at once (aliasing).
 */
#include "sim_fixture.h"

#define FRAMES 16

/* A machine with so few frames that an allocation of all of them reuses every frame: FRAMES frames
 * that can be handed out, and frame 0, which never is. */
static resmap_sim_machine *small_machine(void)
{
    resmap_sim_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.physical_pages = FRAMES + 1;
    cfg.system_ptes = 256;
    resmap_sim_machine *m = resmap_sim_create(&cfg);
    resmap_sim_select(m);
    return m;
}

static PMDL pages_in(uint64_t low, uint64_t high, SIZE_T bytes, MEMORY_CACHING_TYPE cache, ULONG flags)
{
    PHYSICAL_ADDRESS lo, hi, skip;
    lo.QuadPart = (LONGLONG)low;
    hi.QuadPart = (LONGLONG)high;
    skip.QuadPart = 0;
    return MmAllocatePagesForMdlEx(lo, hi, skip, bytes, cache, flags);
}

static PMDL any_pages(SIZE_T bytes, MEMORY_CACHING_TYPE cache, ULONG flags)
{
    return pages_in(0, UINT64_MAX, bytes, cache, flags);
}

/* Fills every page of the MDL with a byte through an ordinary mapping. */
static void fill(PMDL mdl, uint8_t byte)
{
    PVOID va = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    CHECK(va != NULL, "%s", "no mapping");
    if (va != NULL) {
        memset(va, byte, mdl->ByteCount);
        MmUnmapLockedPages(va, mdl);
    }
}

/* How many bytes of the MDL's pages differ from zero. */
static size_t nonzero_bytes(PMDL mdl)
{
    size_t n = 0;
    const uint8_t *va = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE,
                                                     NormalPagePriority);
    CHECK(va != NULL, "%s", "no mapping");
    if (va != NULL) {
        for (size_t i = 0; i < mdl->ByteCount; i++) {
            n += va[i] != 0;
        }
        MmUnmapLockedPages((PVOID)va, mdl);
    }
    return n;
}

/* The MDL describes ByteCount bytes of locked frames from address 0 [R]. */
static void an_allocation_is_a_locked_mdl_of_whole_pages(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    PMDL mdl = any_pages(3 * PAGE_SIZE - 100, MmCached, 0);
    CHECK(mdl != NULL && MmGetMdlByteCount(mdl) == 3 * PAGE_SIZE, "%u bytes",
          mdl != NULL ? MmGetMdlByteCount(mdl) : 0);
    CHECK(mdl != NULL && (mdl->MdlFlags & MDL_PAGES_LOCKED) && MmGetMdlVirtualAddress(mdl) == NULL &&
          mdl->Size == (CSHORT)(sizeof(MDL) + 3 * sizeof(PFN_NUMBER)), "flags 0x%X size %d",
          mdl != NULL ? (unsigned)mdl->MdlFlags : 0, mdl != NULL ? mdl->Size : 0);
    resmap_sim_get_counters(m, &c);
    CHECK(c.frames_allocated == 3 && c.mdls == 1, "%llu frames", (unsigned long long)c.frames_allocated);
    free_pages(mdl);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Frames come back zeroed even when every frame was used and dirtied before; MM_DONT_ZERO_ALLOCATION
 * hands out what the previous owner left. */
static void frames_are_zeroed_unless_asked_not_to(void)
{
    resmap_sim_machine *m = small_machine();
    PMDL dirty = any_pages(FRAMES * PAGE_SIZE, MmCached, 0);
    CHECK(dirty != NULL && dirty->ByteCount == FRAMES * PAGE_SIZE, "%s", "not every frame");
    fill(dirty, 0xEE);
    free_pages(dirty);
    PMDL fresh = any_pages(FRAMES * PAGE_SIZE, MmCached, 0);
    CHECK(nonzero_bytes(fresh) == 0, "%s", "bytes of the previous owner");
    fill(fresh, 0xEE);
    free_pages(fresh);
    PMDL unzeroed = any_pages(FRAMES * PAGE_SIZE, MmCached, MM_DONT_ZERO_ALLOCATION);
    CHECK(nonzero_bytes(unzeroed) == FRAMES * PAGE_SIZE, "%s", "zeroed bytes");
    free_pages(unzeroed);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Each frame remembers the CacheType it was allocated with until it is freed, and a mapping of it uses
 * that type: "in nearly all cases, the pages already have an associated cache type, and this cache type
 * is used by the new mapping" (MmMapLockedPagesWithReservedMapping and MmMapLockedPagesSpecifyCache
 * pages). User memory is cached memory. The exception, pages of MmAllocatePagesForMdl, is in
 * only_pages_without_a_type_take_the_callers_cache_type. */
static void each_frame_keeps_its_caching_type(void)
{
    resmap_sim_machine *m = machine();
    PMDL combined = any_pages(2 * PAGE_SIZE, MmWriteCombined, 0);
    PMDL uncached = any_pages(PAGE_SIZE, MmNonCached, 0);
    void *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL locked = lock_user(user, 0, PAGE_SIZE);
    PFN_NUMBER wc0 = MmGetMdlPfnArray(combined)[0], wc1 = MmGetMdlPfnArray(combined)[1];
    PFN_NUMBER nc = MmGetMdlPfnArray(uncached)[0];
    CHECK(resmap_sim_frame_cache_type(m, wc0) == MmWriteCombined &&
          resmap_sim_frame_cache_type(m, wc1) == MmWriteCombined, "%d %d",
          resmap_sim_frame_cache_type(m, wc0), resmap_sim_frame_cache_type(m, wc1));
    CHECK(resmap_sim_frame_cache_type(m, nc) == MmNonCached, "%d", resmap_sim_frame_cache_type(m, nc));
    CHECK(resmap_sim_frame_cache_type(m, MmGetMdlPfnArray(locked)[0]) == MmCached, "%d",
          resmap_sim_frame_cache_type(m, MmGetMdlPfnArray(locked)[0]));
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, combined, MmCached);
    CHECK(resmap_sim_mapping_cache_type(m, base) == MmWriteCombined &&
          resmap_sim_mapping_cache_type(m, (PUCHAR)base + PAGE_SIZE) == MmWriteCombined, "%d",
          resmap_sim_mapping_cache_type(m, base));
    MmUnmapReservedMapping(base, TAG_A, combined);
    free_pages(combined);
    CHECK(resmap_sim_frame_cache_type(m, wc0) == MmNotMapped, "%d", resmap_sim_frame_cache_type(m, wc0));
    CHECK(resmap_sim_frame_cache_type(m, FRAMES * 1000) == MmNotMapped, "%s", "a type for no frame");
    free_pages(uncached);
    unlock_user(locked);
    resmap_sim_user_free(m, user);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "An exception to this rule is for pages that are allocated by MmAllocatePagesForMdl, which do not
 * have a specific cache type associated with them. For such pages, the CacheType parameter determines
 * the cache type of the mapping" (both map routines' pages). Those pages are zeroed, like the Ex ones. */
static void only_pages_without_a_type_take_the_callers_cache_type(void)
{
    resmap_sim_machine *m = machine();
    PMDL untyped = allocate_untyped_pages(2 * PAGE_SIZE);
    PMDL uncached = any_pages(PAGE_SIZE, MmNonCached, 0);
    CHECK(untyped != NULL && untyped->ByteCount == 2 * PAGE_SIZE &&
          (untyped->MdlFlags & MDL_PAGES_LOCKED) && MmGetMdlVirtualAddress(untyped) == NULL,
          "%s", "no MmAllocatePagesForMdl MDL");
    CHECK(resmap_sim_frame_cache_type(m, MmGetMdlPfnArray(untyped)[0]) == MmNotMapped, "%d",
          resmap_sim_frame_cache_type(m, MmGetMdlPfnArray(untyped)[0]));
    CHECK(nonzero_bytes(untyped) == 0, "%s", "pages not zeroed");
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    for (int type = MmNonCached; type <= MmWriteCombined; type++) {
        MmMapLockedPagesWithReservedMapping(base, TAG_A, untyped, (MEMORY_CACHING_TYPE)type);
        CHECK(resmap_sim_mapping_cache_type(m, base) == type, "asked %d, mapped as %d", type,
              resmap_sim_mapping_cache_type(m, base));
        MmUnmapReservedMapping(base, TAG_A, untyped);
        PVOID va = MmMapLockedPagesSpecifyCache(untyped, KernelMode, (MEMORY_CACHING_TYPE)type, NULL,
                                                FALSE, NormalPagePriority);
        CHECK(resmap_sim_mapping_cache_type(m, va) == type, "ordinary: asked %d, mapped as %d", type,
              resmap_sim_mapping_cache_type(m, va));
        MmUnmapLockedPages(va, untyped);
        va = MmMapLockedPagesSpecifyCache(uncached, KernelMode, (MEMORY_CACHING_TYPE)type, NULL, FALSE,
                                          NormalPagePriority);
        CHECK(resmap_sim_mapping_cache_type(m, va) == MmNonCached, "typed: asked %d, mapped as %d", type,
              resmap_sim_mapping_cache_type(m, va));
        MmUnmapLockedPages(va, uncached);
    }
    MmFreeMappingAddress(base, TAG_A);
    free_pages(untyped);
    free_pages(uncached);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "may return fewer bytes than asked (check MmGetMdlByteCount) or NULL"; MM_ALLOCATE_FULLY_REQUIRED
 * turns the short allocation into NULL. */
static void a_short_allocation_returns_fewer_bytes_or_null(void)
{
    resmap_sim_machine *m = small_machine();
    PMDL some = any_pages((FRAMES + 4) * PAGE_SIZE, MmCached, 0);
    CHECK(some != NULL && some->ByteCount == FRAMES * PAGE_SIZE, "%u bytes",
          some != NULL ? some->ByteCount : 0);
    CHECK(any_pages(PAGE_SIZE, MmCached, 0) == NULL, "%s", "a frame when none is left");
    free_pages(some);
    CHECK(any_pages((FRAMES + 4) * PAGE_SIZE, MmCached, MM_ALLOCATE_FULLY_REQUIRED) == NULL, "%s",
          "a short allocation despite MM_ALLOCATE_FULLY_REQUIRED");
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Frames come from [LowAddress, HighAddress]; contiguous frames when asked; 0 bytes, an unknown flag
 * or an empty window give NULL. */
static void frames_come_from_the_window_asked_for(void)
{
    resmap_sim_machine *m = small_machine();
    PMDL window = pages_in(4 * PAGE_SIZE, 8 * PAGE_SIZE - 1, 8 * PAGE_SIZE, MmCached, 0);
    int inside = window != NULL && window->ByteCount == 4 * PAGE_SIZE;
    for (size_t i = 0; inside && i < 4; i++) {
        inside = MmGetMdlPfnArray(window)[i] >= 4 && MmGetMdlPfnArray(window)[i] < 8;
    }
    CHECK(inside, "%s", "frames outside the window, or not all of it");
    PMDL chunk = any_pages(4 * PAGE_SIZE, MmCached, MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    int contiguous = chunk != NULL && chunk->ByteCount == 4 * PAGE_SIZE;
    for (size_t i = 1; contiguous && i < 4; i++) {
        contiguous = MmGetMdlPfnArray(chunk)[i] == MmGetMdlPfnArray(chunk)[0] + i;
    }
    CHECK(contiguous, "%s", "scattered frames");
    CHECK(any_pages(0, MmCached, 0) == NULL, "%s", "an MDL of 0 bytes");
    CHECK(any_pages(PAGE_SIZE, MmCached, 0x80) == NULL, "%s", "an MDL for an unknown flag");
    CHECK(pages_in(8 * PAGE_SIZE, 4 * PAGE_SIZE, PAGE_SIZE, MmCached, 0) == NULL, "%s",
          "an MDL for an empty window");
    free_pages(window);
    free_pages(chunk);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS (MmAllocatePagesForMdlEx page): with SkipBytes 0 "either succeeds
 * and returns a single, contiguous block, or it fails and returns NULL. It never returns a partial
 * allocation"; with SkipBytes (a power of two, at least a page, TotalBytes a multiple of it) blocks of
 * exactly SkipBytes, each aligned on SkipBytes. FAST_LARGE_PAGES needs a large-page cache: NULL. */
static void contiguous_chunks_are_contiguous_or_nothing(void)
{
    PHYSICAL_ADDRESS low, high, skip;
    resmap_sim_machine *m = small_machine();
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    /* Fragment memory: take every frame one by one (in order), then give back every other one. */
    PMDL each[FRAMES];
    for (int i = 0; i < FRAMES; i++) {
        each[i] = any_pages(PAGE_SIZE, MmCached, MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    }
    for (int i = 0; i < FRAMES; i += 2) {
        free_pages(each[i]);
    }
    CHECK(MmAllocatePagesForMdlEx(low, high, skip, 2 * PAGE_SIZE, MmCached,
                                  MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS) == NULL, "%s",
          "two contiguous frames where none are, or a partial allocation");
    PMDL scattered = any_pages(2 * PAGE_SIZE, MmCached, 0);
    CHECK(scattered != NULL && scattered->ByteCount == 2 * PAGE_SIZE, "%s", "no scattered frames");
    free_pages(scattered);
    for (int i = 1; i < FRAMES; i += 2) {
        free_pages(each[i]);
    }
    PMDL block = MmAllocatePagesForMdlEx(low, high, skip, 5 * PAGE_SIZE, MmCached,
                                         MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    int contiguous = block != NULL && block->ByteCount == 5 * PAGE_SIZE;
    for (size_t i = 1; contiguous && i < 5; i++) {
        contiguous = MmGetMdlPfnArray(block)[i] == MmGetMdlPfnArray(block)[0] + i;
    }
    CHECK(contiguous, "%s", "not one block of 5 frames");
    free_pages(block);
    skip.QuadPart = 4 * PAGE_SIZE;
    PMDL chunks = MmAllocatePagesForMdlEx(low, high, skip, 8 * PAGE_SIZE, MmCached,
                                          MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    int aligned = chunks != NULL && chunks->ByteCount == 8 * PAGE_SIZE;
    for (size_t i = 0; aligned && i < 8; i += 4) {
        PFN_NUMBER first = MmGetMdlPfnArray(chunks)[i];
        aligned = first % 4 == 0 && MmGetMdlPfnArray(chunks)[i + 1] == first + 1 &&
                  MmGetMdlPfnArray(chunks)[i + 3] == first + 3;
    }
    CHECK(aligned, "%s", "chunks not of 4 frames aligned on 4");
    free_pages(chunks);
    skip.QuadPart = 3 * PAGE_SIZE;
    CHECK(MmAllocatePagesForMdlEx(low, high, skip, 6 * PAGE_SIZE, MmCached,
                                  MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS) == NULL, "%s",
          "chunks of a SkipBytes that is not a power of two");
    skip.QuadPart = 4 * PAGE_SIZE;
    CHECK(MmAllocatePagesForMdlEx(low, high, skip, 6 * PAGE_SIZE, MmCached,
                                  MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS) == NULL, "%s",
          "TotalBytes not a multiple of SkipBytes");
    CHECK(MmAllocatePagesForMdlEx(low, high, skip, 4 * PAGE_SIZE, MmCached,
                                  MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS |
                                      MM_ALLOCATE_FAST_LARGE_PAGES) == NULL, "%s",
          "large pages from a cache the simulator does not have");
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "MdlPages[i] != 0 && MdlPages[i] != (PFN_NUMBER)-1" for every page (MmMdl kmtest, run on Windows):
 * with all frames taken, none of them is frame 0, by either allocator or for user memory. */
static void frame_0_is_never_handed_out(void)
{
    resmap_sim_machine *m = small_machine();
    for (int kind = 0; kind < 3; kind++) {
        PMDL all = kind == 0 ? allocate_untyped_pages((FRAMES + 1) * PAGE_SIZE)
                 : kind == 1 ? any_pages((FRAMES + 1) * PAGE_SIZE, MmCached,
                                         MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS)
                             : any_pages((FRAMES + 1) * PAGE_SIZE, MmCached, 0);
        if (kind == 1) {
            CHECK(all == NULL, "%s", "a contiguous block including frame 0");
            all = any_pages(FRAMES * PAGE_SIZE, MmCached, MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
        }
        CHECK(all != NULL && all->ByteCount == FRAMES * PAGE_SIZE, "kind %d: %u bytes", kind,
              all != NULL ? all->ByteCount : 0);
        for (ULONG i = 0; all != NULL && i < all->ByteCount / PAGE_SIZE; i++) {
            CHECK(MmGetMdlPfnArray(all)[i] != 0 && MmGetMdlPfnArray(all)[i] != (PFN_NUMBER)-1,
                  "kind %d: entry %u is %llu", kind, i, (unsigned long long)MmGetMdlPfnArray(all)[i]);
        }
        free_pages(all);
    }
    void *user = resmap_sim_user_alloc(m, FRAMES * PAGE_SIZE);
    PMDL mdl = lock_user(user, 0, FRAMES * PAGE_SIZE);
    for (ULONG i = 0; i < FRAMES; i++) {
        CHECK(MmGetMdlPfnArray(mdl)[i] != 0, "user page %u is frame 0", i);
    }
    unlock_user(mdl);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "writes through one mapping are visible through every other mapping of the same frames": two
 * reservations map the same locked user pages (through two MDLs, one system mapping each). */
static void two_reservations_of_the_same_frames_alias(void)
{
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, 2 * PAGE_SIZE);
    PMDL first = lock_user(user, 0, 2 * PAGE_SIZE);
    PMDL second = lock_user(user, 0, 2 * PAGE_SIZE);
    PUCHAR a = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    PUCHAR b = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_B);
    CHECK(MmMapLockedPagesWithReservedMapping(a, TAG_A, first, MmCached) == a, "%s", "no mapping a");
    CHECK(MmMapLockedPagesWithReservedMapping(b, TAG_B, second, MmCached) == b, "%s", "no mapping b");
    a[PAGE_SIZE + 5] = 0x11;
    CHECK(b[PAGE_SIZE + 5] == 0x11 && user[PAGE_SIZE + 5] == 0x11, "b 0x%X user 0x%X", b[PAGE_SIZE + 5],
          user[PAGE_SIZE + 5]);
    b[6] = 0x22;
    CHECK(a[6] == 0x22 && user[6] == 0x22, "a 0x%X user 0x%X", a[6], user[6]);
    MmUnmapReservedMapping(a, TAG_A, first);
    MmUnmapReservedMapping(b, TAG_B, second);
    unlock_user(first);
    unlock_user(second);
    resmap_sim_user_free(m, user);
    MmFreeMappingAddress(a, TAG_A);
    MmFreeMappingAddress(b, TAG_B);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* The counters show a driver that frees a pages MDL without MmFreePagesFromMdl ("Free with
 * MmFreePagesFromMdl and then ExFreePool on the MDL (not IoFreeMdl)"): the MDL is gone, its frames
 * are still allocated - a leak the leak checks see. */
static void freeing_the_mdl_before_its_pages_leaks_the_frames(void)
{
    for (int io_free_mdl = 0; io_free_mdl < 2; io_free_mdl++) {
        resmap_sim_machine *m = machine();
        resmap_sim_counters c;
        PMDL pages = any_pages(2 * PAGE_SIZE, MmCached, 0);
        if (io_free_mdl) {
            IoFreeMdl(pages);
        } else {
            ExFreePool(pages);
        }
        resmap_sim_get_counters(m, &c);
        CHECK(c.mdls == 0 && c.frames_allocated == 2 && !counters_idle(m), "%llu MDLs %llu frames",
              (unsigned long long)c.mdls, (unsigned long long)c.frames_allocated);
        resmap_sim_destroy(m);
    }
}

int main(void)
{
    RUN(an_allocation_is_a_locked_mdl_of_whole_pages);
    RUN(frames_are_zeroed_unless_asked_not_to);
    RUN(each_frame_keeps_its_caching_type);
    RUN(only_pages_without_a_type_take_the_callers_cache_type);
    RUN(a_short_allocation_returns_fewer_bytes_or_null);
    RUN(frames_come_from_the_window_asked_for);
    RUN(contiguous_chunks_are_contiguous_or_nothing);
    RUN(frame_0_is_never_handed_out);
    RUN(two_reservations_of_the_same_frames_alias);
    RUN(freeing_the_mdl_before_its_pages_leaks_the_frames);
    return CHECK_DONE();
}
