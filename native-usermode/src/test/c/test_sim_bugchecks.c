/*
 * test_sim_bugchecks.c - the bugchecks outside SYSTEM_PTE_MISUSE and Driver Verifier that the contract
 * says a wrapper must never cause ("Other bug checks a wrapper must never cause"): 0x1A
 * MEMORY_MANAGEMENT and 0x4E PFN_LIST_CORRUPT for pages unlocked or freed twice or wrongly, 0x1E for
 * an exception nobody handles, 0x3F when a mapping that must not fail fails, and KeBugCheckEx itself.
 * Each leaves the machine dead and the process alive. 0xC4/0xC2 are in test_sim_verifier.c, 0x50 in
 * test_sim_page_faults.c.
 */
#include "sim_fixture.h"

/* "An MDL may have only one system mapping at a time [D]": a second one, reserved or ordinary. */
static void a_second_system_mapping_of_one_mdl_is_memory_management(void)
{
    for (int second_is_ordinary = 0; second_is_ordinary < 2; second_is_ordinary++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine();
        PMDL pages = allocate_pages(PAGE_SIZE, 0);
        PVOID first = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        PVOID second = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        MmMapLockedPagesWithReservedMapping(first, TAG_A, pages, MmCached);
        if (second_is_ordinary) {
            MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
        } else {
            MmMapLockedPagesWithReservedMapping(second, TAG_A, pages, MmCached);
        }
        CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_SIM_BAD_MDL_STATE, p);
        CHECK(p[1] == (uintptr_t)pages && (p[2] & MDL_MAPPED_TO_SYSTEM_VA), "P2 0x%llX P3 0x%llX",
              (unsigned long long)p[1], (unsigned long long)p[2]);
        CHECK_STAYS_DEAD(m, MEMORY_MANAGEMENT);
        resmap_sim_destroy(m);
    }
}

/* "an MDL cannot be locked twice [D]" */
static void locking_an_mdl_twice_is_memory_management(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    void *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = lock_user(user, 0, PAGE_SIZE);
    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_SIM_BAD_MDL_STATE, p);
    CHECK(p[1] == (uintptr_t)mdl && (p[2] & MDL_PAGES_LOCKED), "P3 0x%llX", (unsigned long long)p[2]);
    CHECK_STAYS_DEAD(m, MEMORY_MANAGEMENT);
    resmap_sim_destroy(m);
}

/* "not for partial MDLs [D]": MmProbeAndLockPages of a partial MDL. */
static void locking_a_partial_mdl_is_memory_management(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL source = lock_user(user, 0, PAGE_SIZE);
    PMDL partial = IoAllocateMdl(user, 16, FALSE, FALSE, NULL);
    IoBuildPartialMdl(source, partial, user, 16);
    MmProbeAndLockPages(partial, KernelMode, IoReadAccess);
    CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_SIM_BAD_MDL_STATE, p);
    CHECK(p[1] == (uintptr_t)partial && (p[2] & MDL_PARTIAL), "P3 0x%llX", (unsigned long long)p[2]);
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

/* "MmUnlockPages: releases a system mapping of the MDL if it has one, so unmap the reserved mapping
 * first [D]": it cannot release a reserved one. */
static void unlocking_pages_still_mapped_in_a_reservation_is_memory_management(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    void *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = lock_user(user, 0, PAGE_SIZE);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    MmUnlockPages(mdl);
    CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_SIM_BAD_MDL_STATE, p);
    CHECK(p[1] == (uintptr_t)mdl && p[3] == (uintptr_t)base, "P4 0x%llX", (unsigned long long)p[3]);
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

/* "0x1A MEMORY_MANAGEMENT ...: unlocking or freeing pages twice or wrongly": MmFreePagesFromMdl twice,
 * on an MDL that holds no allocated pages, and on pages still mapped. */
static void freeing_pages_twice_or_wrongly_is_memory_management(void)
{
    for (int misuse = 0; misuse < 3; misuse++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine();
        PMDL pages = allocate_pages(PAGE_SIZE, 0);
        PMDL io = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
        PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        PMDL freed = pages;
        if (misuse == 0) {
            MmFreePagesFromMdl(pages);
            MmFreePagesFromMdl(pages);
        } else if (misuse == 1) {
            MmFreePagesFromMdl(io);
            freed = io;
        } else {
            MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
            MmFreePagesFromMdl(pages);
        }
        CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_INVALID_PAGES_FREE, p);
        CHECK(p[1] == (uintptr_t)freed, "misuse %d: P2 0x%llX", misuse, (unsigned long long)p[1]);
        CHECK_STAYS_DEAD(m, MEMORY_MANAGEMENT);
        resmap_sim_destroy(m);
    }
}

/* MmUnmapLockedPages of something that is not an ordinary mapping of that MDL. */
static void unmapping_no_ordinary_mapping_is_memory_management(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    PVOID va = MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    MmUnmapLockedPages(va, pages);
    CHECK_BUGCHECK(m, MEMORY_MANAGEMENT, MM_SIM_BAD_UNMAP, p);
    CHECK(p[1] == (uintptr_t)va && p[2] == (uintptr_t)pages, "P2 0x%llX", (unsigned long long)p[1]);
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

/* Without Verifier an MDL nobody locked is mapped as it is; its PFN array names no real frame. */
static void mapping_frames_that_do_not_exist_is_pfn_list_corrupt(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
    PMDL never_locked = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, never_locked, MmCached) == NULL, "%s",
          "a mapping");
    CHECK_BUGCHECK(m, PFN_LIST_CORRUPT, PFN_SIM_BAD_FRAME, p);
    CHECK(p[1] == (uintptr_t)never_locked && p[2] == 0, "P2 0x%llX", (unsigned long long)p[1]);
    resmap_sim_destroy(m);
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

/* BugCheckOnFailure = TRUE with Verifier off: the kernel's own NO_MORE_SYSTEM_PTES [R]. */
static void a_mapping_that_must_not_fail_failing_is_no_more_system_ptes(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    resmap_sim_fail_nth(m, RESMAP_SIM_FAULT_MAPPING, 1);
    CHECK(MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, TRUE, NormalPagePriority) ==
          NULL, "%s", "a mapping");
    CHECK_BUGCHECK(m, NO_MORE_SYSTEM_PTES, 0, p);
    CHECK(p[1] == 1, "P2 %llu pages", (unsigned long long)p[1]);
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
    RUN(a_second_system_mapping_of_one_mdl_is_memory_management);
    RUN(locking_an_mdl_twice_is_memory_management);
    RUN(locking_a_partial_mdl_is_memory_management);
    RUN(a_null_mdl_is_a_page_fault);
    RUN(unlocking_pages_still_mapped_in_a_reservation_is_memory_management);
    RUN(unlocking_pages_releases_their_ordinary_mapping);
    RUN(freeing_pages_twice_or_wrongly_is_memory_management);
    RUN(unmapping_no_ordinary_mapping_is_memory_management);
    RUN(a_partial_mdl_outside_its_source_is_memory_management);
    RUN(unlocking_twice_without_verifier_is_pfn_list_corrupt);
    RUN(mapping_frames_that_do_not_exist_is_pfn_list_corrupt);
    RUN(a_bare_probe_of_bad_memory_is_an_unhandled_exception);
    RUN(a_failed_assertion_is_an_unhandled_exception);
    RUN(a_mapping_that_must_not_fail_failing_is_no_more_system_ptes);
    RUN(ke_bugcheck_ex_records_its_code_and_parameters);
    RUN(a_dead_machine_is_destroyed_with_what_it_held);
    return CHECK_DONE();
}
