/*
 * test_sim_verifier.c - what Driver Verifier catches (0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION, the
 * contract's "Driver Verifier (0xC4)" list plus the pool and IRQL rules), and what the kernel raises
 * for the same pool misuse with Verifier off (0xC2 BAD_POOL_CALLER). The IRQL rule for the Mm calls
 * themselves is in test_sim_irql.c.
 */
#include "sim_fixture.h"

#define CHECK_VERIFIER(m, p1, p2, p3, p4)                                                          \
    do {                                                                                           \
        uint64_t p_[4];                                                                            \
        CHECK_BUGCHECK((m), DRIVER_VERIFIER_DETECTED_VIOLATION, (p1), p_);                         \
        CHECK(p_[1] == (uint64_t)(p2) && p_[2] == (uint64_t)(p3) && p_[3] == (uint64_t)(p4),        \
              "P2 0x%llX P3 0x%llX P4 0x%llX", (unsigned long long)p_[1],                          \
              (unsigned long long)p_[2], (unsigned long long)p_[3]);                               \
        CHECK_STAYS_DEAD((m), DRIVER_VERIFIER_DETECTED_VIOLATION);                                 \
    } while (0)

#define CHECK_BAD_POOL_CALLER(m, p1, p2, p3, p4)                                                   \
    do {                                                                                           \
        uint64_t p_[4];                                                                            \
        CHECK_BUGCHECK((m), BAD_POOL_CALLER, (p1), p_);                                            \
        CHECK(p_[1] == (uint64_t)(p2) && p_[2] == (uint64_t)(p3) && p_[3] == (uint64_t)(p4),        \
              "P2 0x%llX P3 0x%llX P4 0x%llX", (unsigned long long)p_[1],                          \
              (unsigned long long)p_[2], (unsigned long long)p_[3]);                               \
    } while (0)

static resmap_sim_machine *without_verifier(void)
{
    return machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
}

/* 0x00: a zero-byte pool allocation (P2 IRQL, P3 pool type, P4 bytes). */
static void a_zero_byte_pool_allocation(void)
{
    resmap_sim_machine *m = machine();
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 0, TAG_A) == NULL, "%s", "a block");
    CHECK_VERIFIER(m, VERIFIER_ZERO_BYTE_POOL, PASSIVE_LEVEL, NonPagedPoolNx, 0);
    resmap_sim_destroy(m);
}

/* 0x01: paged pool above APC_LEVEL. */
static void paged_pool_at_dispatch_level(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    CHECK(ExAllocatePool2(POOL_FLAG_PAGED, 16, TAG_A) == NULL, "%s", "a block");
    CHECK_VERIFIER(m, VERIFIER_PAGED_POOL_IRQL, DISPATCH_LEVEL, PagedPool, 16);
    resmap_sim_destroy(m);
}

/* 0x02 / 0x12: nonpaged pool allocated or freed above DISPATCH_LEVEL - Verifier's own pool codes, not
 * the simulator's general IRQL check. */
static void nonpaged_pool_above_dispatch_level(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_set_irql(m, DISPATCH_LEVEL + 1);
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A) == NULL, "%s", "a block");
    CHECK_VERIFIER(m, VERIFIER_NONPAGED_POOL_IRQL, DISPATCH_LEVEL + 1, NonPagedPoolNx, 16);
    resmap_sim_destroy(m);

    m = machine();
    PVOID block = ExAllocatePoolWithTag(NonPagedPoolNx, 16, TAG_A);
    resmap_sim_set_irql(m, DISPATCH_LEVEL + 1);
    ExFreePoolWithTag(block, TAG_A);
    CHECK_VERIFIER(m, VERIFIER_FREE_NONPAGED_IRQL, DISPATCH_LEVEL + 1, NonPagedPool, (uintptr_t)block);
    resmap_sim_destroy(m);
}

/* 0x10: freeing an address no allocation returned (pool, and IoFreeMdl of something not an MDL). */
static void freeing_an_address_the_pool_never_gave(void)
{
    static uint8_t not_pool[16];
    for (int io_free_mdl = 0; io_free_mdl < 2; io_free_mdl++) {
        resmap_sim_machine *m = machine();
        if (io_free_mdl) {
            IoFreeMdl((PMDL)not_pool);
        } else {
            ExFreePool(not_pool);
        }
        CHECK_VERIFIER(m, VERIFIER_FREE_BAD_ADDRESS, (uintptr_t)not_pool, 0, 0);
        resmap_sim_destroy(m);
    }
}

