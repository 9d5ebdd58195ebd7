/*
 * test_sim_pte_misuse.c - every SYSTEM_PTE_MISUSE (0xDA) the reserved-mapping family raises, with the
 * parameters of the contract's table ("What the kernel punishes"), on the builds where it applies;
 * after each one the machine is dead but the process goes on.
 */
#include "sim_fixture.h"

/* TAG_B differs from TAG_A only in bit 0, which header-based builds ignore: this one differs more. */
#define OTHER_TAG 'Othr'

/* An address in no reservation and outside the system PTE arena. */
#define NOWHERE ((PVOID)(uintptr_t)0x10000)

/* 0x100 "The caller requested 0 mappings" (Bug Check 0xDA page: P2 the mappings requested, P3 the tag,
 * P4 the caller's caller, which the simulator has none of: 0). */
static void zero_bytes_is_a_request_for_0_pages(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    CHECK(MmAllocateMappingAddress(0, TAG_A) == NULL, "%s", "a reservation");
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_ZERO_PAGES, p);
    CHECK(p[1] == 0 && p[2] == TAG_A && p[3] == 0, "P2 0x%llX P3 0x%llX", (unsigned long long)p[1],
          (unsigned long long)p[2]);
    CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
    resmap_sim_destroy(m);
}

/* The page count is never truncated (issue 9): a size whose 32-bit count would wrap to 0 or to a few
 * pages fails with NULL, as any request larger than the system PTEs does, by either routine; it is
 * neither 0x100 nor a small reservation. (ReactOS counts in 32 bits, pool.c; nothing documents it.) */
static void a_huge_size_fails_and_never_wraps_into_a_small_reservation(void)
{
    const SIZE_T sizes[] = { (SIZE_T)1 << (32 + PAGE_SHIFT), ((SIZE_T)1 << (32 + PAGE_SHIFT)) + PAGE_SIZE,
                             ((SIZE_T)1 << (32 + PAGE_SHIFT)) + 1, MAXSIZE_T, MAXSIZE_T - PAGE_SIZE };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        resmap_sim_machine *m = machine();
        CHECK(MmAllocateMappingAddress(sizes[i], TAG_A) == NULL, "size 0x%llX: a reservation",
              (unsigned long long)sizes[i]);
        CHECK(MmAllocateMappingAddressEx(sizes[i], TAG_A, 0) == NULL &&
              MmAllocateMappingAddressEx(sizes[i], TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE) == NULL,
              "size 0x%llX: an Ex reservation", (unsigned long long)sizes[i]);
        CHECK_CLEAN(m);
        resmap_sim_destroy(m);
    }
}

/* 0x101: "free with the wrong tag [D][R]" (P2 address, P3 caller tag, P4 owner tag) - on a
 * header-based build and on a tree build alike: the documented code, not the reported 0x102 [X]. */
static void freeing_with_another_tag_is_not_owning_the_range(void)
{
    const uint32_t builds[] = { RESMAP_SIM_BUILD_WIN81, 0 };
    for (size_t i = 0; i < 2; i++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine_with(builds[i], 0);
        PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        MmFreeMappingAddress(base, OTHER_TAG);
        CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_FREE_WRONG_OWNER, p);
        CHECK(p[1] == (uintptr_t)base && p[2] == OTHER_TAG && p[3] == TAG_A, "build %u: 0x%llX 0x%llX",
              builds[i], (unsigned long long)p[2], (unsigned long long)p[3]);
        CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
        resmap_sim_destroy(m);
    }
}

/* 0x102: "free of a damaged header [R]": a header-based build reads the two PTEs before the page the
 * address falls in; with tag 1 (bit 0 ignored, so it reads as 0) an inner page's empty PTE passes
 * for the tag, and what is left is not a header. */
static void a_header_based_free_of_an_inner_page_finds_an_empty_range(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine_with(RESMAP_SIM_BUILD_WIN81, 0);
    PUCHAR base = MmAllocateMappingAddress(2 * PAGE_SIZE, 1);
    MmFreeMappingAddress(base + PAGE_SIZE, 1);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_FREE_EMPTY, p);
    CHECK(p[1] == (uintptr_t)(base + PAGE_SIZE), "P2 0x%llX", (unsigned long long)p[1]);
    resmap_sim_destroy(m);
}

