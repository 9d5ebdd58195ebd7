/*
 * test_sim_mdl.c - the MDL helpers ("The MDL helpers [D]"): IoAllocateMdl, IoBuildPartialMdl and
 * IoFreeMdl, and the MDL fields code written against the real header reads.
 */
#include "sim_fixture.h"

#define MDL_MAX_BYTES ((ULONG)(0x100000000ull - PAGE_SIZE))

/* "IoAllocateMdl(Va, Length, ...): ... does not fill the PFN array": the header describes the
 * buffer; the frames are unknown until the pages are locked. */
static void io_allocate_mdl_describes_the_buffer_but_not_its_frames(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    PUCHAR user = resmap_sim_user_alloc(m, 3 * PAGE_SIZE);
    PMDL mdl = IoAllocateMdl(user + 0x10, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    CHECK(mdl != NULL && mdl->StartVa == user && mdl->ByteOffset == 0x10 &&
          mdl->ByteCount == 2 * PAGE_SIZE && mdl->Next == NULL, "%s", "another description");
    CHECK(mdl->Size == (CSHORT)(sizeof(MDL) + 3 * sizeof(PFN_NUMBER)), "Size %d", mdl->Size);
    CHECK((mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA)) == 0, "flags 0x%X",
          (unsigned)mdl->MdlFlags);
    resmap_sim_get_counters(m, &c);
    CHECK(c.mdls == 1 && c.pool_allocations == 0, "%llu MDLs %llu blocks", (unsigned long long)c.mdls,
          (unsigned long long)c.pool_allocations);
    CHECK(resmap_sim_frame_cache_type(m, MmGetMdlPfnArray(mdl)[0]) == MmNotMapped, "%s",
          "a real frame in a PFN array nobody filled");
    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    CHECK(resmap_sim_frame_cache_type(m, MmGetMdlPfnArray(mdl)[2]) == MmCached, "%s",
          "the PFN array not filled by the lock");
    unlock_user(mdl);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "at most 4 GiB - 4 KiB"; the simulator has no IRPs to chain an MDL to. */
static void io_allocate_mdl_refuses_what_it_cannot_describe(void)
{
    resmap_sim_machine *m = machine();
    PMDL largest = IoAllocateMdl(NULL, MDL_MAX_BYTES, FALSE, FALSE, NULL);
    CHECK(largest != NULL && largest->ByteCount == MDL_MAX_BYTES, "%s", "no MDL of 4 GiB - 4 KiB");
    IoFreeMdl(largest);
    CHECK(IoAllocateMdl(NULL, MDL_MAX_BYTES + 1, FALSE, FALSE, NULL) == NULL, "%s", "a larger MDL");
    CHECK(IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, (PIRP)&largest) == NULL, "%s",
          "an MDL chained to an IRP");
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* IoBuildPartialMdl: "Va is relative to MmGetMdlVirtualAddress(Source)", "Length 0 means to the
 * end"; the partial MDL names the source's frames from the page Va falls in, is MDL_PARTIAL, and
 * carries the source's process. */
static void a_partial_mdl_takes_the_frames_of_its_sub_buffer(void)
{
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, 4 * PAGE_SIZE);
    PMDL source = lock_user(user, 0x100, 3 * PAGE_SIZE);
    PMDL partial = IoAllocateMdl(NULL, 3 * PAGE_SIZE, FALSE, FALSE, NULL);
    PUCHAR va = user + 2 * PAGE_SIZE + 0x80;
    IoBuildPartialMdl(source, partial, va, 0);
    CHECK(partial->ByteCount == (ULONG)(user + 0x100 + 3 * PAGE_SIZE - va) && partial->StartVa ==
          user + 2 * PAGE_SIZE && partial->ByteOffset == 0x80, "%u bytes", partial->ByteCount);
    CHECK(MmGetMdlPfnArray(partial)[0] == MmGetMdlPfnArray(source)[2] &&
          MmGetMdlPfnArray(partial)[1] == MmGetMdlPfnArray(source)[3], "%s", "other frames");
    CHECK((partial->MdlFlags & (MDL_PARTIAL | MDL_PAGES_LOCKED | MDL_ALLOCATED_FIXED_SIZE)) ==
          (MDL_PARTIAL | MDL_ALLOCATED_FIXED_SIZE) && partial->Process == source->Process, "flags 0x%X",
          (unsigned)partial->MdlFlags);
    IoFreeMdl(partial);
    unlock_user(source);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "If a partial MDL is built from a source MDL that is already mapped into the system address space,
 * MmGetSystemAddressForMdlSafe uses the existing source mapping" (IoBuildPartialMdl page): the partial
 * MDL carries MDL_MAPPED_TO_SYSTEM_VA and points into the source's mapping (ReactOS iomdl.c), so the
 * macro makes no second mapping, and IoFreeMdl of it releases nothing of the source's. */
static void a_partial_mdl_of_a_mapped_source_shares_its_mapping(void)
{
    resmap_sim_counters c;
    resmap_sim_machine *m = machine();
    PMDL source = allocate_pages(2 * PAGE_SIZE, 0);
    PMDL partial = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    PUCHAR mapped = MmMapLockedPagesSpecifyCache(source, KernelMode, MmCached, NULL, FALSE,
                                                 NormalPagePriority);
    IoBuildPartialMdl(source, partial, (PUCHAR)MmGetMdlVirtualAddress(source) + PAGE_SIZE + 8, 16);
    CHECK((partial->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) && partial->MappedSystemVa ==
          mapped + PAGE_SIZE + 8, "%p for %p", partial->MappedSystemVa, (void *)(mapped + PAGE_SIZE + 8));
    CHECK(MmGetSystemAddressForMdlSafe(partial, NormalPagePriority) == mapped + PAGE_SIZE + 8, "%s",
          "another address");
    resmap_sim_get_counters(m, &c);
    CHECK(c.ordinary_mappings == 1 && !resmap_sim_bugcheck(m, NULL, NULL), "%llu ordinary mappings",
          (unsigned long long)c.ordinary_mappings);
    IoFreeMdl(partial);
    resmap_sim_get_counters(m, &c);
    CHECK(c.ordinary_mappings == 1 && mapped[PAGE_SIZE] == 0, "%llu ordinary mappings",
          (unsigned long long)c.ordinary_mappings);
    MmUnmapLockedPages(mapped, source);
    free_pages(source);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "the IoFreeMdl routine releases the system-address-space mapping for a partial MDL, if such a
 * mapping exists" (IoBuildPartialMdl page; "If the MDL is a partial MDL, IoFreeMdl unmaps any pages
 * that have been mapped to the MDL", IoFreeMdl page): MmGetSystemAddressForMdlSafe of a partial MDL of
 * an unmapped source makes its own mapping, and IoFreeMdl gives it back, Verifier on or off. */
static void io_free_mdl_releases_a_partial_mdls_own_mapping(void)
{
    for (int verifier = 0; verifier < 2; verifier++) {
        resmap_sim_machine *m = machine_with(0, verifier ? 0 : RESMAP_SIM_FLAG_NO_VERIFIER);
        PUCHAR user = resmap_sim_user_alloc(m, 2 * PAGE_SIZE);
        PMDL source = lock_user(user, 0, 2 * PAGE_SIZE);
        PMDL partial = IoAllocateMdl(user + PAGE_SIZE, PAGE_SIZE, FALSE, FALSE, NULL);
        IoBuildPartialMdl(source, partial, user + PAGE_SIZE, PAGE_SIZE);
        PUCHAR va = MmGetSystemAddressForMdlSafe(partial, NormalPagePriority);
        CHECK(va != NULL && (partial->MdlFlags & MDL_PARTIAL_HAS_BEEN_MAPPED), "%p", (void *)va);
        va[1] = 0x5A;
        CHECK(user[PAGE_SIZE + 1] == 0x5A, "%s", "not the user's page");
        IoFreeMdl(partial);
        unlock_user(source);
        resmap_sim_user_free(m, user);
        CHECK_CLEAN(m);
        resmap_sim_destroy(m);
    }
}

/* A target MDL with room for fewer frames than the sub-buffer spans is refused (0x1A). */
static void a_partial_mdl_too_small_for_its_sub_buffer_is_memory_management(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL source = allocate_pages(3 * PAGE_SIZE, 0);
    PMDL target = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    IoBuildPartialMdl(source, target, MmGetMdlVirtualAddress(source), 3 * PAGE_SIZE);
    CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_SIM_BAD_PARTIAL, p);
    CHECK(p[1] == (uintptr_t)target && p[2] == 3, "P2 0x%llX P3 %llu", (unsigned long long)p[1],
          (unsigned long long)p[2]);
    resmap_sim_destroy(m);
}

/* MDL.Size is a 16-bit field, so an MDL of more than about 8,185 pages cannot state its own size; a
 * partial MDL of such a page set, into a target IoAllocateMdl made large enough, is fine. */
static void a_partial_mdl_larger_than_its_size_field_can_state_is_built(void)
{
    enum { PAGES = 8200 };
    resmap_sim_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.physical_pages = PAGES + 64;
    resmap_sim_machine *m = resmap_sim_create(&cfg);
    resmap_sim_select(m);
    PMDL source = allocate_pages((SIZE_T)PAGES * PAGE_SIZE, MM_ALLOCATE_FULLY_REQUIRED);
    PMDL target = IoAllocateMdl(NULL, PAGES * PAGE_SIZE, FALSE, FALSE, NULL);
    IoBuildPartialMdl(source, target, NULL, 0);
    CHECK(!resmap_sim_bugcheck(m, NULL, NULL), "%s", "a bugcheck for a target that is large enough");
    CHECK(target->ByteCount == PAGES * PAGE_SIZE &&
          MmGetMdlPfnArray(target)[PAGES - 1] == MmGetMdlPfnArray(source)[PAGES - 1], "%u bytes",
          target->ByteCount);
    IoFreeMdl(target);
    free_pages(source);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Free with MmFreePagesFromMdl and then ExFreePool on the MDL": both kinds of MDL go back, counted. */
static void mdls_are_counted_until_freed(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    PMDL io = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    resmap_sim_get_counters(m, &c);
    CHECK(c.mdls == 2, "%llu MDLs", (unsigned long long)c.mdls);
    IoFreeMdl(io);
    MmFreePagesFromMdl(pages);
    resmap_sim_get_counters(m, &c);
    CHECK(c.mdls == 1 && c.frames_allocated == 0, "%llu MDLs %llu frames", (unsigned long long)c.mdls,
          (unsigned long long)c.frames_allocated);
    ExFreePool(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(io_allocate_mdl_describes_the_buffer_but_not_its_frames);
    RUN(io_allocate_mdl_refuses_what_it_cannot_describe);
    RUN(a_partial_mdl_takes_the_frames_of_its_sub_buffer);
    RUN(a_partial_mdl_of_a_mapped_source_shares_its_mapping);
    RUN(io_free_mdl_releases_a_partial_mdls_own_mapping);
    RUN(a_partial_mdl_too_small_for_its_sub_buffer_is_memory_management);
    RUN(a_partial_mdl_larger_than_its_size_field_can_state_is_built);
    RUN(mdls_are_counted_until_freed);
    return CHECK_DONE();
}