/* 0x11: paged pool freed above APC_LEVEL. */
static void paged_pool_freed_at_dispatch_level(void)
{
    resmap_sim_machine *m = machine();
    PVOID block = ExAllocatePool2(POOL_FLAG_PAGED, 16, TAG_A);
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    ExFreePoolWithTag(block, TAG_A);
    CHECK_VERIFIER(m, VERIFIER_FREE_PAGED_IRQL, DISPATCH_LEVEL, PagedPool, (uintptr_t)block);
    resmap_sim_destroy(m);
}

/* 0x13: the same block freed twice. */
static void pool_freed_twice(void)
{
    resmap_sim_machine *m = machine();
    PVOID block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A);
    ExFreePool(block);
    ExFreePool(block);
    CHECK_VERIFIER(m, VERIFIER_FREE_TWICE, 0, (uintptr_t)block, 0);
    resmap_sim_destroy(m);
}

/* 0x30 / 0x31 / 0x32: KeRaiseIrql to a lower IRQL, KeLowerIrql to a higher one, a spin lock released
 * below DISPATCH_LEVEL. */
static void irql_raised_lowered_or_released_the_wrong_way(void)
{
    KSPIN_LOCK lock;
    KIRQL old;
    resmap_sim_machine *m = machine();
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    KeRaiseIrql(APC_LEVEL, &old);
    CHECK_VERIFIER(m, VERIFIER_RAISE_IRQL_LOWER, DISPATCH_LEVEL, APC_LEVEL, 0);
    resmap_sim_destroy(m);

    m = machine();
    KeLowerIrql(DISPATCH_LEVEL);
    CHECK_VERIFIER(m, VERIFIER_LOWER_IRQL_HIGHER, PASSIVE_LEVEL, DISPATCH_LEVEL, 0);
    resmap_sim_destroy(m);

    m = machine();
    KeInitializeSpinLock(&lock);
    KeReleaseSpinLock(&lock, PASSIVE_LEVEL);
    CHECK_VERIFIER(m, VERIFIER_RELEASE_SPIN_LOCK_IRQL, PASSIVE_LEVEL, (uintptr_t)&lock, 0);
    resmap_sim_destroy(m);
}

/* Bug Check 0xC4 page: 0x7C "MmUnlockPages ... an MDL whose pages were never successfully locked" (MDL,
 * flags, 0); 0xB4 "MmUnlockPages for a partial MDL" (MDL, flags, the unexpected partial flag). */
static void unlocking_a_never_locked_or_partial_mdl(void)
{
    resmap_sim_machine *m = machine();
    PMDL never_locked = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    MmUnlockPages(never_locked);
    CHECK_VERIFIER(m, VERIFIER_UNLOCK_NEVER_LOCKED, (uintptr_t)never_locked,
                   MDL_ALLOCATED_FIXED_SIZE, 0);
    resmap_sim_destroy(m);

    m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL source = lock_user(user, 0, PAGE_SIZE);
    PMDL partial = IoAllocateMdl(user, 16, FALSE, FALSE, NULL);
    IoBuildPartialMdl(source, partial, user, 16);
    MmUnlockPages(partial);
    CHECK_VERIFIER(m, VERIFIER_UNLOCK_PARTIAL, (uintptr_t)partial, (USHORT)partial->MdlFlags,
                   MDL_PARTIAL);
    resmap_sim_destroy(m);
}

/* Bug Check 0xC4 page: 0x82 "MmMapLockedPagesSpecifyCache with the BugCheckOnFailure parameter equal
 * to TRUE" (MDL, flags, 0) - on every such call, whether the mapping would succeed or not. */
static void a_mapping_asked_to_bugcheck_on_failure(void)
{
    for (int fails = 0; fails < 2; fails++) {
        resmap_sim_machine *m = machine();
        PMDL pages = allocate_pages(PAGE_SIZE, 0);
        if (fails) {
            resmap_sim_fail_nth(m, RESMAP_SIM_FAULT_MAPPING, 1);
        }
        CHECK(MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, TRUE,
                                           NormalPagePriority) == NULL, "%s", "a mapping");
        CHECK_VERIFIER(m, VERIFIER_MAP_BUGCHECK_ON_FAILURE, (uintptr_t)pages, MDL_PAGES_LOCKED, 0);
        resmap_sim_destroy(m);
    }
}

/* Bug Check 0xC4 page: 0x85 "MmMapLockedPages without having locked down the MDL pages" (MDL, pages to
 * map, first frame that isn't locked), by either kind of mapping: an MDL never locked, and a partial
 * MDL whose source was unlocked since (its flags look right, its frames are not locked). */
