/*
 * test_sim_bugchecks.c - the bugchecks outside SYSTEM_PTE_MISUSE and Driver Verifier that the contract
 * says a wrapper must never cause ("Other bug checks a wrapper must never cause"): 0x1A
 * MEMORY_MANAGEMENT and 0x4E PFN_LIST_CORRUPT for pages unlocked or freed twice or wrongly, 0x1E for
 * an exception nobody handles, 0x3F when a mapping that must not fail fails, and KeBugCheckEx itself.
 * Each leaves the machine dead and the process alive. 0xC4/0xC2 are in test_sim_verifier.c, 0x50 in
 * test_sim_page_faults.c.
 */
#include "sim_fixture.h"

/* Without Driver Verifier the kernel only asserts, in checked builds, that an MDL is not locked twice
 * or mapped twice (ReactOS mdlsup.c; Verifier's own checks 0xB0/0xB2 are in test_sim_verifier.c): a
 * second lock takes a second reference on each frame, and a second ordinary mapping is a second set
 * of PTEs. Both stay visible in the counters until they are undone. */
static void without_verifier_a_second_lock_or_mapping_is_made(void)
{
    resmap_sim_counters c;
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
    void *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = lock_user(user, 0, PAGE_SIZE);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID first, second;
    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    resmap_sim_get_counters(m, &c);
    CHECK(c.frames_locked == 2, "frames_locked %llu", (unsigned long long)c.frames_locked);
    first = MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    second = MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    CHECK(first != NULL && second != NULL && first != second, "%p %p", first, second);
    resmap_sim_get_counters(m, &c);
    CHECK(c.ordinary_mappings == 2, "ordinary_mappings %llu", (unsigned long long)c.ordinary_mappings);
    MmUnmapLockedPages(second, pages);
    MmUnmapLockedPages(first, pages);
    free_pages(pages);
    MmUnlockPages(mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* A NULL MDL (or routine name) is dereferenced by the kernel: a page fault at address 0, all four
 * parameters 0. */
static void a_null_mdl_is_a_page_fault(void)
{
    for (int routine = 0; routine < 7; routine++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine();
        PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        switch (routine) {
        case 0:
            MmMapLockedPagesWithReservedMapping(base, TAG_A, NULL, MmCached);
            break;
        case 1:
            MmUnmapReservedMapping(base, TAG_A, NULL);
            break;
        case 2:
            IoBuildPartialMdl(NULL, NULL, NULL, 0);
            break;
        case 3:
            MmProbeAndLockPages(NULL, KernelMode, IoReadAccess);
            break;
        case 4:
            MmUnlockPages(NULL);
            break;
        case 5:
            MmMapLockedPagesSpecifyCache(NULL, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
            break;
        default:
            MmGetSystemRoutineAddress(NULL);
            break;
        }
        CHECK_BUGCHECK(m, PAGE_FAULT_IN_NONPAGED_AREA, 0, p);
        CHECK(p[1] == 0 && p[2] == 0 && p[3] == 0, "routine %d: 0x%llX 0x%llX 0x%llX", routine,
              (unsigned long long)p[1], (unsigned long long)p[2], (unsigned long long)p[3]);
        resmap_sim_destroy(m);
    }
}

/* MmUnlockPages "releases a system mapping of the MDL if it has one" (MmUnlockPages reference page):
 * as an ordinary one. PTEs of a reservation are not its to release: 0xDA/0x301 "attempting to release
 * a mapping that it is not permitted to release", P2 the mapping's address (Bug Check 0xDA page). */
static void unlocking_pages_still_mapped_in_a_reservation_is_a_pte_misuse(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    void *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = lock_user(user, 0, PAGE_SIZE);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    MmUnlockPages(mdl);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_RELEASE_NOT_PERMITTED, p);
    CHECK(p[1] == (uintptr_t)base && p[2] == 0 && p[3] == 0, "P2 0x%llX", (unsigned long long)p[1]);
    resmap_sim_destroy(m);

    /* IoFreeMdl "releases the system-address-space mapping for a partial MDL" the same way: without
     * Verifier (which reports 0xB8 first), a partial MDL mapped in a reservation is 0xDA/0x301 too. */
    m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
    PUCHAR buffer = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL source = lock_user(buffer, 0, PAGE_SIZE);
    PMDL partial = IoAllocateMdl(buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    IoBuildPartialMdl(source, partial, buffer, PAGE_SIZE);
    base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, partial, MmCached);
    IoFreeMdl(partial);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_RELEASE_NOT_PERMITTED, p);
    CHECK(p[1] == (uintptr_t)base, "P2 0x%llX", (unsigned long long)p[1]);
    resmap_sim_destroy(m);
}

/* ... while an ordinary mapping it does release (no bugcheck, nothing left mapped). */
static void unlocking_pages_releases_their_ordinary_mapping(void)
{
    resmap_sim_machine *m = machine();
    void *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = lock_user(user, 0, PAGE_SIZE);
    CHECK(MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority) !=
          NULL, "%s", "no ordinary mapping");
    unlock_user(mdl);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* 0x1A/0x1236 (ReactOS mdlsup.c MmFreePagesFromMdl: MDL, its PFN entry, the frame the entry names):
 * MmFreePagesFromMdl twice, or of an MDL that holds no allocated pages. */
static void freeing_pages_twice_or_wrongly_is_memory_management(void)
{
    for (int misuse = 0; misuse < 2; misuse++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine();
        PMDL pages = allocate_pages(PAGE_SIZE, 0);
        PMDL io = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
        PMDL freed = pages;
        if (misuse == 0) {
            MmFreePagesFromMdl(pages);
            MmFreePagesFromMdl(pages);
        } else {
            MmFreePagesFromMdl(io);
            freed = io;
        }
        CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_INVALID_PAGES_FREE, p);
        CHECK(p[1] == (uintptr_t)freed && p[2] == (uintptr_t)MmGetMdlPfnArray(freed) &&
              p[3] == MmGetMdlPfnArray(freed)[0], "misuse %d: 0x%llX 0x%llX 0x%llX", misuse,
              (unsigned long long)p[1], (unsigned long long)p[2], (unsigned long long)p[3]);
        CHECK_STAYS_DEAD(m, MEMORY_MANAGEMENT);
        resmap_sim_destroy(m);
    }
}

