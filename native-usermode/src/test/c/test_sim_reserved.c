/*
 * test_sim_reserved.c - the four reserved-mapping functions used correctly, against the statements of
 * the contract ("The four functions" and its details). Misuse and its bugchecks are in
 * test_sim_pte_misuse.c; divisible ranges in test_sim_divisible.c.
 */
#include "sim_fixture.h"

#define BUILD_WINDOWS_7 7601u

static int page_aligned(const void *p)
{
    return ((uintptr_t)p & (PAGE_SIZE - 1)) == 0;
}

static uint64_t reserved_mapped_pages(resmap_sim_machine *m)
{
    resmap_sim_counters c;
    resmap_sim_get_counters(m, &c);
    return c.reserved_mapped_pages;
}

/* "1 byte reserves one page [K]" */
static void one_byte_reserves_one_page(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    PVOID base = MmAllocateMappingAddress(1, TAG_A);
    CHECK(base != NULL && page_aligned(base), "%p", base);
    resmap_sim_get_counters(m, &c);
    CHECK(c.reservations == 1 && c.reserved_pages == 1, "%llu reservations of %llu pages",
          (unsigned long long)c.reservations, (unsigned long long)c.reserved_pages);
    /* Two header PTEs in front of the page [R]: three system PTEs in all. */
    CHECK(c.ptes_used == 3, "%llu PTEs", (unsigned long long)c.ptes_used);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "page-aligned base of a range of ceil(bytes/4096) pages" */
static void a_size_rounds_up_to_whole_pages(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE + 1, TAG_A);
    resmap_sim_get_counters(m, &c);
    CHECK(base != NULL && c.reserved_pages == 3, "%llu pages", (unsigned long long)c.reserved_pages);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Tag 0: the allocation returns NULL [K]; tag 1 works [K]" */
static void tag_zero_returns_null_and_tag_one_works(void)
{
    resmap_sim_machine *m = machine();
    CHECK(MmAllocateMappingAddress(PAGE_SIZE, 0) == NULL, "%s", "a reservation with tag 0");
    CHECK(MmAllocateMappingAddressEx(PAGE_SIZE, 0, 0) == NULL, "%s", "an Ex reservation with tag 0");
    CHECK_CLEAN(m);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, 1);
    CHECK(base != NULL, "%p", base);
    MmFreeMappingAddress(base, 1);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "The returned address includes the MDL's byte offset [D]": page-aligned base + MmGetMdlByteOffset;
 * the MDL's MappedSystemVa is the page-aligned address, without the offset [D]. */
static void the_returned_address_is_the_base_plus_the_mdl_byte_offset(void)
{
    resmap_sim_machine *m = machine();
    uint8_t *user = resmap_sim_user_alloc(m, 2 * PAGE_SIZE);
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    PMDL mdl = lock_user(user, 0x123, 100);
    uint8_t *va = MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    CHECK(va == (uint8_t *)base + 0x123, "%p for base %p", (void *)va, base);
    CHECK(mdl->MappedSystemVa == base, "MappedSystemVa %p for base %p", mdl->MappedSystemVa, base);
    user[0x123] = 0x5A;
    CHECK(va != NULL && va[0] == 0x5A, "%s", "other bytes through the mapping");
    MmUnmapReservedMapping(va, TAG_A, mdl);
    unlock_user(mdl);
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "An MDL spanning more pages than reserved: the map returns NULL, no bugcheck [D][K][R]" - also when
 * only the byte offset makes it span one page more. */
static void an_mdl_larger_than_the_reservation_maps_nothing(void)
{
    resmap_sim_machine *m = machine();
    uint8_t *user = resmap_sim_user_alloc(m, 4 * PAGE_SIZE);
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    PMDL three_pages = lock_user(user, 0, 3 * PAGE_SIZE);
    PMDL offset_spill = lock_user(user, 0x10, 2 * PAGE_SIZE);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, three_pages, MmCached) == NULL, "%s",
          "a mapping of 3 pages into 2");
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, offset_spill, MmCached) == NULL, "%s",
          "a mapping spanning 3 pages into 2");
    CHECK((three_pages->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) == 0, "flags 0x%X",
          (unsigned)three_pages->MdlFlags);
    CHECK(reserved_mapped_pages(m) == 0, "%llu mapped", (unsigned long long)reserved_mapped_pages(m));
    unlock_user(three_pages);
    unlock_user(offset_spill);
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "the MDL must fit inside the reserved range but may be a strict subset [D]", built with
 * IoBuildPartialMdl for a sub-buffer; the map sets MDL_MAPPED_TO_SYSTEM_VA and, for a partial MDL,
 * MDL_PARTIAL_HAS_BEEN_MAPPED; the unmap clears them [R][X]. */
