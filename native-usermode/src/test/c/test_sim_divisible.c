/*
 * test_sim_divisible.c - MmAllocateMappingAddressEx and MM_MAPPING_ADDRESS_DIVISIBLE: "independent
 * page-aligned sub-ranges can be mapped separately", the "magic" ring buffer of the contract's real
 * uses, and the builds that have the routine at all ("Windows 10 2004+").
 */
#include "sim_fixture.h"

static PVOID routine_address(const WCHAR *name)
{
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, name);
    return MmGetSystemRoutineAddress(&u);
}

/* Two MDLs mapped side by side into one divisible range, each at the page it names, and unmapped one
 * at a time without 0x10C. */
static void sub_ranges_map_and_unmap_separately(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    PMDL one = allocate_pages(PAGE_SIZE, 0);
    PMDL two = allocate_pages(2 * PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddressEx(4 * PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    CHECK(base != NULL, "%p", (void *)base);
    CHECK(MmMapLockedPagesWithReservedMapping(base + PAGE_SIZE, TAG_A, one, MmCached) ==
          base + PAGE_SIZE, "%s", "the first sub-range elsewhere");
    CHECK(MmMapLockedPagesWithReservedMapping(base + 2 * PAGE_SIZE, TAG_A, two, MmCached) ==
          base + 2 * PAGE_SIZE, "%s", "the second sub-range elsewhere");
    resmap_sim_get_counters(m, &c);
    CHECK(c.reserved_mapped_pages == 3, "%llu mapped", (unsigned long long)c.reserved_mapped_pages);
    CHECK(resmap_sim_mapping_cache_type(m, base) == MmNotMapped, "%s", "page 0 mapped");
    MmUnmapReservedMapping(base + PAGE_SIZE, TAG_A, one);
    resmap_sim_get_counters(m, &c);
    CHECK(c.reserved_mapped_pages == 2, "%llu mapped", (unsigned long long)c.reserved_mapped_pages);
    MmUnmapReservedMapping(base + 2 * PAGE_SIZE, TAG_A, two);
    free_pages(one);
    free_pages(two);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* A sub-range is measured from the page it starts at: an MDL longer than what is left of the range
 * there maps nothing (NULL, as for any MDL larger than the reservation). */
static void a_sub_range_must_fit_in_what_is_left(void)
{
    resmap_sim_machine *m = machine();
    PMDL two = allocate_pages(2 * PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddressEx(3 * PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    CHECK(MmMapLockedPagesWithReservedMapping(base + 2 * PAGE_SIZE, TAG_A, two, MmCached) == NULL,
          "%s", "a mapping past the end");
    CHECK(MmMapLockedPagesWithReservedMapping(base + PAGE_SIZE, TAG_A, two, MmCached) ==
          base + PAGE_SIZE, "%s", "no mapping that fits");
    MmUnmapReservedMapping(base + PAGE_SIZE, TAG_A, two);
    free_pages(two);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Overlapping sub-ranges: the second map finds a page already mapped (0xDA/0x107). */
static void overlapping_sub_ranges_are_not_properly_reserved(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL first = allocate_pages(2 * PAGE_SIZE, 0);
    PMDL second = allocate_pages(2 * PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddressEx(4 * PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, first, MmCached);
    MmMapLockedPagesWithReservedMapping(base + PAGE_SIZE, TAG_A, second, MmCached);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_MAP_ALREADY_MAPPED, p);
    /* P3 the page already mapped, P4 the end of the range being mapped (Bug Check 0xDA page). */
    CHECK(p[1] == (uintptr_t)(base + PAGE_SIZE) && p[2] == (uintptr_t)(base + PAGE_SIZE) &&
          p[3] == (uintptr_t)(base + 3 * PAGE_SIZE), "0x%llX 0x%llX 0x%llX", (unsigned long long)p[1],
          (unsigned long long)p[2], (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

/* A divisible range maps at page-aligned addresses only: an unaligned MappingAddress gives NULL and no
 * bugcheck (the decompiled MmMapLockedPagesWithReservedMapping returns NULL for it) [X]. A
 * non-divisible range maps at its start whatever the offset (the Base+4 tests). */
static void a_divisible_range_maps_only_at_page_boundaries(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddressEx(2 * PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    CHECK(MmMapLockedPagesWithReservedMapping(base + 4, TAG_A, pages, MmCached) == NULL, "%s",
          "a mapping at base + 4");
    CHECK(MmMapLockedPagesWithReservedMapping(base + PAGE_SIZE + 4, TAG_A, pages, MmCached) == NULL,
          "%s", "a mapping at an unaligned inner address");
    CHECK(MmMapLockedPagesWithReservedMapping(base + PAGE_SIZE, TAG_A, pages, MmCached) ==
          base + PAGE_SIZE, "%s", "no mapping at the aligned inner address");
    MmUnmapReservedMapping(base + PAGE_SIZE, TAG_A, pages);
    MmFreeMappingAddress(base, TAG_A);
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "A "magic" ring buffer with no wrap-around: reserve twice the size with DIVISIBLE, map the same
 * pages at the base and at base + size". An MDL has one system mapping at a time, so each half maps
 * its own partial MDL of the same locked pages. */
static void the_same_pages_twice_back_to_back_are_a_ring_buffer(void)
{
    enum { PAGES = 3 };
    const SIZE_T size = PAGES * PAGE_SIZE;
    resmap_sim_machine *m = machine();
    PMDL ring = allocate_pages(size, 0);
    PVOID start = MmGetMdlVirtualAddress(ring);
    PMDL low = IoAllocateMdl(start, (ULONG)size, FALSE, FALSE, NULL);
    PMDL high = IoAllocateMdl(start, (ULONG)size, FALSE, FALSE, NULL);
    PUCHAR base = MmAllocateMappingAddressEx(2 * size, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    IoBuildPartialMdl(ring, low, start, 0);
    IoBuildPartialMdl(ring, high, start, 0);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, low, MmCached) == base, "%s",
          "the low half elsewhere");
    CHECK(MmMapLockedPagesWithReservedMapping(base + size, TAG_A, high, MmCached) == base + size, "%s",
          "the high half elsewhere");
    /* A record written across the end of the buffer lands, wrapped, at its start. */
    memcpy(base + size - 3, "wrapped", 7);
    CHECK(memcmp(base + size - 3, "wrapped", 7) == 0 && memcmp(base, "pped", 4) == 0 &&
          memcmp(base + 2 * size - 3, "wra", 3) == 0, "%.4s at the start", (const char *)base);
    MmUnmapReservedMapping(base, TAG_A, low);
    MmUnmapReservedMapping(base + size, TAG_A, high);
    IoFreeMdl(low);
    IoFreeMdl(high);
    free_pages(ring);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Flags 0 or MM_MAPPING_ADDRESS_DIVISIBLE (0x1)": flags 0 behave as MmAllocateMappingAddress (one
 * range, mapped at its start), any other flag is refused with NULL. */
static void ex_takes_flags_0_or_divisible_only(void)
{
    resmap_sim_machine *m = machine();
    PMDL one = allocate_pages(PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddressEx(2 * PAGE_SIZE, TAG_A, 0);
    CHECK(MmMapLockedPagesWithReservedMapping(base + PAGE_SIZE, TAG_A, one, MmCached) == base, "%s",
          "a non-divisible range mapped at an inner page");
    MmUnmapReservedMapping(base, TAG_A, one);
    MmFreeMappingAddress(base, TAG_A);
    CHECK(MmAllocateMappingAddressEx(PAGE_SIZE, TAG_A, 0x2) == NULL, "%s", "a range with flag 0x2");
    CHECK(MmAllocateMappingAddressEx(PAGE_SIZE, TAG_A, 0x3) == NULL, "%s", "a range with flags 0x3");
    free_pages(one);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Windows 10 2004+": a driver asks MmGetSystemRoutineAddress; older builds do not export the routine
 * (and the simulator's entry point refuses to reserve on them), while MmAllocateMappingAddress is
 * there on every build. */
static void only_windows_10_2004_and_later_have_the_ex_routine(void)
{
    const struct {
        uint32_t build;
        int has_ex;
    } cases[] = { { RESMAP_SIM_BUILD_WIN81, 0 }, { RESMAP_SIM_BUILD_WIN10_1507, 0 },
                  { RESMAP_SIM_BUILD_WIN10_2004 - 1, 0 }, { RESMAP_SIM_BUILD_WIN10_2004, 1 },
                  { RESMAP_SIM_BUILD_DEFAULT, 1 } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        resmap_sim_machine *m = machine_with(cases[i].build, 0);
        PVOID ex = routine_address(L"MmAllocateMappingAddressEx");
        PVOID plain = routine_address(L"MmAllocateMappingAddress");
        CHECK(cases[i].has_ex ? ex == (PVOID)MmAllocateMappingAddressEx : ex == NULL, "build %u: %p",
              cases[i].build, ex);
        CHECK(plain == (PVOID)MmAllocateMappingAddress, "build %u: %p", cases[i].build, plain);
        CHECK(routine_address(L"MmAllocateMappingAddressExtra") == NULL, "build %u: %s",
              cases[i].build, "a routine nobody exports");
        PVOID base = MmAllocateMappingAddressEx(PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
        CHECK((base != NULL) == cases[i].has_ex, "build %u: %p", cases[i].build, base);
        if (base != NULL) {
            MmFreeMappingAddress(base, TAG_A);
        }
        CHECK_CLEAN(m);
        resmap_sim_destroy(m);
    }
}

int main(void)
{
    RUN(sub_ranges_map_and_unmap_separately);
    RUN(a_sub_range_must_fit_in_what_is_left);
    RUN(overlapping_sub_ranges_are_not_properly_reserved);
    RUN(a_divisible_range_maps_only_at_page_boundaries);
    RUN(the_same_pages_twice_back_to_back_are_a_ring_buffer);
    RUN(ex_takes_flags_0_or_divisible_only);
    RUN(only_windows_10_2004_and_later_have_the_ex_routine);
    return CHECK_DONE();
}
