/*
 * test_sim_ordinary.c - the ordinary mapping the reserved family is compared with:
 * "MmMapLockedPagesSpecifyCache(Mdl, KernelMode, CacheType, NULL, FALSE, Priority): ... one system
 * mapping per MDL; since Windows 8 the priority may carry MdlMappingNoExecute", and
 * MmUnmapLockedPages.
 */
#include "sim_fixture.h"
#include "host_maps.h"

static PVOID map_ordinary(PMDL mdl, KPROCESSOR_MODE mode, MEMORY_CACHING_TYPE cache, PVOID at,
                          ULONG priority)
{
    return MmMapLockedPagesSpecifyCache(mdl, mode, cache, at, FALSE, priority);
}

/* The mapping shows the MDL's bytes at the returned address (which includes the byte offset, as does
 * MappedSystemVa for this kind of mapping), and it is counted until unmapped. */
static void an_ordinary_mapping_shows_the_mdl_bytes(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    PUCHAR user = resmap_sim_user_alloc(m, 2 * PAGE_SIZE);
    PMDL mdl = lock_user(user, 0x30, PAGE_SIZE);
    user[0x30] = 0x77;
    PUCHAR va = map_ordinary(mdl, KernelMode, MmCached, NULL, NormalPagePriority | MdlMappingNoExecute);
    CHECK(va != NULL && ((uintptr_t)va & (PAGE_SIZE - 1)) == 0x30 && va[0] == 0x77, "%p",
          (void *)va);
    CHECK(mdl->MappedSystemVa == va && (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA), "%p",
          mdl->MappedSystemVa);
    CHECK(resmap_sim_mapping_cache_type(m, va) == MmCached, "%d", resmap_sim_mapping_cache_type(m, va));
    resmap_sim_get_counters(m, &c);
    CHECK(c.ordinary_mappings == 1 && c.ordinary_mapped_pages == 2, "%llu mappings of %llu pages",
          (unsigned long long)c.ordinary_mappings, (unsigned long long)c.ordinary_mapped_pages);
    MmUnmapLockedPages(va, mdl);
    CHECK((mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) == 0, "flags 0x%X", (unsigned)mdl->MdlFlags);
    unlock_user(mdl);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* An ordinary mapping of a partial MDL sets MDL_PARTIAL_HAS_BEEN_MAPPED too; the unmap clears it. */
static void an_ordinary_mapping_of_a_partial_mdl_marks_it(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(2 * PAGE_SIZE, 0);
    PMDL partial = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    IoBuildPartialMdl(pages, partial, (PUCHAR)MmGetMdlVirtualAddress(pages) + PAGE_SIZE, PAGE_SIZE);
    PVOID va = map_ordinary(partial, KernelMode, MmCached, NULL, NormalPagePriority);
    CHECK(va != NULL && (partial->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED)) ==
          (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED), "flags 0x%X",
          (unsigned)partial->MdlFlags);
    MmUnmapLockedPages(va, partial);
    CHECK((partial->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED)) == 0,
          "flags 0x%X", (unsigned)partial->MdlFlags);
    IoFreeMdl(partial);
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* MmGetSystemAddressForMdlSafe maps once and then returns the MDL's mapping. */
static void get_system_address_maps_once(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID first = MmGetSystemAddressForMdlSafe(pages, NormalPagePriority);
    PVOID second = MmGetSystemAddressForMdlSafe(pages, NormalPagePriority);
    resmap_sim_get_counters(m, &c);
    CHECK(first != NULL && second == first && c.ordinary_mappings == 1, "%p then %p", first, second);
    MmUnmapLockedPages(first, pages);
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Not modelled, refused with NULL: user-mode mappings, a caller-chosen address; and, as for the
 * reserved map, cache types from MmMaximumCacheType up. */
static void what_the_simulator_does_not_model_is_null(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    CHECK(map_ordinary(pages, UserMode, MmCached, NULL, NormalPagePriority) == NULL, "%s",
          "a user-mode mapping");
    CHECK(map_ordinary(pages, KernelMode, MmCached, (PVOID)0x10000, NormalPagePriority) == NULL, "%s",
          "a mapping at a requested address");
    CHECK(map_ordinary(pages, KernelMode, MmMaximumCacheType, NULL, NormalPagePriority) == NULL, "%s",
          "a mapping of cache type 6");
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Starting with Windows 8, the specified priority value can be bitwise-ORed with the
 * MdlMappingNoWrite" flag: the simulator then maps the frames PROT_READ on the host, so a write
 * through the mapping would fault for real; without it the mapping is read/write. Both show the
 * same bytes. */
static void mdl_mapping_no_write_is_a_read_only_host_mapping(void)
{
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL reading = lock_user(user, 0, PAGE_SIZE);
    PMDL writing = lock_user(user, 0, PAGE_SIZE);
    host_mapping h;
    user[5] = 0x5A;
    PUCHAR ro = map_ordinary(reading, KernelMode, MmCached, NULL, NormalPagePriority | MdlMappingNoWrite);
    PUCHAR rw = map_ordinary(writing, KernelMode, MmCached, NULL, NormalPagePriority);
    CHECK(ro != NULL && rw != NULL && ro[5] == 0x5A && rw[5] == 0x5A, "%p %p", (void *)ro, (void *)rw);
    CHECK(host_mapping_of(ro, &h) == 0 && strcmp(h.perms, "r--s") == 0, "no-write mapping is %s", h.perms);
    CHECK(host_mapping_of(rw, &h) == 0 && strcmp(h.perms, "rw-s") == 0, "ordinary mapping is %s", h.perms);
    MmUnmapLockedPages(ro, reading);
    MmUnmapLockedPages(rw, writing);
    unlock_user(reading);
    unlock_user(writing);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(an_ordinary_mapping_shows_the_mdl_bytes);
    RUN(an_ordinary_mapping_of_a_partial_mdl_marks_it);
    RUN(get_system_address_maps_once);
    RUN(what_the_simulator_does_not_model_is_null);
    RUN(mdl_mapping_no_write_is_a_read_only_host_mapping);
    return CHECK_DONE();
}
