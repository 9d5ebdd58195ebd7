/*
 * test_sim_irql.c - IRQL: "IRQL [D]" of the contract's table for each function, spin locks raising to
 * DISPATCH_LEVEL and fast mutexes to APC_LEVEL, and the simulator's Driver Verifier check of a call
 * above its routine's maximum IRQL: 0xC4 with P1 VERIFIER_SIM_IRQL (0x5100), P2 the IRQL, P3 the
 * routine's maximum, P4 the routine's number (sim_bugcodes.h, docs/simulator.md).
 */
#include "sim_fixture.h"
#include "sim_machine.h"

#include <pthread.h>

static PMDL any_pages(void)
{
    PHYSICAL_ADDRESS low, high, skip;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    return MmAllocatePagesForMdlEx(low, high, skip, PAGE_SIZE, MmCached, 0);
}

static void call_routine(enum sim_routine routine)
{
    static const WCHAR name[] = L"MmAllocateMappingAddress";
    UNICODE_STRING u;
    FAST_MUTEX mutex;
    switch (routine) {
    case SIM_ROUTINE_MmAllocateMappingAddress:
        MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
        break;
    case SIM_ROUTINE_MmAllocateMappingAddressEx:
        MmAllocateMappingAddressEx(PAGE_SIZE, TAG_A, 0);
        break;
    case SIM_ROUTINE_MmMapLockedPagesWithReservedMapping:
        MmMapLockedPagesWithReservedMapping(NULL, TAG_A, NULL, MmCached);
        break;
    case SIM_ROUTINE_MmUnmapReservedMapping:
        MmUnmapReservedMapping(NULL, TAG_A, NULL);
        break;
    case SIM_ROUTINE_MmFreeMappingAddress:
        MmFreeMappingAddress(NULL, TAG_A);
        break;
    case SIM_ROUTINE_MmAllocatePagesForMdlEx:
        any_pages();
        break;
    case SIM_ROUTINE_MmFreePagesFromMdl:
        MmFreePagesFromMdl(NULL);
        break;
    case SIM_ROUTINE_IoAllocateMdl:
        IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
        break;
    case SIM_ROUTINE_MmGetSystemRoutineAddress:
        RtlInitUnicodeString(&u, name);
        MmGetSystemRoutineAddress(&u);
        break;
    case SIM_ROUTINE_ExAcquireFastMutex:
        ExInitializeFastMutex(&mutex);
        ExAcquireFastMutex(&mutex);
        break;
    default:
        MmMapLockedPagesSpecifyCache(NULL, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
        break;
    }
}

/* One IRQL above each routine's documented maximum is the Verifier's IRQL bugcheck. */
static void a_call_above_its_maximum_irql_is_a_verifier_violation(void)
{
    static const struct {
        enum sim_routine routine;
        KIRQL max;
    } routines[] = {
        { SIM_ROUTINE_MmAllocateMappingAddress, APC_LEVEL },
        { SIM_ROUTINE_MmAllocateMappingAddressEx, APC_LEVEL },
        { SIM_ROUTINE_MmFreeMappingAddress, APC_LEVEL },
        { SIM_ROUTINE_MmMapLockedPagesWithReservedMapping, DISPATCH_LEVEL },
        { SIM_ROUTINE_MmUnmapReservedMapping, DISPATCH_LEVEL },
        { SIM_ROUTINE_MmAllocatePagesForMdlEx, APC_LEVEL },
        { SIM_ROUTINE_MmFreePagesFromMdl, APC_LEVEL },
        { SIM_ROUTINE_IoAllocateMdl, DISPATCH_LEVEL },
        { SIM_ROUTINE_MmMapLockedPagesSpecifyCache, DISPATCH_LEVEL },
        { SIM_ROUTINE_MmGetSystemRoutineAddress, PASSIVE_LEVEL },
        { SIM_ROUTINE_ExAcquireFastMutex, APC_LEVEL },
    };
    for (size_t i = 0; i < sizeof(routines) / sizeof(routines[0]); i++) {
        uint64_t p[4];
        resmap_sim_machine *m = machine();
        KIRQL above = (KIRQL)(routines[i].max + 1);
        resmap_sim_set_irql(m, above);
        call_routine(routines[i].routine);
        CHECK_BUGCHECK(m, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_SIM_IRQL, p);
        CHECK(p[1] == above && p[2] == routines[i].max && p[3] == (uint64_t)routines[i].routine,
              "routine %d: P2 %llu P3 %llu P4 %llu", (int)routines[i].routine, (unsigned long long)p[1],
              (unsigned long long)p[2], (unsigned long long)p[3]);
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
    CHECK_BUGCHECK(m, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_SIM_IRQL, p);
    CHECK(p[1] == DISPATCH_LEVEL && p[2] == APC_LEVEL && p[3] == SIM_ROUTINE_MmAllocateMappingAddress,
          "P2 %llu P3 %llu", (unsigned long long)p[1], (unsigned long long)p[2]);
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

/* PAGED_CODE above APC_LEVEL; user memory locked above APC_LEVEL (it is pageable). */
static void pageable_work_above_apc_level_is_a_verifier_violation(void)
{
    uint64_t p[4];
    resmap_sim_machine *m = machine();
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    PAGED_CODE();
    CHECK_BUGCHECK(m, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_SIM_IRQL, p);
    CHECK(p[3] == SIM_ROUTINE_PagedCode, "P4 %llu", (unsigned long long)p[3]);
    resmap_sim_destroy(m);

    m = machine();
    void *user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL mdl = IoAllocateMdl(user, PAGE_SIZE, FALSE, FALSE, NULL);
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    CHECK_BUGCHECK(m, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_SIM_IRQL, p);
    CHECK(p[1] == DISPATCH_LEVEL && p[2] == APC_LEVEL && p[3] == SIM_ROUTINE_MmProbeAndLockPages,
          "P2 %llu P3 %llu P4 %llu", (unsigned long long)p[1], (unsigned long long)p[2],
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
    RUN(a_call_above_its_maximum_irql_is_a_verifier_violation);
    RUN(the_reserved_family_works_at_its_maximum_irql);
    RUN(a_spin_lock_raises_to_dispatch_level);
    RUN(a_fast_mutex_raises_to_apc_level);
    RUN(raise_and_lower_move_the_irql);
    RUN(pageable_work_above_apc_level_is_a_verifier_violation);
    RUN(without_verifier_the_irql_is_not_checked);
    RUN(irql_is_per_thread);
    RUN(a_new_thread_starts_at_passive_level);
    RUN(irql_is_per_machine_and_thread_state_ends_with_the_thread);
    return CHECK_DONE();
}
