/*
 * test_sim_unlocked_host_calls.c - the host mmap of a map or unmap runs with the machine lock
 * released, so other calls on the machine go on meanwhile, and what would act on or read through
 * the busy reservation or mapping waits until the host shows what the bookkeeping says.
 *
 * The test holds a chosen host call open: it defines mmap itself (the executable's definition wins
 * over the C library's), and a call at the armed address stops until the test lets it go.
 */
#define _GNU_SOURCE
#include "sim_fixture.h"
#include "sim_machine.h" /* sysva, pte_lowest_free: where an ordinary mapping will go */

#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <time.h>

static void *volatile armed_address;
static sem_t in_host_call, leave_host_call;

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
    if (real_mmap == NULL) {
        real_mmap = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
    }
    if (addr != NULL && __atomic_compare_exchange_n(&armed_address, &addr, NULL, 0, __ATOMIC_SEQ_CST,
                                                    __ATOMIC_SEQ_CST)) {
        sem_post(&in_host_call);
        sem_wait(&leave_host_call);
    }
    return real_mmap(addr, length, prot, flags, fd, offset);
}

struct call_on_thread {
    resmap_sim_machine *m;
    PVOID base;
    PMDL mdl;
    PVOID result;
};

static void *map_reserved_thread(void *arg)
{
    struct call_on_thread *c = arg;
    resmap_sim_select(c->m);
    c->result = MmMapLockedPagesWithReservedMapping(c->base, TAG_A, c->mdl, MmCached);
    return NULL;
}

static void *unmap_reserved_thread(void *arg)
{
    struct call_on_thread *c = arg;
    resmap_sim_select(c->m);
    MmUnmapReservedMapping(c->base, TAG_A, c->mdl);
    return NULL;
}

static void *map_ordinary_thread(void *arg)
{
    struct call_on_thread *c = arg;
    resmap_sim_select(c->m);
    c->result = MmMapLockedPagesSpecifyCache(c->mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    return NULL;
}

/* Waits until the armed host call is open; 0 if it never opened within two seconds. */
static int host_call_opened(void)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;
    return sem_timedwait(&in_host_call, &deadline) == 0;
}

static sem_t other_done;

static void *other_reservation_thread(void *arg)
{
    resmap_sim_machine *m = arg;
    PMDL pages;
    PVOID other;
    resmap_sim_select(m);
    pages = allocate_pages(PAGE_SIZE, 0);
    other = MmAllocateMappingAddress(PAGE_SIZE, TAG_B);
    CHECK(other != NULL && MmMapLockedPagesWithReservedMapping(other, TAG_B, pages, MmCached) == other,
          "other %p", other);
    MmUnmapReservedMapping(other, TAG_B, pages);
    MmFreeMappingAddress(other, TAG_B);
    free_pages(pages);
    sem_post(&other_done);
    return NULL;
}

/* While a reserved map waits for the host, another thread reserves, maps, unmaps and frees a range of
 * its own on the same machine: the map holds no machine lock across its host call. (Were it held, the
 * other thread would finish only after the release: the wait below would time out.) */
