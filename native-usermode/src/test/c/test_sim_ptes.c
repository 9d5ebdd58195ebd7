/*
 * test_sim_ptes.c - the finite pool of system PTEs that reservations (with their two header PTEs)
 * and ordinary mappings share, and the reason the API exists: "the API exists so that drivers make
 * forward progress when system PTEs are scarce [D]" - once ordinary mappings fail, a reservation made
 * earlier still maps ("Forward progress when system PTEs run out ... fall back to one reserved
 * mapping" [X]).
 */
#include "sim_fixture.h"

#define PTES 16

static resmap_sim_machine *machine_with_ptes(uint32_t ptes)
{
    resmap_sim_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.physical_pages = 256;
    cfg.system_ptes = ptes;
    resmap_sim_machine *m = resmap_sim_create(&cfg);
    resmap_sim_select(m);
    return m;
}

static PVOID map_ordinary(PMDL mdl)
{
    return MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
}

static uint64_t ptes_used(resmap_sim_machine *m)
{
    resmap_sim_counters c;
    resmap_sim_get_counters(m, &c);
    return c.ptes_used;
}

/* A reservation holds its pages and two header PTEs from the start, mapped or not; an ordinary
 * mapping holds its pages while it lives. */
static void reservations_and_ordinary_mappings_share_one_pool(void)
{
    resmap_sim_machine *m = machine_with_ptes(PTES);
    resmap_sim_counters c;
    PMDL pages = allocate_pages(3 * PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(4 * PAGE_SIZE, TAG_A);
    resmap_sim_get_counters(m, &c);
    CHECK(c.ptes_total == PTES && c.ptes_used == 4 + 2, "%llu of %llu", (unsigned long long)c.ptes_used,
          (unsigned long long)c.ptes_total);
    PVOID va = map_ordinary(pages);
    CHECK(ptes_used(m) == 4 + 2 + 3, "%llu used", (unsigned long long)ptes_used(m));
    MmUnmapLockedPages(va, pages);
    MmFreeMappingAddress(base, TAG_A);
    CHECK(ptes_used(m) == 0, "%llu used", (unsigned long long)ptes_used(m));
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* The whole point: with the pool exhausted by ordinary mappings, another ordinary mapping fails
 * (NULL, no bugcheck), while the reservation made beforehand maps, carries data and unmaps. */
static void a_reservation_still_maps_when_ordinary_mappings_fail(void)
{
    resmap_sim_machine *m = machine_with_ptes(PTES);
    PMDL hog = allocate_pages((PTES - 4 - 2) * PAGE_SIZE, 0);
    PMDL io = allocate_pages(4 * PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddress(4 * PAGE_SIZE, TAG_A);
    PVOID hogged = map_ordinary(hog);
    CHECK(hogged != NULL && ptes_used(m) == PTES, "%llu used", (unsigned long long)ptes_used(m));
    CHECK(map_ordinary(io) == NULL, "%s", "an ordinary mapping with no PTE left");
    CHECK(!resmap_sim_bugcheck(m, NULL, NULL), "%s", "a bugcheck for a failed ordinary mapping");
    PUCHAR va = MmMapLockedPagesWithReservedMapping(base, TAG_A, io, MmCached);
    CHECK(va == base, "%p for base %p", (void *)va, (void *)base);
    if (va != NULL) {
        memset(va, 0x3C, 4 * PAGE_SIZE);
        CHECK(va[4 * PAGE_SIZE - 1] == 0x3C, "%s", "lost bytes");
    }
    MmUnmapReservedMapping(base, TAG_A, io);
    MmUnmapLockedPages(hogged, hog);
    PVOID now = map_ordinary(io);
    CHECK(now != NULL, "%s", "still no ordinary mapping after PTEs came back");
    MmUnmapLockedPages(now, io);
    free_pages(hog);
    free_pages(io);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* A reservation needs its pages plus two header PTEs in one run: one too many is NULL. */
static void a_reservation_the_pool_cannot_hold_is_null(void)
{
    resmap_sim_machine *m = machine_with_ptes(PTES);
    CHECK(MmAllocateMappingAddress((PTES - 1) * PAGE_SIZE, TAG_A) == NULL, "%s",
          "a reservation of more PTEs than the pool has");
    PVOID fits = MmAllocateMappingAddress((PTES - 2) * PAGE_SIZE, TAG_A);
    CHECK(fits != NULL, "%s", "no reservation of exactly the pool");
    CHECK(MmAllocateMappingAddress(1, TAG_A) == NULL, "%s", "a reservation from an empty pool");
    CHECK(!resmap_sim_bugcheck(m, NULL, NULL), "%s", "a bugcheck for a failed reservation");
    MmFreeMappingAddress(fits, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Freed PTEs are reused: many more reservations than the pool holds at once, one after another. */
static void freed_ptes_are_reused(void)
{
    resmap_sim_machine *m = machine_with_ptes(PTES);
    int made = 0;
    for (int i = 0; i < 1000; i++) {
        PVOID base = MmAllocateMappingAddress(3 * PAGE_SIZE, TAG_A);
        made += base != NULL;
        if (base != NULL) {
            MmFreeMappingAddress(base, TAG_A);
        }
    }
    CHECK(made == 1000, "%d reservations", made);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(reservations_and_ordinary_mappings_share_one_pool);
    RUN(a_reservation_still_maps_when_ordinary_mappings_fail);
    RUN(a_reservation_the_pool_cannot_hold_is_null);
    RUN(freed_ptes_are_reused);
    return CHECK_DONE();
}