/* 0x103: "free while any page is mapped [D][R][X]" (P4 count) */
static void freeing_a_mapped_range_is_still_mapped(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(2 * PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(3 * PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_FREE_STILL_MAPPED, p);
    CHECK(p[1] == (uintptr_t)base && p[2] == TAG_A && p[3] == 2, "P4 %llu", (unsigned long long)p[3]);
    CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
    resmap_sim_destroy(m);

    /* P2 "the address of the invalid mapping" (Bug Check 0xDA page): the page still mapped, here the
     * third page of a divisible range. */
    m = machine();
    pages = allocate_pages(PAGE_SIZE, 0);
    PUCHAR range = MmAllocateMappingAddressEx(4 * PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    MmMapLockedPagesWithReservedMapping(range + 2 * PAGE_SIZE, TAG_A, pages, MmCached);
    MmFreeMappingAddress(range, TAG_A);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_FREE_STILL_MAPPED, p);
    CHECK(p[1] == (uintptr_t)(range + 2 * PAGE_SIZE) && p[3] == 1, "P2 0x%llX P4 %llu",
          (unsigned long long)p[1], (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

/* 0x104: "map with the wrong tag [D][R][X]" (P3 caller tag, P4 owner tag); Windows 10 and later
 * compare all 32 bits [X], so bit 0 counts there. */
static void mapping_with_another_tag_is_not_owning_the_range(void)
{
    const ULONG wrong[] = { TAG_B, TAG_A ^ 1u };
    for (size_t i = 0; i < 2; i++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine();
        PMDL pages = allocate_pages(PAGE_SIZE, 0);
        PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        CHECK(MmMapLockedPagesWithReservedMapping(base, wrong[i], pages, MmCached) == NULL, "%s",
              "a mapping");
        CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_MAP_WRONG_OWNER, p);
        CHECK(p[1] == (uintptr_t)base && p[2] == wrong[i] && p[3] == TAG_A, "0x%llX 0x%llX",
              (unsigned long long)p[2], (unsigned long long)p[3]);
        CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
        resmap_sim_destroy(m);
    }
}

/* "an address in a later page of the reservation is then misread (ReactOS raises 0x104 there)" [R]:
 * the PTE read as the owner's tag is an empty one. */
static void a_header_based_map_at_an_inner_page_misreads_the_owner(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine_with(RESMAP_SIM_BUILD_WIN81, 0);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base + PAGE_SIZE, TAG_A, pages, MmCached);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_MAP_WRONG_OWNER, p);
    CHECK(p[2] == TAG_A && p[3] == 0, "P3 0x%llX P4 0x%llX", (unsigned long long)p[2],
          (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

/* ... and when that PTE maps a page, its contents (frame and valid bits) are read as the owner. */
static void a_header_based_map_after_a_mapped_page_reads_a_pte_as_the_owner(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine_with(RESMAP_SIM_BUILD_WIN81, 0);
    PMDL first = allocate_pages(PAGE_SIZE, 0);
    PMDL second = allocate_pages(PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, first, MmCached);
    MmMapLockedPagesWithReservedMapping(base + PAGE_SIZE, TAG_A, second, MmCached);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_MAP_WRONG_OWNER, p);
    CHECK(p[3] >> PAGE_SHIFT == MmGetMdlPfnArray(first)[0] && (p[3] & 1), "P4 0x%llX",
          (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

/* 0x105: "map at a bad address (header-based builds) [D][R]" */
static void a_header_based_map_outside_any_range_is_an_invalid_range(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine_with(RESMAP_SIM_BUILD_WIN81, 0);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    MmMapLockedPagesWithReservedMapping(NOWHERE, TAG_A, pages, MmCached);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_MAP_INVALID_RANGE, p);
    CHECK(p[1] == (uintptr_t)NOWHERE && p[2] == TAG_A, "P2 0x%llX", (unsigned long long)p[1]);
    CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
    resmap_sim_destroy(m);
}

/* 0x106: "address not inside any reservation, for map (P4=1), unmap (P4=2), free (P4=0) [X]" - an
 * address outside the arena, and the header page in front of a reservation. */
static void windows_10_refuses_an_address_in_no_reservation(void)
{
    for (int purpose = 0; purpose < 3; purpose++) {
        for (int in_header = 0; in_header < 2; in_header++) {
            uint64_t p[4];
            resmap_sim_machine *m = machine();
            PMDL pages = allocate_pages(PAGE_SIZE, 0);
            PUCHAR base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
            PVOID where = in_header ? (PVOID)(base - PAGE_SIZE) : NOWHERE;
            if (purpose == 0) {
                MmFreeMappingAddress(where, TAG_A);
            } else if (purpose == 1) {
                MmMapLockedPagesWithReservedMapping(where, TAG_A, pages, MmCached);
            } else {
                MmUnmapReservedMapping(where, TAG_A, pages);
            }
            CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_NOT_A_RESERVATION, p);
            CHECK(p[1] == (uintptr_t)where && p[2] == TAG_A && p[3] == (uint64_t)purpose,
                  "purpose %d: P4 %llu", purpose, (unsigned long long)p[3]);
            resmap_sim_destroy(m);
        }
    }
}

/* 0x107 "attempting to map an MDL to a mapping address space that has not been properly reserved"
 * (Bug Check 0xDA page: P2 the first mapping address, P3 the address of the non-empty mapping, P4 the
 * last mapping address - one past the range, as the reverse-engineered routine passes it). A
 * non-divisible range is checked whole. */
static void mapping_a_mapped_range_again_is_not_properly_reserved(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL first = allocate_pages(2 * PAGE_SIZE, 0);
    PMDL second = allocate_pages(2 * PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, first, MmCached);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, second, MmCached) == NULL, "%s",
          "a second mapping");
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_MAP_ALREADY_MAPPED, p);
    CHECK(p[1] == (uintptr_t)base && p[2] == (uintptr_t)base &&
          p[3] == (uintptr_t)base + 2 * PAGE_SIZE, "P3 0x%llX P4 0x%llX",
          (unsigned long long)p[2], (unsigned long long)p[3]);
    CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
    resmap_sim_destroy(m);

    /* Divisible: only the pages the MDL goes to, and P3 names the mapped one. */
    m = machine();
    PMDL two = allocate_pages(2 * PAGE_SIZE, 0);
    PMDL one = allocate_pages(PAGE_SIZE, 0);
    PUCHAR range = MmAllocateMappingAddressEx(4 * PAGE_SIZE, TAG_A, MM_MAPPING_ADDRESS_DIVISIBLE);
    CHECK(MmMapLockedPagesWithReservedMapping(range + 2 * PAGE_SIZE, TAG_A, one, MmCached) ==
          range + 2 * PAGE_SIZE, "%s", "no mapping of the third page");
    MmMapLockedPagesWithReservedMapping(range + PAGE_SIZE, TAG_A, two, MmCached);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_MAP_ALREADY_MAPPED, p);
    CHECK(p[1] == (uintptr_t)(range + PAGE_SIZE) && p[2] == (uintptr_t)(range + 2 * PAGE_SIZE) &&
          p[3] == (uintptr_t)(range + 3 * PAGE_SIZE), "0x%llX 0x%llX 0x%llX", (unsigned long long)p[1],
          (unsigned long long)p[2], (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

/* 0x108: "unmap with the wrong tag [D][R]" */
static void unmapping_with_another_tag_is_not_owning_the_range(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    MmUnmapReservedMapping(base, TAG_B, pages);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_WRONG_OWNER, p);
    CHECK(p[1] == (uintptr_t)base && p[2] == TAG_B && p[3] == TAG_A, "0x%llX 0x%llX",
          (unsigned long long)p[2], (unsigned long long)p[3]);
    CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
    resmap_sim_destroy(m);
}

/* 0x109: "unmapping a range that is apparently empty [D][R]": an MDL of no pages, and (header-based)
 * an address outside every range. */
static void unmapping_nothing_is_an_empty_range(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    pages->ByteCount = 0;
    MmUnmapReservedMapping(base, TAG_A, pages);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_EMPTY, p);
    CHECK(p[1] == (uintptr_t)base, "P2 0x%llX", (unsigned long long)p[1]);
    CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
    resmap_sim_destroy(m);

    m = machine_with(RESMAP_SIM_BUILD_WIN81, 0);
    pages = allocate_pages(PAGE_SIZE, 0);
    MmUnmapReservedMapping(NOWHERE, TAG_A, pages);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_EMPTY, p);
    resmap_sim_destroy(m);
}