/* The MmMdl kmtest (run on Windows) maps MmAllocatePagesForMdl pages, frees them without unmapping,
 * and frees the MDL with ExFreePoolWithTag(Mdl, 0): no bugcheck. The frames stay out of use until the
 * mapping goes, so no later allocation is handed a frame that is still mapped. */
static void pages_freed_while_mapped_stay_out_of_use_until_unmapped(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_untyped_pages(PAGE_SIZE);
    PFN_NUMBER frame = MmGetMdlPfnArray(pages)[0];
    PVOID va = MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE,
                                            NormalPagePriority);
    CHECK(va != NULL, "%s", "no mapping");
    MmFreePagesFromMdl(pages);
    ExFreePoolWithTag(pages, 0);
    CHECK(!resmap_sim_bugcheck(m, NULL, NULL), "%s", "bugchecked");
    for (int i = 0; i < 4; i++) {
        PMDL other = allocate_untyped_pages(256 * PAGE_SIZE);
        for (ULONG k = 0; other != NULL && k < other->ByteCount / PAGE_SIZE; k++) {
            CHECK(MmGetMdlPfnArray(other)[k] != frame, "frame %llu handed out while mapped",
                  (unsigned long long)frame);
        }
    }
    resmap_sim_destroy(m);
}

/* MmUnmapLockedPages of an MDL that is not mapped there: 0xDA/0x06 "The MDL being freed was never (or
 * is currently not) mapped" (Bug Check 0xDA page: P2 the MDL, P3 the address, P4 the pages). */