static void a_partial_mdl_maps_a_sub_buffer_and_its_flags_come_and_go(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(4 * PAGE_SIZE, 0);
    PUCHAR inside = (PUCHAR)MmGetMdlVirtualAddress(pages) + PAGE_SIZE + 0x40;
    PMDL partial = IoAllocateMdl(inside, PAGE_SIZE, FALSE, FALSE, NULL);
    PVOID base = MmAllocateMappingAddress(4 * PAGE_SIZE, TAG_A);
    IoBuildPartialMdl(pages, partial, inside, PAGE_SIZE);
    CHECK(partial->MdlFlags & MDL_PARTIAL, "flags 0x%X", (unsigned)partial->MdlFlags);
    CHECK(MmGetMdlPfnArray(partial)[0] == MmGetMdlPfnArray(pages)[1], "frame %llu",
          (unsigned long long)MmGetMdlPfnArray(partial)[0]);
    PUCHAR va = MmMapLockedPagesWithReservedMapping(base, TAG_A, partial, MmCached);
    CHECK(va == (PUCHAR)base + 0x40, "%p for base %p", (void *)va, base);
    CHECK((partial->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED)) ==
          (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED), "flags 0x%X",
          (unsigned)partial->MdlFlags);
    CHECK(reserved_mapped_pages(m) == 2, "%llu mapped", (unsigned long long)reserved_mapped_pages(m));
    MmUnmapReservedMapping(va, TAG_A, partial);
    CHECK((partial->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED)) == 0,
          "flags 0x%X", (unsigned)partial->MdlFlags);
    IoFreeMdl(partial);
    free_pages(pages);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Unmapped reserved pages have empty PTEs; a mapping fills them with the MDL's frames in order"
 * [K]: page i of the mapping shows the bytes of the MDL's page i. */