static void other_calls_go_on_during_a_maps_host_call(void)
{
    resmap_sim_machine *m = machine();
    struct call_on_thread c = { m, MmAllocateMappingAddress(PAGE_SIZE, TAG_A), allocate_pages(PAGE_SIZE, 0),
                                NULL };
    struct timespec deadline;
    pthread_t t, other;
    armed_address = c.base;
    pthread_create(&t, NULL, map_reserved_thread, &c);
    CHECK(host_call_opened(), "%s", "the map never reached the host");
    pthread_create(&other, NULL, other_reservation_thread, m);
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    CHECK(sem_timedwait(&other_done, &deadline) == 0, "%s", "the other calls waited for the map's host call");
    sem_post(&leave_host_call);
    pthread_join(t, NULL);
    pthread_join(other, NULL);
    CHECK(c.result == c.base, "mapped at %p", c.result);
    MmUnmapReservedMapping(c.base, TAG_A, c.mdl);
    MmFreeMappingAddress(c.base, TAG_A);
    free_pages(c.mdl);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

static volatile int released;

/* Lets the held host call go once the main thread is (very likely) waiting for it; `released` says
 * that it happened, so a wait that ended before it is seen without any timing assertion. */
static void *release_later(void *arg)
{
    (void)arg;
    struct timespec pause = { 0, 50 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    __atomic_store_n(&released, 1, __ATOMIC_SEQ_CST);
    sem_post(&leave_host_call);
    return NULL;
}

/* Holds the host call at `address` made by `body` on another thread, touches `touched` meanwhile and
 * returns what the touch returned; the byte read is in *byte. The touch must end after the release. */
static int touch_during_host_call(struct call_on_thread *c, void *(*body)(void *), void *address,
                                  const void *touched, uint8_t *byte)
{
    pthread_t t, releaser;
    int result;
    released = 0;
    armed_address = address;
    pthread_create(&t, NULL, body, c);
    CHECK(host_call_opened(), "%s", "the call never reached the host");
    pthread_create(&releaser, NULL, release_later, NULL);
    result = resmap_sim_touch(c->m, touched, byte);
    CHECK(__atomic_load_n(&released, __ATOMIC_SEQ_CST), "%s", "the touch did not wait for the host");
    pthread_join(releaser, NULL);
    pthread_join(t, NULL);
    return result;
}

/* A touch of a page whose reserved map is still with the host waits, then reads the page (it would
 * otherwise fault for real on a page the host has not mapped yet). */
static void a_touch_waits_for_a_reserved_maps_host_call(void)
{
    resmap_sim_machine *m = machine();
    struct call_on_thread c = { m, MmAllocateMappingAddress(PAGE_SIZE, TAG_A), allocate_pages(PAGE_SIZE, 0),
                                NULL };
    uint8_t byte = 0xFF;
    CHECK(touch_during_host_call(&c, map_reserved_thread, c.base, c.base, &byte) == 0 && byte == 0,
          "byte 0x%X", byte);
    CHECK(c.result == c.base, "mapped at %p", c.result);
    MmUnmapReservedMapping(c.base, TAG_A, c.mdl);
    MmFreeMappingAddress(c.base, TAG_A);
    free_pages(c.mdl);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* A touch during the unmap's host call waits too, and then finds the page unmapped: 0x50, recorded. */
static void a_touch_waits_for_a_reserved_unmaps_host_call(void)
{
    resmap_sim_machine *m = machine();
    uint64_t p[4];
    uint8_t byte = 0;
    struct call_on_thread c = { m, MmAllocateMappingAddress(PAGE_SIZE, TAG_A), allocate_pages(PAGE_SIZE, 0),
                                NULL };
    CHECK(MmMapLockedPagesWithReservedMapping(c.base, TAG_A, c.mdl, MmCached) == c.base, "%s", "no mapping");
    CHECK(touch_during_host_call(&c, unmap_reserved_thread, c.base, c.base, &byte) == -1, "byte 0x%X",
          byte);
    CHECK_BUGCHECK(m, PAGE_FAULT_IN_NONPAGED_AREA, (uintptr_t)c.base, p);
    resmap_sim_destroy(m);
}

/* An ordinary mapping is registered before its host call, so a touch of its page waits as well. */
static void a_touch_waits_for_an_ordinary_maps_host_call(void)
{
    resmap_sim_machine *m = machine();
    struct call_on_thread c = { m, NULL, allocate_pages(2 * PAGE_SIZE, 0), NULL };
    uint8_t byte = 0xFF;
    /* The first fit of an ordinary mapping is the lowest free PTE. */
    void *expected = m->sysva + m->pte_lowest_free * PAGE_SIZE;
    CHECK(touch_during_host_call(&c, map_ordinary_thread, expected, (uint8_t *)expected + PAGE_SIZE,
                                 &byte) == 0 && byte == 0, "byte 0x%X", byte);
    CHECK(c.result == expected, "mapped at %p, expected %p", c.result, expected);
    MmUnmapLockedPages(c.result, c.mdl);
    free_pages(c.mdl);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    sem_init(&in_host_call, 0, 0);
    sem_init(&leave_host_call, 0, 0);
    sem_init(&other_done, 0, 0);
    RUN(other_calls_go_on_during_a_maps_host_call);
    RUN(a_touch_waits_for_a_reserved_maps_host_call);
    RUN(a_touch_waits_for_a_reserved_unmaps_host_call);
    RUN(a_touch_waits_for_an_ordinary_maps_host_call);
    return CHECK_DONE();
}
