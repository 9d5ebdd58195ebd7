/*
 * test_sim_user.c - simulated user memory (resmap_sim_user_alloc) and MmProbeAndLockPages on it:
 * what can be locked, and "must be inside try/except (it raises STATUS_ACCESS_VIOLATION ...)" -
 * through the simulator's stand-in for the driver's SEH wrapper, probing anything else is that status.
 */
#include "sim_fixture.h"

static uint64_t frames_locked(resmap_sim_machine *m)
{
    resmap_sim_counters c;
    resmap_sim_get_counters(m, &c);
    return c.frames_locked;
}

/* Whole zeroed pages of simulated physical memory, counted as user frames until freed. */
static void user_memory_is_zeroed_whole_pages_and_counted(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    PUCHAR user = resmap_sim_user_alloc(m, 2 * PAGE_SIZE + 1);
    size_t nonzero = 0;
    CHECK(user != NULL && ((uintptr_t)user & (PAGE_SIZE - 1)) == 0, "%p", (void *)user);
    for (size_t i = 0; user != NULL && i < 3 * PAGE_SIZE; i++) {
        nonzero += user[i] != 0;
    }
    CHECK(nonzero == 0, "%zu non-zero bytes", nonzero);
    resmap_sim_get_counters(m, &c);
    CHECK(c.user_buffers == 1 && c.frames_user == 3, "%llu buffers %llu frames",
          (unsigned long long)c.user_buffers, (unsigned long long)c.frames_user);
    CHECK(resmap_sim_user_free(m, user) == 0, "%s", "a refused free");
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* 0 bytes, more frames than the machine has, and a NULL machine give NULL. */
static void user_memory_that_cannot_exist_is_null(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_counters c;
    resmap_sim_get_counters(m, &c);
    CHECK(resmap_sim_user_alloc(m, 0) == NULL, "%s", "a buffer of 0 bytes");
    CHECK(resmap_sim_user_alloc(m, (c.frames_total + 1) * PAGE_SIZE) == NULL, "%s",
          "more memory than the machine has");
    CHECK(resmap_sim_user_alloc(NULL, PAGE_SIZE) == NULL, "%s", "a buffer of no machine");
    CHECK(resmap_sim_user_free(m, &c) == -1 && resmap_sim_user_free(NULL, &c) == -1, "%s",
          "a free of no buffer");
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* The lock fills the PFN array with the buffer's frames, marks the MDL locked (and a write operation
 * for write access) in the owning process, and counts each frame's lock until MmUnlockPages. */
static void probe_and_lock_locks_user_memory(void)
{
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, 2 * PAGE_SIZE);
    PMDL reading = IoAllocateMdl(user, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL writing = IoAllocateMdl(user + 8, 16, FALSE, FALSE, NULL);
    MmProbeAndLockPages(reading, UserMode, IoReadAccess);
    MmProbeAndLockPages(writing, UserMode, IoWriteAccess);
    CHECK((reading->MdlFlags & (MDL_PAGES_LOCKED | MDL_WRITE_OPERATION)) == MDL_PAGES_LOCKED &&
          reading->Process != NULL, "flags 0x%X", (unsigned)reading->MdlFlags);
    CHECK((writing->MdlFlags & (MDL_PAGES_LOCKED | MDL_WRITE_OPERATION)) ==
          (MDL_PAGES_LOCKED | MDL_WRITE_OPERATION) && writing->Process == reading->Process,
          "flags 0x%X", (unsigned)writing->MdlFlags);
    CHECK(MmGetMdlPfnArray(writing)[0] == MmGetMdlPfnArray(reading)[0], "%s", "another frame");
    CHECK(frames_locked(m) == 3, "%llu locked", (unsigned long long)frames_locked(m));
    unlock_user(reading);
    CHECK(frames_locked(m) == 1, "%llu locked", (unsigned long long)frames_locked(m));
    unlock_user(writing);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "probing anything else" - memory that is not simulated user memory, a range that runs past the
 * buffer, a buffer already freed, an MDL of 0 bytes - is STATUS_ACCESS_VIOLATION from the wrapper:
 * a status, no bugcheck, nothing locked. */
static void probing_anything_else_is_an_access_violation_status(void)
{
    static uint8_t not_user_memory[64];
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PUCHAR gone = resmap_sim_user_alloc(m, PAGE_SIZE);
    resmap_sim_user_free(m, gone);
    const struct {
        PVOID va;
        ULONG bytes;
    } cases[] = { { not_user_memory, sizeof(not_user_memory) }, { user + 16, PAGE_SIZE },
                  { gone, 16 }, { user, 0 } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        PMDL mdl = IoAllocateMdl(cases[i].va, cases[i].bytes, FALSE, FALSE, NULL);
        NTSTATUS status = ResmapProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        CHECK(status == STATUS_ACCESS_VIOLATION, "case %zu: status 0x%X", i, (unsigned)status);
        CHECK((mdl->MdlFlags & MDL_PAGES_LOCKED) == 0 && frames_locked(m) == 0, "case %zu: locked", i);
        IoFreeMdl(mdl);
    }
    PMDL good = IoAllocateMdl(user, PAGE_SIZE, FALSE, FALSE, NULL);
    CHECK(ResmapProbeAndLockPages(good, UserMode, IoWriteAccess) == STATUS_SUCCESS, "%s", "a failure");
    unlock_user(good);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* "User pages must be ... unlocked before it exits": the simulator will not free a buffer whose pages
 * are still locked (the frames would go back while an MDL names them). */
static void locked_user_memory_cannot_be_freed(void)
{
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, 2 * PAGE_SIZE);
    PMDL mdl = lock_user(user, PAGE_SIZE, 16);
    CHECK(resmap_sim_user_free(m, user) == -1, "%s", "a locked buffer freed");
    unlock_user(mdl);
    CHECK(resmap_sim_user_free(m, user) == 0, "%s", "an unlocked buffer kept");
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Nor while a system mapping still shows its pages: unlocking the source MDL while a partial MDL of
 * it is still mapped breaks the teardown order ("Unmap the reserved mapping; then ... unlock"), and
 * freeing the buffer then would hand out frames that a reservation still maps. */
static void user_memory_still_mapped_cannot_be_freed(void)
{
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PMDL source = lock_user(user, 0, PAGE_SIZE);
    PMDL partial = IoAllocateMdl(user, PAGE_SIZE, FALSE, FALSE, NULL);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    IoBuildPartialMdl(source, partial, user, PAGE_SIZE);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, partial, MmCached);
    unlock_user(source);
    CHECK(resmap_sim_user_free(m, user) == -1, "%s", "a buffer freed while a reservation maps it");
    MmUnmapReservedMapping(base, TAG_A, partial);
    CHECK(resmap_sim_user_free(m, user) == 0, "%s", "an unmapped buffer kept");
    IoFreeMdl(partial);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* A buffer that cannot get all its frames gives back only those it took. The reproduction from the
 * issue that found it: allocate and free a buffer (so the next frame array is likely the same host
 * block, full of that buffer's frame numbers), take nearly every frame as one page set, let a buffer
 * fail for want of frames; every frame of the page set must still be in use, and mapping it must
 * not raise 0x4E. */
static void a_short_buffer_releases_only_the_frames_it_took(void)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .physical_pages = 1024, .system_ptes = 2048 };
    resmap_sim_machine *m = resmap_sim_create(&cfg);
    resmap_sim_select(m);
    resmap_sim_counters before, after;
    PUCHAR first = resmap_sim_user_alloc(m, 8 * PAGE_SIZE);
    resmap_sim_user_free(m, first);
    resmap_sim_get_counters(m, &before);
    /* Every frame but 4, and frame 0, which is never handed out. */
    PMDL pages = allocate_pages((before.frames_total - 1 - 4) * PAGE_SIZE, 0);
    resmap_sim_get_counters(m, &before);
    CHECK(resmap_sim_user_alloc(m, 8 * PAGE_SIZE) == NULL, "%s", "a buffer larger than the frames left");
    resmap_sim_get_counters(m, &after);
    CHECK(after.frames_allocated == before.frames_allocated && after.frames_user == before.frames_user,
          "%llu/%llu frames allocated, %llu/%llu user", (unsigned long long)after.frames_allocated,
          (unsigned long long)before.frames_allocated, (unsigned long long)after.frames_user,
          (unsigned long long)before.frames_user);
    size_t freed = 0;
    for (size_t i = 0; i < MmGetMdlByteCount(pages) / PAGE_SIZE; i++) {
        freed += resmap_sim_frame_cache_type(m, MmGetMdlPfnArray(pages)[i]) == MmNotMapped;
    }
    CHECK(freed == 0, "%zu frames of a live page set marked free", freed);
    PVOID va = MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    CHECK(va != NULL && !resmap_sim_bugcheck(m, NULL, NULL), "%s", "the page set no longer maps");
    PUCHAR all = resmap_sim_user_alloc(m, 4 * PAGE_SIZE);
    CHECK(all != NULL, "%s", "the 4 frames left are not there");
    if (va != NULL) {
        MmUnmapLockedPages(va, pages);
    }
    resmap_sim_user_free(m, all);
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(user_memory_is_zeroed_whole_pages_and_counted);
    RUN(user_memory_that_cannot_exist_is_null);
    RUN(probe_and_lock_locks_user_memory);
    RUN(probing_anything_else_is_an_access_violation_status);
    RUN(locked_user_memory_cannot_be_freed);
    RUN(user_memory_still_mapped_cannot_be_freed);
    RUN(a_short_buffer_releases_only_the_frames_it_took);
    return CHECK_DONE();
}
