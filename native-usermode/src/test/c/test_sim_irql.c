/*
 * test_sim_irql.c - IRQL: the maximum IRQL of each routine's reference page, spin locks raising to
 * DISPATCH_LEVEL and fast mutexes to APC_LEVEL, and what a call above the maximum raises with Driver
 * Verifier on. Where the Bug Check 0xC4 page names a code for the routine, that code with its
 * parameters (0x02/0x12 for the MDL's nonpaged pool, 0x33, 0x42, 0x70, 0x76, 0x78, 0x79, 0x7E);
 * where it names none, the kernel's own IRQL fault of code that must not run there: 0x0A
 * IRQL_NOT_LESS_OR_EQUAL (the routine's address, IRQL, 8 = execute, the routine's address), and
 * 0xD1 for PAGED_CODE in the driver itself (docs/kernel-facts.md).
 */
#include "sim_fixture.h"
#include "sim_machine.h"

#include <pthread.h>

enum routine {
    R_MmAllocateMappingAddress,
    R_MmAllocateMappingAddressEx,
    R_MmFreeMappingAddress,
    R_MmMapLockedPagesWithReservedMapping,
    R_MmUnmapReservedMapping,
    R_MmAllocatePagesForMdl,
    R_MmAllocatePagesForMdlEx,
    R_MmFreePagesFromMdl,
    R_IoAllocateMdl,
    R_IoBuildPartialMdl,
    R_IoFreeMdl,
    R_MmProbeAndLockPages,
    R_MmUnlockPages,
    R_MmMapLockedPagesSpecifyCache,
    R_MmUnmapLockedPages,
    R_MmGetSystemRoutineAddress,
    R_ExAcquireFastMutex,
    R_KeAcquireSpinLock
};

static PHYSICAL_ADDRESS physical(LONGLONG value)
{
    PHYSICAL_ADDRESS a;
    a.QuadPart = value;
    return a;
}

/* The arguments each call is made with, so the test knows the parameters to expect. */
static MDL an_mdl;
static FAST_MUTEX a_mutex;
static KSPIN_LOCK a_lock;
#define AN_ADDRESS ((PVOID)(uintptr_t)0x123000)

