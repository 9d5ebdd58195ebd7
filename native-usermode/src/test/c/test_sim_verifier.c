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

/* 0x7C: "unlocking a ... never-locked MDL"; 0xB4: "unlocking a partial ... MDL" ("not for partial
 * MDLs" [D]). P2 the MDL, P3 its flags. */
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
    CHECK_VERIFIER(m, VERIFIER_UNLOCK_PARTIAL, (uintptr_t)partial, (USHORT)partial->MdlFlags, 0);
    resmap_sim_destroy(m);
}

/* 0x82: "BugCheckOnFailure = TRUE in MmMapLockedPagesSpecifyCache"; MDL_MAPPING_CAN_FAIL overrides
 * it, and then the failure is a plain NULL. */
static void a_mapping_asked_to_bugcheck_on_failure(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    pages->MdlFlags |= MDL_MAPPING_CAN_FAIL;
    resmap_sim_fail_nth(m, RESMAP_SIM_FAULT_MAPPING, 1);
    CHECK(MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, TRUE, NormalPagePriority) ==
          NULL, "%s", "a mapping");
    CHECK(!resmap_sim_bugcheck(m, NULL, NULL), "%s", "a bugcheck despite MDL_MAPPING_CAN_FAIL");
    pages->MdlFlags &= ~MDL_MAPPING_CAN_FAIL;
    resmap_sim_fail_nth(m, RESMAP_SIM_FAULT_MAPPING, 1);
    MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, TRUE, NormalPagePriority);
    CHECK_VERIFIER(m, VERIFIER_MAP_FAILED_BUGCHECK, (uintptr_t)pages, 1, 0);
    resmap_sim_destroy(m);
}

/* 0x85: "mapping pages that are not locked", by either kind of mapping. */
static void mapping_pages_that_are_not_locked(void)
{
    for (int ordinary = 0; ordinary < 2; ordinary++) {
        resmap_sim_machine *m = machine();
        PMDL never_locked = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
        PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        if (ordinary) {
            MmMapLockedPagesSpecifyCache(never_locked, KernelMode, MmCached, NULL, FALSE,
                                         NormalPagePriority);
        } else {
            MmMapLockedPagesWithReservedMapping(base, TAG_A, never_locked, MmCached);
        }
        CHECK_VERIFIER(m, VERIFIER_MAP_NOT_LOCKED, (uintptr_t)never_locked, MDL_ALLOCATED_FIXED_SIZE,
                       0);
        resmap_sim_destroy(m);
    }
}

/* 0xB8: "IoFreeMdl while still mapped" (P2 the MDL, P3 its MappedSystemVa, P4 its flags). */
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
    CHECK_VERIFIER(m, VERIFIER_FREE_MAPPED_MDL, (uintptr_t)partial, (uintptr_t)base, flags);
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
    RUN(freeing_an_mdl_that_is_still_mapped);
    RUN(without_verifier_pool_misuse_is_bad_pool_caller);
    RUN(freeing_pool_with_another_tag_is_bad_pool_caller);
    RUN(without_verifier_its_rules_are_not_enforced);
    return CHECK_DONE();
}