/* 0x10A "attempting to unmap more mappings than actually exist" (Bug Check 0xDA page: P3 the mappings
 * in the range, P4 the mappings to unmap). */
static void unmapping_more_pages_than_reserved_is_too_many(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL small = allocate_pages(PAGE_SIZE, 0);
    PMDL large = allocate_pages(3 * PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, small, MmCached);
    MmUnmapReservedMapping(base, TAG_A, large);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_TOO_MANY, p);
    CHECK(p[1] == (uintptr_t)base && p[2] == 2 && p[3] == 3, "P3 %llu P4 %llu",
          (unsigned long long)p[2], (unsigned long long)p[3]);
    CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
    resmap_sim_destroy(m);
}

/* 0x10B "attempting to unmap a portion ... that is not currently mapped" (Bug Check 0xDA page: P3 the
 * caller's tag, P4 the mappings to unmap). */
static void unmapping_an_unmapped_range_is_not_currently_mapped(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    MmUnmapReservedMapping(base, TAG_A, pages);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_NOT_MAPPED, p);
    CHECK(p[1] == (uintptr_t)base && p[2] == TAG_A && p[3] == 1, "P3 0x%llX P4 %llu",
          (unsigned long long)p[2], (unsigned long long)p[3]);
    CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
    resmap_sim_destroy(m);
}