static void call_routine(enum routine routine)
{
    static const WCHAR name[] = L"MmAllocateMappingAddress";
    UNICODE_STRING u;
    KIRQL old;
    switch (routine) {
    case R_MmAllocateMappingAddress:
        MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        break;
    case R_MmAllocateMappingAddressEx:
        MmAllocateMappingAddressEx(PAGE_SIZE, TAG_A, 0);
        break;
    case R_MmFreeMappingAddress:
        MmFreeMappingAddress(NULL, TAG_A);
        break;
    case R_MmMapLockedPagesWithReservedMapping:
        MmMapLockedPagesWithReservedMapping(NULL, TAG_A, NULL, MmCached);
        break;
    case R_MmUnmapReservedMapping:
        MmUnmapReservedMapping(NULL, TAG_A, NULL);
        break;
    case R_MmAllocatePagesForMdl:
        MmAllocatePagesForMdl(physical(0), physical(-1), physical(0), PAGE_SIZE);
        break;
    case R_MmAllocatePagesForMdlEx:
        MmAllocatePagesForMdlEx(physical(0), physical(-1), physical(0), PAGE_SIZE, MmCached, 0);
        break;
    case R_MmFreePagesFromMdl:
        MmFreePagesFromMdl(&an_mdl);
        break;
    case R_IoAllocateMdl:
        IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
        break;
    case R_IoBuildPartialMdl:
        IoBuildPartialMdl(&an_mdl, &an_mdl, NULL, 0);
        break;
    case R_IoFreeMdl:
        IoFreeMdl(&an_mdl);
        break;
    case R_MmProbeAndLockPages:
        MmProbeAndLockPages(&an_mdl, UserMode, IoReadAccess);
        break;
    case R_MmUnlockPages:
        MmUnlockPages(&an_mdl);
        break;
    case R_MmMapLockedPagesSpecifyCache:
        MmMapLockedPagesSpecifyCache(&an_mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
        break;
    case R_MmUnmapLockedPages:
        MmUnmapLockedPages(AN_ADDRESS, &an_mdl);
        break;
    case R_MmGetSystemRoutineAddress:
        RtlInitUnicodeString(&u, name);
        MmGetSystemRoutineAddress(&u);
        break;
    case R_ExAcquireFastMutex:
        ExInitializeFastMutex(&a_mutex);
        ExAcquireFastMutex(&a_mutex);
        break;
    case R_KeAcquireSpinLock:
        KeInitializeSpinLock(&a_lock);
        KeAcquireSpinLock(&a_lock, &old);
        break;
    }
}

#define VERIFIER DRIVER_VERIFIER_DETECTED_VIOLATION
#define FAULT IRQL_NOT_LESS_OR_EQUAL
#define FN(f) ((uint64_t)(uintptr_t)(f))

/* One IRQL above each routine's documented maximum: the code, P1, P3 and P4 (P2 is the IRQL). */
static void a_call_above_its_maximum_irql_raises_the_routines_code(void)
{
    const struct {
        enum routine routine;
        KIRQL max;
        uint32_t code;
        uint64_t p1, p3, p4;
    } rows[] = {
        { R_MmAllocateMappingAddress, APC_LEVEL, FAULT, FN(MmAllocateMappingAddress), 8,
          FN(MmAllocateMappingAddress) },
        { R_MmAllocateMappingAddressEx, APC_LEVEL, FAULT, FN(MmAllocateMappingAddressEx), 8,
          FN(MmAllocateMappingAddressEx) },
        { R_MmFreeMappingAddress, APC_LEVEL, FAULT, FN(MmFreeMappingAddress), 8,
          FN(MmFreeMappingAddress) },
        { R_MmMapLockedPagesWithReservedMapping, DISPATCH_LEVEL, FAULT,
          FN(MmMapLockedPagesWithReservedMapping), 8, FN(MmMapLockedPagesWithReservedMapping) },
        { R_MmUnmapReservedMapping, DISPATCH_LEVEL, FAULT, FN(MmUnmapReservedMapping), 8,
          FN(MmUnmapReservedMapping) },
        /* "callers ... are allowed to be at DISPATCH_LEVEL" (MmAllocatePagesForMdl(Ex) pages); 0x7E */
        { R_MmAllocatePagesForMdl, DISPATCH_LEVEL, VERIFIER, 0x7E, DISPATCH_LEVEL, 0 },
        { R_MmAllocatePagesForMdlEx, DISPATCH_LEVEL, VERIFIER, 0x7E, DISPATCH_LEVEL, 0 },
        { R_MmFreePagesFromMdl, DISPATCH_LEVEL, VERIFIER, 0x7E, DISPATCH_LEVEL, 0 },
        /* the MDL itself is nonpaged pool: 0x02 (IRQL, pool type, bytes), 0x12 (IRQL, type, address) */
        { R_IoAllocateMdl, DISPATCH_LEVEL, VERIFIER, 0x02, NonPagedPool, sizeof(MDL) + sizeof(PFN_NUMBER) },
        { R_IoBuildPartialMdl, DISPATCH_LEVEL, FAULT, FN(IoBuildPartialMdl), 8, FN(IoBuildPartialMdl) },
        { R_IoFreeMdl, DISPATCH_LEVEL, VERIFIER, 0x12, NonPagedPool, FN(&an_mdl) },
        { R_MmProbeAndLockPages, DISPATCH_LEVEL, VERIFIER, 0x70, FN(&an_mdl), UserMode },
        { R_MmUnlockPages, DISPATCH_LEVEL, VERIFIER, 0x78, FN(&an_mdl), 0 },
        { R_MmMapLockedPagesSpecifyCache, DISPATCH_LEVEL, VERIFIER, 0x76, FN(&an_mdl), KernelMode },
        { R_MmUnmapLockedPages, DISPATCH_LEVEL, VERIFIER, 0x79, FN(AN_ADDRESS), FN(&an_mdl) },
        { R_MmGetSystemRoutineAddress, PASSIVE_LEVEL, FAULT, FN(MmGetSystemRoutineAddress), 8,
          FN(MmGetSystemRoutineAddress) },
        { R_ExAcquireFastMutex, APC_LEVEL, VERIFIER, 0x33, FN(&a_mutex), 0 },
        { R_KeAcquireSpinLock, DISPATCH_LEVEL, VERIFIER, 0x42, FN(&a_lock), 0 },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine();
        KIRQL above = (KIRQL)(rows[i].max + 1);
        resmap_sim_set_irql(m, above);
        call_routine(rows[i].routine);
        CHECK_BUGCHECK(m, rows[i].code, rows[i].p1, p);
        CHECK(p[1] == above && p[2] == rows[i].p3 && p[3] == rows[i].p4,
              "row %zu: P2 %llu P3 0x%llX P4 0x%llX", i, (unsigned long long)p[1],
              (unsigned long long)p[2], (unsigned long long)p[3]);
        resmap_sim_destroy(m);
    }
}

/* At its maximum IRQL no routine raises an IRQL bugcheck (it may still refuse its bogus arguments). */
static void no_routine_raises_at_its_maximum_irql(void)
{
    static const KIRQL max[] = {
        [R_MmAllocateMappingAddress] = APC_LEVEL, [R_MmAllocateMappingAddressEx] = APC_LEVEL,
        [R_MmFreeMappingAddress] = APC_LEVEL, [R_MmAllocatePagesForMdl] = DISPATCH_LEVEL,
        [R_MmAllocatePagesForMdlEx] = DISPATCH_LEVEL, [R_IoAllocateMdl] = DISPATCH_LEVEL,
        [R_MmGetSystemRoutineAddress] = PASSIVE_LEVEL, [R_ExAcquireFastMutex] = APC_LEVEL,
    };
    static const enum routine harmless[] = { R_MmAllocateMappingAddress, R_MmAllocateMappingAddressEx,
                                             R_MmAllocatePagesForMdl, R_MmAllocatePagesForMdlEx,
                                             R_IoAllocateMdl, R_MmGetSystemRoutineAddress };
    for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++) {
        resmap_sim_machine *m = machine();
        resmap_sim_set_irql(m, max[harmless[i]]);
        call_routine(harmless[i]);
        CHECK(!resmap_sim_bugcheck(m, NULL, NULL), "routine %d bugchecked at its maximum",
              (int)harmless[i]);
        resmap_sim_destroy(m);
    }
}