static void unmapping_no_ordinary_mapping_is_a_pte_misuse(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    PVOID va = MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    MmUnmapLockedPages(va, pages);
    CHECK_BUGCHECK(m, SYSTEM_PTE_MISUSE, PTE_MISUSE_MDL_NOT_MAPPED, p);
    CHECK(p[1] == (uintptr_t)pages && p[2] == (uintptr_t)va && p[3] == 1, "0x%llX 0x%llX %llu",
          (unsigned long long)p[1], (unsigned long long)p[2], (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

/* IoBuildPartialMdl: "Va is relative to MmGetMdlVirtualAddress(Source)" and the partial MDL must lie
 * inside the source - before it, past its end, or running over the end. */
static void a_partial_mdl_outside_its_source_is_memory_management(void)
{
    for (int misuse = 0; misuse < 4; misuse++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine();
        PUCHAR user = resmap_sim_user_alloc(m, 4 * PAGE_SIZE);
        PMDL source = lock_user(user, PAGE_SIZE, PAGE_SIZE);
        PMDL target = IoAllocateMdl(user, 4 * PAGE_SIZE, FALSE, FALSE, NULL);
        static const struct {
            ULONG at;
            ULONG length;
        } cases[] = { { 0, 16 }, { 3 * PAGE_SIZE, 16 }, { PAGE_SIZE + 16, PAGE_SIZE }, { 2 * PAGE_SIZE, 0 } };
        IoBuildPartialMdl(source, target, user + cases[misuse].at, cases[misuse].length);
        CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_SIM_BAD_PARTIAL, p);
        CHECK(p[1] == (uintptr_t)source && p[2] == (uintptr_t)(user + cases[misuse].at),
              "case %d: P3 0x%llX", misuse, (unsigned long long)p[2]);
        resmap_sim_destroy(m);
    }
}

/* "0x4E PFN_LIST_CORRUPT: unlocking ... pages twice" (Driver Verifier off; with it on, 0xC4/0x7C). */
static void unlocking_twice_without_verifier_is_pfn_list_corrupt(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
    void *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = lock_user(user, 0, PAGE_SIZE);
    PFN_NUMBER frame = MmGetMdlPfnArray(mdl)[0];
    MmUnlockPages(mdl);
    MmUnlockPages(mdl);
    CHECK_BUGCHECK(m, PFN_LIST_CORRUPT, PFN_UNLOCKED_TOO_OFTEN, p);
    CHECK(p[1] == frame && p[2] == 0, "P2 0x%llX P3 %llu", (unsigned long long)p[1],
          (unsigned long long)p[2]);
    CHECK_STAYS_DEAD(m, PFN_LIST_CORRUPT);
    resmap_sim_destroy(m);
}

/* Without Verifier, mapping pages nobody locked is the kernel's 0x1A/0x1233 "A driver tried to map a
 * physical memory page that was not locked", P2 the frame (Bug Check 0x1A page): an MDL never locked
 * (its PFN array names no frame), and a partial MDL whose source was unlocked since. */
static void mapping_pages_not_locked_without_verifier_is_memory_management(void)
{
    for (int misuse = 0; misuse < 2; misuse++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
        PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        PMDL mdl = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
        PFN_NUMBER frame = MmGetMdlPfnArray(mdl)[0];
        if (misuse == 1) {
            PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
            PMDL source = lock_user(user, 0, PAGE_SIZE);
            mdl = IoAllocateMdl(user, PAGE_SIZE, FALSE, FALSE, NULL);
            IoBuildPartialMdl(source, mdl, user, PAGE_SIZE);
            frame = MmGetMdlPfnArray(mdl)[0];
            unlock_user(source);
        }
        CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached) == NULL, "%s",
              "a mapping");
        CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_MAP_UNLOCKED_PAGE, p);
        CHECK(p[1] == frame, "misuse %d: P2 0x%llX", misuse, (unsigned long long)p[1]);
        resmap_sim_destroy(m);
    }
}

/* "MmProbeAndLockPages: must be inside try/except (it raises STATUS_ACCESS_VIOLATION ...)": called
 * bare on memory that is not the process's, the exception is unhandled - 0x1E with P1 the exception
 * code (P3 1 for a write, P4 the address). */