static void a_mapping_fills_the_pages_with_the_frames_in_order(void)
{
    resmap_sim_machine *m = machine();
    uint8_t *user = resmap_sim_user_alloc(m, 3 * PAGE_SIZE);
    PVOID base = MmAllocateMappingAddress(3 * PAGE_SIZE, TAG_A);
    for (int i = 0; i < 3; i++) {
        user[i * PAGE_SIZE] = (uint8_t)('A' + i);
    }
    PMDL mdl = lock_user(user, 0, 3 * PAGE_SIZE);
    uint8_t *va = MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    CHECK(va != NULL && va[0] == 'A' && va[PAGE_SIZE] == 'B' && va[2 * PAGE_SIZE] == 'C', "%s",
          "pages in another order");
    MmUnmapReservedMapping(va, TAG_A, mdl);
    unlock_user(mdl);
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "A range can be mapped and unmapped any number of times [D]"; "The same MDL can be mapped again
 * after an unmap [K]". */
static void a_range_maps_and_unmaps_any_number_of_times(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(2 * PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    int good = 0;
    for (int i = 0; i < 200; i++) {
        volatile uint8_t *va = MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
        if (va == base) {
            va[PAGE_SIZE] = (uint8_t)i;
            good += va[PAGE_SIZE] == (uint8_t)i;
        }
        MmUnmapReservedMapping(base, TAG_A, pages);
    }
    CHECK(good == 200, "%d good cycles", good);
    free_pages(pages);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "The unmap's BaseAddress should be the value the map returned [D]; the reservation's base is
 * accepted too [R][X]" */
static void the_unmap_takes_the_returned_address_or_the_base(void)
{
    resmap_sim_machine *m = machine();
    uint8_t *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    PMDL mdl = lock_user(user, 0x200, 0x100);
    PVOID va = MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    MmUnmapReservedMapping(va, TAG_A, mdl);
    CHECK(reserved_mapped_pages(m) == 0, "%llu mapped", (unsigned long long)reserved_mapped_pages(m));
    va = MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    CHECK(va == (PUCHAR)base + 0x200, "%p", va);
    MmUnmapReservedMapping(base, TAG_A, mdl);
    CHECK(reserved_mapped_pages(m) == 0, "%llu mapped", (unsigned long long)reserved_mapped_pages(m));
    unlock_user(mdl);
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "MappingAddress not page-aligned but inside the first page: on Windows 8 and later the mapping
 * starts at the reservation's base (Base+4 maps at Base) [K]; before Windows 8 it returned Base+4
 * [K]. MmFreeMappingAddress(Base+4) works too [K]." */
static void base_plus_4_maps_at_the_base_from_windows_8(void)
{
    const uint32_t builds[] = { RESMAP_SIM_BUILD_WIN81, RESMAP_SIM_BUILD_WIN10_1507, 0 };
    for (size_t i = 0; i < sizeof(builds) / sizeof(builds[0]); i++) {
        resmap_sim_machine *m = machine_with(builds[i], 0);
        PMDL pages = allocate_pages(PAGE_SIZE, 0);
        PUCHAR base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        PVOID va = MmMapLockedPagesWithReservedMapping(base + 4, TAG_A, pages, MmCached);
        CHECK(va == base, "build %u: %p for base %p", builds[i], va, (void *)base);
        MmUnmapReservedMapping(base, TAG_A, pages);
        free_pages(pages);
        MmFreeMappingAddress(base + 4, TAG_A);
        CHECK_CLEAN(m);
        resmap_sim_destroy(m);
    }
}

static void base_plus_4_came_back_as_given_before_windows_8(void)
{
    resmap_sim_machine *m = machine_with(BUILD_WINDOWS_7, 0);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    PVOID va = MmMapLockedPagesWithReservedMapping(base + 4, TAG_A, pages, MmCached);
    CHECK(va == base + 4, "%p for base %p", va, (void *)base);
    MmUnmapReservedMapping(base, TAG_A, pages);
    free_pages(pages);
    MmFreeMappingAddress(base + 4, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Windows 10 and later [X]: a reservation is found from any address inside it; a non-divisible one
 * maps and unmaps at its start; freeing an inner address frees the whole range. */
static void windows_10_finds_the_reservation_from_any_inner_address(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddress(3 * PAGE_SIZE, TAG_A);
    PVOID va = MmMapLockedPagesWithReservedMapping(base + 2 * PAGE_SIZE, TAG_A, pages, MmCached);
    CHECK(va == base, "%p for base %p", va, (void *)base);
    MmUnmapReservedMapping(base + PAGE_SIZE + 8, TAG_A, pages);
    CHECK(reserved_mapped_pages(m) == 0, "%llu mapped", (unsigned long long)reserved_mapped_pages(m));
    free_pages(pages);
    MmFreeMappingAddress(base + 2 * PAGE_SIZE + 100, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Header-based builds ignore bit 0 of the tag (it marks the header PTE) [K][R]" */
static void header_based_builds_ignore_bit_0_of_the_tag(void)
{
    resmap_sim_machine *m = machine_with(RESMAP_SIM_BUILD_WIN81, 0);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    PVOID va = MmMapLockedPagesWithReservedMapping(base, TAG_A ^ 1u, pages, MmCached);
    CHECK(va == base, "%p for base %p", va, base);
    MmUnmapReservedMapping(base, TAG_A ^ 1u, pages);
    free_pages(pages);
    MmFreeMappingAddress(base, TAG_A ^ 1u);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Values: MmNonCached 0, MmCached 1, MmWriteCombined 2; 3-6 reserved. Values >= 6 make the map return
 * NULL [X]"; below 6 the mapping is made with the caller's CacheType for pages of MmAllocatePagesForMdl,
 * which have no cache type of their own [D]. */
static void cache_types_below_6_map_and_6_or_more_do_not(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_untyped_pages(PAGE_SIZE);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    for (int type = MmNonCached; type < MmMaximumCacheType; type++) {
        PVOID va = MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, (MEMORY_CACHING_TYPE)type);
        CHECK(va == base, "cache type %d: %p", type, va);
        CHECK(resmap_sim_mapping_cache_type(m, base) == type, "cache type %d mapped as %d", type,
              resmap_sim_mapping_cache_type(m, base));
        MmUnmapReservedMapping(base, TAG_A, pages);
    }
    CHECK(resmap_sim_mapping_cache_type(m, base) == MmNotMapped, "%d",
          resmap_sim_mapping_cache_type(m, base));
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmMaximumCacheType) == NULL, "%s",
          "a mapping with cache type 6");
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, (MEMORY_CACHING_TYPE)7) == NULL,
          "%s", "a mapping with cache type 7");
    CHECK((pages->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) == 0, "flags 0x%X", (unsigned)pages->MdlFlags);
    free_pages(pages);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Zero-length MDL (ByteCount 0): never pass one; reject it [R][X]" */
static void a_zero_length_mdl_maps_nothing(void)
{
    resmap_sim_machine *m = machine();
    uint8_t *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = lock_user(user, 0, PAGE_SIZE);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    mdl->ByteCount = 0;
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached) == NULL, "%s",
          "a mapping of 0 bytes");
    CHECK(reserved_mapped_pages(m) == 0, "%llu mapped", (unsigned long long)reserved_mapped_pages(m));
    mdl->ByteCount = PAGE_SIZE;
    unlock_user(mdl);
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Safe order of teardown": unmap, release the MDLs and pages, free the reservation - every counter
 * is back to zero and nothing bugchecked. */
static void the_safe_teardown_order_leaves_nothing(void)
{
    resmap_sim_machine *m = machine();
    uint8_t *user = resmap_sim_user_alloc(m, 2 * PAGE_SIZE);
    PMDL locked = lock_user(user, 0, 2 * PAGE_SIZE);
    PMDL partial = IoAllocateMdl(user + PAGE_SIZE, PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddressEx(3 * PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    IoBuildPartialMdl(locked, partial, user + PAGE_SIZE, 0);
    CHECK(partial->ByteCount == PAGE_SIZE, "Length 0 gave %u bytes", partial->ByteCount);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, partial, MmCached) == base, "%s",
          "the partial MDL not mapped at the base");
    CHECK(MmMapLockedPagesWithReservedMapping(base + PAGE_SIZE, TAG_A, pages, MmCached) ==
          base + PAGE_SIZE, "%s", "the pages not mapped at page 1");
    MmUnmapReservedMapping(base, TAG_A, partial);
    MmUnmapReservedMapping(base + PAGE_SIZE, TAG_A, pages);
    IoFreeMdl(partial);
    unlock_user(locked);
    free_pages(pages);
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(one_byte_reserves_one_page);
    RUN(a_size_rounds_up_to_whole_pages);
    RUN(tag_zero_returns_null_and_tag_one_works);
    RUN(the_returned_address_is_the_base_plus_the_mdl_byte_offset);
    RUN(an_mdl_larger_than_the_reservation_maps_nothing);
    RUN(a_partial_mdl_maps_a_sub_buffer_and_its_flags_come_and_go);
    RUN(a_mapping_fills_the_pages_with_the_frames_in_order);
    RUN(a_range_maps_and_unmaps_any_number_of_times);
    RUN(the_unmap_takes_the_returned_address_or_the_base);
    RUN(base_plus_4_maps_at_the_base_from_windows_8);
    RUN(base_plus_4_came_back_as_given_before_windows_8);
    RUN(windows_10_finds_the_reservation_from_any_inner_address);
    RUN(header_based_builds_ignore_bit_0_of_the_tag);
    RUN(cache_types_below_6_map_and_6_or_more_do_not);
    RUN(a_zero_length_mdl_maps_nothing);
    RUN(the_safe_teardown_order_leaves_nothing);
    return CHECK_DONE();
}