static void mapping_pages_that_are_not_locked(void)
{
    for (int ordinary = 0; ordinary < 2; ordinary++) {
        for (int partial = 0; partial < 2; partial++) {
            resmap_sim_machine *m = machine();
            PMDL mdl = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
            PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
            if (partial) {
                PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
                PMDL source = lock_user(user, 0, PAGE_SIZE);
                mdl = IoAllocateMdl(user, PAGE_SIZE, FALSE, FALSE, NULL);
                IoBuildPartialMdl(source, mdl, user, PAGE_SIZE);
                unlock_user(source);
            }
            PFN_NUMBER frame = MmGetMdlPfnArray(mdl)[0];
            if (ordinary) {
                MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE,
                                             NormalPagePriority);
            } else {
                MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
            }
            CHECK_VERIFIER(m, VERIFIER_MAP_NOT_LOCKED, (uintptr_t)mdl, 1, frame);
            resmap_sim_destroy(m);
        }
    }
}

/* Bug Check 0xC4 page: 0xB0 "MmProbeAndLockPages for an MDL with incorrect flags" (MDL, flags, the
 * incorrect flags): an MDL already locked, and a partial MDL ("A call to MmProbeAndLockPages ... to lock
 * ... such an MDL is not allowed", MmProbeAndLockPages page). */
static void locking_a_locked_or_partial_mdl(void)
{
    for (int partial = 0; partial < 2; partial++) {
        resmap_sim_machine *m = machine();
        PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
        PMDL mdl = lock_user(user, 0, PAGE_SIZE);
        USHORT wrong = MDL_PAGES_LOCKED;
        if (partial) {
            PMDL target = IoAllocateMdl(user, 16, FALSE, FALSE, NULL);
            IoBuildPartialMdl(mdl, target, user, 16);
            mdl = target;
            wrong = MDL_PARTIAL;
        }
        USHORT flags = (USHORT)mdl->MdlFlags;
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        CHECK_VERIFIER(m, VERIFIER_PROBE_BAD_FLAGS, (uintptr_t)mdl, flags, wrong);
        resmap_sim_destroy(m);
    }
}

/* Bug Check 0xC4 page: 0xB2 "MmMapLockedPages for an MDL with incorrect flags ... already mapped to a
 * system address" (MDL, flags, the incorrect flags), for an ordinary mapping of an MDL mapped already,
 * in a reservation or ordinarily. The reserved map itself makes no such check (reverse engineering of
 * MmMapLockedPagesWithReservedMapping): one MDL may be mapped into two reservations. */
static void a_second_ordinary_mapping_of_a_mapped_mdl(void)
{
    for (int first_is_ordinary = 0; first_is_ordinary < 2; first_is_ordinary++) {
        resmap_sim_machine *m = machine();
        PMDL pages = allocate_pages(PAGE_SIZE, 0);
        PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        if (first_is_ordinary) {
            MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
        } else {
            MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
        }
        USHORT flags = (USHORT)pages->MdlFlags;
        MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
        CHECK_VERIFIER(m, VERIFIER_MAP_BAD_FLAGS, (uintptr_t)pages, flags, MDL_MAPPED_TO_SYSTEM_VA);
        resmap_sim_destroy(m);
    }

    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID first = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    PVOID second = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    CHECK(MmMapLockedPagesWithReservedMapping(first, TAG_A, pages, MmCached) == first &&
          MmMapLockedPagesWithReservedMapping(second, TAG_A, pages, MmCached) == second, "%s",
          "no second reserved mapping");
    MmUnmapReservedMapping(second, TAG_A, pages);
    MmMapLockedPagesWithReservedMapping(second, TAG_A, pages, MmCached);
    MmUnmapReservedMapping(second, TAG_A, pages);
    MmUnmapReservedMapping(first, TAG_A, pages);
    MmFreeMappingAddress(first, TAG_A);
    MmFreeMappingAddress(second, TAG_A);
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Bug Check 0xC4 page: 0xB8 "The pages that are described by the MDL are still mapped. The driver must
 * unmap the pages before calling IoFreeMdl" (MDL, flags, reserved): an MDL with an ordinary mapping,
 * and a partial MDL mapped in a reservation (IoFreeMdl releases only an ordinary mapping of a partial
 * MDL itself, see test_sim_mdl.c). */
static void freeing_an_mdl_that_is_still_mapped(void)
{
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL source = lock_user(user, 0, PAGE_SIZE);
    PMDL partial = IoAllocateMdl(user, PAGE_SIZE, FALSE, FALSE, NULL);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    IoBuildPartialMdl(source, partial, user, PAGE_SIZE);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, partial, MmCached);
    USHORT flags = (USHORT)partial->MdlFlags;
    IoFreeMdl(partial);
    CHECK_VERIFIER(m, VERIFIER_FREE_MAPPED_MDL, (uintptr_t)partial, flags, 0);
    resmap_sim_destroy(m);

    m = machine();
    user = resmap_sim_user_alloc(m, PAGE_SIZE);
    source = lock_user(user, 0, PAGE_SIZE);
    MmMapLockedPagesSpecifyCache(source, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    flags = (USHORT)source->MdlFlags;
    IoFreeMdl(source);
    CHECK_VERIFIER(m, VERIFIER_FREE_MAPPED_MDL, (uintptr_t)source, flags, 0);
    resmap_sim_destroy(m);
}

/* Verifier off: the same pool misuse is the kernel's 0xC2 BAD_POOL_CALLER. */
static void without_verifier_pool_misuse_is_bad_pool_caller(void)
{
    static uint8_t not_pool[16];
    resmap_sim_machine *m = without_verifier();
    PVOID block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A);
    ExFreePool(block);
    ExFreePool(block);
    CHECK_BAD_POOL_CALLER(m, BAD_POOL_FREE_TWICE, 0, 0, (uintptr_t)block);
    resmap_sim_destroy(m);

    m = without_verifier();
    ExFreePool(not_pool);
    CHECK_BAD_POOL_CALLER(m, BAD_POOL_BAD_ADDRESS, (uintptr_t)not_pool, 0, 0);
    resmap_sim_destroy(m);

    m = without_verifier();
    IoFreeMdl((PMDL)not_pool);
    CHECK_BAD_POOL_CALLER(m, BAD_POOL_BAD_ADDRESS, (uintptr_t)not_pool, 0, 0);
    resmap_sim_destroy(m);
}