static void a_bare_probe_of_bad_memory_is_an_unhandled_exception(void)
{
    uint64_t p[4];
    static uint8_t not_user_memory[64];
    resmap_sim_machine *m = machine();
    PMDL mdl = IoAllocateMdl(not_user_memory, sizeof(not_user_memory), FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    CHECK_BUGCHECK(m, KMODE_EXCEPTION_NOT_HANDLED, (uint32_t)STATUS_ACCESS_VIOLATION, p);
    CHECK(p[2] == 1 && p[3] == (uintptr_t)not_user_memory, "P3 %llu P4 0x%llX",
          (unsigned long long)p[2], (unsigned long long)p[3]);
    CHECK_STAYS_DEAD(m, KMODE_EXCEPTION_NOT_HANDLED);
    resmap_sim_destroy(m);
}

/* NT_ASSERT with no debugger: STATUS_ASSERTION_FAILURE unhandled. */
static void a_failed_assertion_is_an_unhandled_exception(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    int never = 0;
    NT_ASSERT(never);
    CHECK_BUGCHECK(m, KMODE_EXCEPTION_NOT_HANDLED, (uint32_t)STATUS_ASSERTION_FAILURE, p);
    resmap_sim_destroy(m);
}

/* BugCheckOnFailure = TRUE with Verifier off: the kernel's own NO_MORE_SYSTEM_PTES, with the
 * parameters of the Bug Check 0x3F page: 0 (system PTE type), pages asked, free PTEs, all PTEs. */
static void a_mapping_that_must_not_fail_failing_is_no_more_system_ptes(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    resmap_sim_fail_nth(m, RESMAP_SIM_FAULT_MAPPING, 1);
    CHECK(MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, TRUE, NormalPagePriority) ==
          NULL, "%s", "a mapping");
    CHECK_BUGCHECK(m, NO_MORE_SYSTEM_PTES, 0, p);
    CHECK(p[1] == 1 && p[2] == 256 && p[3] == 256, "P2 %llu pages, P3 %llu free, P4 %llu total",
          (unsigned long long)p[1], (unsigned long long)p[2], (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

/* KeBugCheckEx records exactly what it is given; the first bugcheck of a machine is the one kept. */
static void ke_bugcheck_ex_records_its_code_and_parameters(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    KeBugCheckEx(0xE2, 1, 2, 3, 4);
    CHECK_BUGCHECK(m, 0xE2, 1, p);
    CHECK(p[1] == 2 && p[2] == 3 && p[3] == 4, "0x%llX 0x%llX 0x%llX", (unsigned long long)p[1],
          (unsigned long long)p[2], (unsigned long long)p[3]);
    KeBugCheckEx(0xDA, 0x100, 0, 0, 0);
    CHECK_STAYS_DEAD(m, 0xE2);
    resmap_sim_destroy(m);
}

/* A dead machine can still be destroyed with everything it held, and a new one works. */
static void a_dead_machine_is_destroyed_with_what_it_held(void)
{
    resmap_sim_machine *m = machine();
    void *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = lock_user(user, 0, PAGE_SIZE);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    CHECK(MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority) !=
          NULL, "%s", "no ordinary mapping");
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, TAG_A) != NULL, "%s", "no pool block");
    MmFreeMappingAddress(base, TAG_A);
    CHECK(resmap_sim_bugcheck(m, NULL, NULL) == 1, "%s", "alive");
    resmap_sim_destroy(m);
    CHECK(resmap_sim_current() == NULL, "%p", (void *)resmap_sim_current());
    m = machine();
    CHECK(MmAllocateMappingAddress(PAGE_SIZE, TAG_A) != NULL, "%s", "no reservation on a new machine");
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(without_verifier_a_second_lock_or_mapping_is_made);
    RUN(a_null_mdl_is_a_page_fault);
    RUN(unlocking_pages_still_mapped_in_a_reservation_is_a_pte_misuse);
    RUN(unlocking_pages_releases_their_ordinary_mapping);
    RUN(freeing_pages_twice_or_wrongly_is_memory_management);
    RUN(pages_freed_while_mapped_stay_out_of_use_until_unmapped);
    RUN(unmapping_no_ordinary_mapping_is_a_pte_misuse);
    RUN(a_partial_mdl_outside_its_source_is_memory_management);
    RUN(unlocking_twice_without_verifier_is_pfn_list_corrupt);
    RUN(mapping_pages_not_locked_without_verifier_is_memory_management);
    RUN(a_bare_probe_of_bad_memory_is_an_unhandled_exception);
    RUN(a_failed_assertion_is_an_unhandled_exception);
    RUN(a_mapping_that_must_not_fail_failing_is_no_more_system_ptes);
    RUN(ke_bugcheck_ex_records_its_code_and_parameters);
    RUN(a_dead_machine_is_destroyed_with_what_it_held);
    return CHECK_DONE();
}