/* At their maximum IRQL the reserved-mapping calls work: reserve and free at APC_LEVEL, map and
 * unmap at DISPATCH_LEVEL. */
static void the_reserved_family_works_at_its_maximum_irql(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    resmap_sim_set_irql(m, APC_LEVEL);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached) == base, "%s", "no mapping");
    MmUnmapReservedMapping(base, TAG_A, pages);
    resmap_sim_set_irql(m, APC_LEVEL);
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_set_irql(m, PASSIVE_LEVEL);
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "Serialize map and unmap per reservation": under a spin lock the thread is at DISPATCH_LEVEL, where
 * map and unmap are allowed and the allocation is not. */
static void a_spin_lock_raises_to_dispatch_level(void)
{
    uint64_t p[4];
    KSPIN_LOCK lock;
    KIRQL old = 0xFF;
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    CHECK(old == PASSIVE_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL &&
          resmap_sim_irql(m) == DISPATCH_LEVEL, "old %u now %u", old, KeGetCurrentIrql());
    CHECK(MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached) == base, "%s", "no mapping");
    MmUnmapReservedMapping(base, TAG_A, pages);
    KeReleaseSpinLock(&lock, old);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL && lock == 0, "IRQL %u lock %llu", KeGetCurrentIrql(),
          (unsigned long long)lock);
    KeAcquireSpinLock(&lock, &old);
    MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    CHECK_BUGCHECK(m, IRQL_NOT_LESS_OR_EQUAL, (uintptr_t)MmAllocateMappingAddress, p);
    CHECK(p[1] == DISPATCH_LEVEL && p[2] == IRQL_FAULT_EXECUTE, "P2 %llu P3 %llu",
          (unsigned long long)p[1], (unsigned long long)p[2]);
    resmap_sim_destroy(m);
}