/* A free with another tag is 0xC2/0x0A with or without Verifier (P3 owner tag, P4 caller tag); the
 * protected-pool bit 0x80000000 does not count. */
static void freeing_pool_with_another_tag_is_bad_pool_caller(void)
{
    for (int verifier = 0; verifier < 2; verifier++) {
        resmap_sim_machine *m = verifier ? machine() : without_verifier();
        PVOID block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A);
        ExFreePoolWithTag(block, TAG_A | 0x80000000u);
        CHECK(!resmap_sim_bugcheck(m, NULL, NULL), "%s", "a bugcheck for the protected bit");
        block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A);
        ExFreePoolWithTag(block, TAG_B);
        CHECK_BAD_POOL_CALLER(m, BAD_POOL_WRONG_TAG, (uintptr_t)block, TAG_A, TAG_B);
        resmap_sim_destroy(m);
    }
}

/* Verifier off: what it would have caught goes through (zero-byte pool, paged pool at DISPATCH). */
static void without_verifier_its_rules_are_not_enforced(void)
{
    resmap_sim_machine *m = without_verifier();
    PVOID empty = ExAllocatePool2(POOL_FLAG_NON_PAGED, 0, TAG_A);
    CHECK(empty != NULL, "%s", "no zero-byte block");
    ExFreePoolWithTag(empty, TAG_A);
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    PVOID paged = ExAllocatePool2(POOL_FLAG_PAGED, 16, TAG_A);
    CHECK(paged != NULL, "%s", "no paged block at DISPATCH_LEVEL");
    ExFreePoolWithTag(paged, TAG_A);
    resmap_sim_set_irql(m, PASSIVE_LEVEL);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(a_zero_byte_pool_allocation);
    RUN(paged_pool_at_dispatch_level);
    RUN(nonpaged_pool_above_dispatch_level);
    RUN(freeing_an_address_the_pool_never_gave);
    RUN(paged_pool_freed_at_dispatch_level);
    RUN(pool_freed_twice);
    RUN(irql_raised_lowered_or_released_the_wrong_way);
    RUN(unlocking_a_never_locked_or_partial_mdl);
    RUN(a_mapping_asked_to_bugcheck_on_failure);
    RUN(mapping_pages_that_are_not_locked);
    RUN(locking_a_locked_or_partial_mdl);
    RUN(a_second_ordinary_mapping_of_a_mapped_mdl);
    RUN(freeing_an_mdl_that_is_still_mapped);
    RUN(without_verifier_pool_misuse_is_bad_pool_caller);
    RUN(freeing_pool_with_another_tag_is_bad_pool_caller);
    RUN(without_verifier_its_rules_are_not_enforced);
    return CHECK_DONE();
}