/* 0x10C "not unmapping the entirety of the locked mapping address space" (Bug Check 0xDA page: P3 the
 * caller's tag, P4 the mappings to unmap). */
static void unmapping_part_of_a_non_divisible_range_is_not_the_entire_range(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL three = allocate_pages(3 * PAGE_SIZE, 0);
    PMDL one = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(3 * PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, three, MmCached);
    MmUnmapReservedMapping(base, TAG_A, one);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_PARTIAL, p);
    CHECK(p[1] == (uintptr_t)base && p[2] == TAG_A && p[3] == 1, "P3 0x%llX P4 %llu",
          (unsigned long long)p[2], (unsigned long long)p[3]);
    CHECK_STAYS_DEAD(m, SYSTEM_PTE_MISUSE);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(zero_bytes_is_a_request_for_0_pages);
    RUN(a_huge_size_fails_and_never_wraps_into_a_small_reservation);
    RUN(freeing_with_another_tag_is_not_owning_the_range);
    RUN(a_header_based_free_of_an_inner_page_finds_an_empty_range);
    RUN(freeing_a_mapped_range_is_still_mapped);
    RUN(mapping_with_another_tag_is_not_owning_the_range);
    RUN(a_header_based_map_at_an_inner_page_misreads_the_owner);
    RUN(a_header_based_map_after_a_mapped_page_reads_a_pte_as_the_owner);
    RUN(a_header_based_map_outside_any_range_is_an_invalid_range);
    RUN(windows_10_refuses_an_address_in_no_reservation);
    RUN(mapping_a_mapped_range_again_is_not_properly_reserved);
    RUN(unmapping_with_another_tag_is_not_owning_the_range);
    RUN(unmapping_nothing_is_an_empty_range);
    RUN(unmapping_more_pages_than_reserved_is_too_many);
    RUN(unmapping_an_unmapped_range_is_not_currently_mapped);
    RUN(unmapping_part_of_a_non_divisible_range_is_not_the_entire_range);
    return CHECK_DONE();
}