/* A fast mutex raises to APC_LEVEL: allocations and frees are still allowed, PAGED_CODE too. */
static void a_fast_mutex_raises_to_apc_level(void)
{
    FAST_MUTEX mutex;
    resmap_sim_machine *m = machine();
    ExInitializeFastMutex(&mutex);
    ExAcquireFastMutex(&mutex);
    CHECK(KeGetCurrentIrql() == APC_LEVEL, "IRQL %u", KeGetCurrentIrql());
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    CHECK(base != NULL, "%s", "no reservation at APC_LEVEL");
    MmFreeMappingAddress(base, TAG_A);
    PAGED_CODE();
    ExReleaseFastMutex(&mutex);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "IRQL %u", KeGetCurrentIrql());
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* KeRaiseIrql hands back the old IRQL and KeLowerIrql returns to it. */
static void raise_and_lower_move_the_irql(void)
{
    KIRQL old = 0xFF;
    resmap_sim_machine *m = machine();
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    CHECK(old == PASSIVE_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL, "old %u now %u", old,
          KeGetCurrentIrql());
    KeLowerIrql(old);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "IRQL %u", KeGetCurrentIrql());
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* PAGED_CODE above APC_LEVEL: the driver's own pageable code faults, 0xD1 with P1 = P4 an address in
 * the function that ran PAGED_CODE, P3 8 (execute). User memory locked above APC_LEVEL ("at IRQL <=
 * APC_LEVEL for pageable addresses", MmProbeAndLockPages page): 0x0A with P1 the address, P3 0 for a
 * read. Nonpaged memory may be locked at DISPATCH_LEVEL, so a pages MDL's frames are not pageable. */
static void pageable_work_above_apc_level_faults(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    PAGED_CODE();
    uint32_t code = 0;
    CHECK(resmap_sim_bugcheck(m, &code, p) && code == DRIVER_IRQL_NOT_LESS_OR_EQUAL, "code 0x%X", code);
    CHECK(p[0] != 0 && p[0] == p[3] && p[1] == DISPATCH_LEVEL && p[2] == IRQL_FAULT_EXECUTE &&
          p[0] > (uintptr_t)pageable_work_above_apc_level_faults &&
          p[0] < (uintptr_t)pageable_work_above_apc_level_faults + 1024,
          "0x%llX %llu %llu 0x%llX", (unsigned long long)p[0], (unsigned long long)p[1],
          (unsigned long long)p[2], (unsigned long long)p[3]);
    resmap_sim_destroy(m);

    m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = IoAllocateMdl(user + 8, PAGE_SIZE - 8, FALSE, FALSE, NULL);
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    CHECK_BUGCHECK(m, IRQL_NOT_LESS_OR_EQUAL, (uintptr_t)(user + 8), p);
    CHECK(p[1] == DISPATCH_LEVEL && p[2] == 0 && p[3] == (uintptr_t)MmProbeAndLockPages,
          "P2 %llu P3 %llu P4 0x%llX", (unsigned long long)p[1], (unsigned long long)p[2],
          (unsigned long long)p[3]);
    resmap_sim_destroy(m);
}

/* Without Verifier nothing checks the IRQL. */
static void without_verifier_the_irql_is_not_checked(void)
{
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_NO_VERIFIER);
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    CHECK(base != NULL, "%s", "no reservation");
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_set_irql(m, PASSIVE_LEVEL);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

struct irql_probe {
    resmap_sim_machine *m;
    KIRQL seen;
};

static void *irql_of_another_thread(void *arg)
{
    struct irql_probe *probe = arg;
    resmap_sim_select(probe->m);
    probe->seen = KeGetCurrentIrql();
    return NULL;
}

/* IRQL belongs to a thread: another thread of the same machine is still at PASSIVE_LEVEL. */
static void irql_is_per_thread(void)
{
    KSPIN_LOCK lock;
    KIRQL old;
    pthread_t thread;
    struct irql_probe probe;
    resmap_sim_machine *m = machine();
    probe.m = m;
    probe.seen = 0xFF;
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    pthread_create(&thread, NULL, irql_of_another_thread, &probe);
    pthread_join(thread, NULL);
    CHECK(probe.seen == PASSIVE_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL, "other %u, own %u",
          probe.seen, KeGetCurrentIrql());
    KeReleaseSpinLock(&lock, old);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

static void *raise_and_exit(void *arg)
{
    KIRQL old;
    resmap_sim_select(arg);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    return NULL;
}

/* A new thread starts at PASSIVE_LEVEL even when the host reuses the identity of a thread that ended
 * at DISPATCH_LEVEL (glibc hands the next thread the same pthread_t). */
static void a_new_thread_starts_at_passive_level(void)
{
    pthread_t first, second;
    struct irql_probe probe;
    resmap_sim_machine *m = machine();
    probe.m = m;
    probe.seen = 0xFF;
    pthread_create(&first, NULL, raise_and_exit, m);
    pthread_join(first, NULL);
    pthread_create(&second, NULL, irql_of_another_thread, &probe);
    pthread_join(second, NULL);
    CHECK(probe.seen == PASSIVE_LEVEL, "IRQL %u (same pthread_t: %d)", probe.seen,
          pthread_equal(first, second) != 0);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

static void *touch_and_exit(void *arg)
{
    KIRQL old;
    resmap_sim_select(arg);
    KeRaiseIrql(APC_LEVEL, &old);
    KeLowerIrql(old);
    return NULL;
}

/* A thread's IRQL on one machine is its own on that machine only, and records of threads that ended
 * are freed with them (the sanitizer build's leak check sees any that are not). */
static void irql_is_per_machine_and_thread_state_ends_with_the_thread(void)
{
    resmap_sim_machine *a = machine();
    resmap_sim_machine *b = machine();
    uint64_t records_before;
    KIRQL old;
    (void)KeGetCurrentIrql();
    records_before = sim_thread_records_live();
    for (int i = 0; i < 50; i++) {
        pthread_t t;
        pthread_create(&t, NULL, touch_and_exit, i % 2 ? a : b);
        pthread_join(t, NULL);
    }
    CHECK(sim_thread_records_live() == records_before, "%llu records after 50 threads ended, %llu before",
          (unsigned long long)sim_thread_records_live(), (unsigned long long)records_before);
    resmap_sim_select(a);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    resmap_sim_select(b);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL && resmap_sim_irql(a) == DISPATCH_LEVEL,
          "on b %u, on a %u", KeGetCurrentIrql(), resmap_sim_irql(a));
    /* Touching many other machines meanwhile does not lose the raised IRQL on a. */
    for (int i = 0; i < 20; i++) {
        resmap_sim_machine *other = machine();
        CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "IRQL %u on a new machine", KeGetCurrentIrql());
        resmap_sim_destroy(other);
    }
    resmap_sim_select(a);
    CHECK(KeGetCurrentIrql() == DISPATCH_LEVEL, "IRQL %u on a", KeGetCurrentIrql());
    KeLowerIrql(old);
    CHECK_CLEAN(a);
    CHECK_CLEAN(b);
    resmap_sim_destroy(a);
    resmap_sim_destroy(b);
}

int main(void)
{
    RUN(a_call_above_its_maximum_irql_raises_the_routines_code);
    RUN(no_routine_raises_at_its_maximum_irql);
    RUN(the_reserved_family_works_at_its_maximum_irql);
    RUN(a_spin_lock_raises_to_dispatch_level);
    RUN(a_fast_mutex_raises_to_apc_level);
    RUN(raise_and_lower_move_the_irql);
    RUN(pageable_work_above_apc_level_faults);
    RUN(without_verifier_the_irql_is_not_checked);
    RUN(irql_is_per_thread);
    RUN(a_new_thread_starts_at_passive_level);
    RUN(irql_is_per_machine_and_thread_state_ends_with_the_thread);
    return CHECK_DONE();
}
