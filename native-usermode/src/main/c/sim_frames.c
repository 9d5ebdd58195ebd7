/*
 * sim_frames.c - simulated physical memory: a memfd whose page i is page frame number i, and the
 * mapping of frames at real addresses.
 *
 * Mapping a frame is an mmap(MAP_SHARED | MAP_FIXED) of its page of the memfd, so every mapping of
 * the same frame shows the same bytes (aliasing is real). Returning a range to "reserved" is a
 * MAP_FIXED anonymous PROT_NONE mmap over it: the range stays reserved, merges back into its arena's
 * single host mapping, and touching it faults.
 */
#define _GNU_SOURCE
#include "sim_machine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Allocations take frames in runs of this many, leaving one free frame between runs, so that the
 * MDLs a driver gets describe scattered frames, as they often do on Windows, and the multi-run
 * mapping paths are exercised. Each run is one host mapping when mapped, so the runs are long enough
 * that a large mapping does not cost the host a mapping per page or two. */
#define SCATTER_RUN 16

int sim_frames_init(resmap_sim_machine *m)
{
    size_t n = m->config.physical_pages;
    m->frames_total = n;
    m->memfd = memfd_create("resmap-sim-physical-memory", MFD_CLOEXEC);
    if (m->memfd < 0) {
        return -1;
    }
    if (ftruncate(m->memfd, (off_t)(n * PAGE_SIZE)) != 0) {
        return -1;
    }
    m->frame_use = calloc(n, sizeof(*m->frame_use));
    m->frame_cache = calloc(n, sizeof(*m->frame_cache));
    m->frame_locks = calloc(n, sizeof(*m->frame_locks));
    m->frame_maps = calloc(n, sizeof(*m->frame_maps));
    if (m->frame_use == NULL || m->frame_cache == NULL || m->frame_locks == NULL ||
        m->frame_maps == NULL) {
        return -1;
    }
    return 0;
}

void sim_frames_destroy(resmap_sim_machine *m)
{
    if (m->memfd >= 0) {
        close(m->memfd);
        m->memfd = -1;
    }
    free(m->frame_use);
    free(m->frame_cache);
    free(m->frame_locks);
    free(m->frame_maps);
    m->frame_use = NULL;
    m->frame_cache = NULL;
    m->frame_locks = NULL;
    m->frame_maps = NULL;
}

int sim_frame_valid_locked(resmap_sim_machine *m, PFN_NUMBER pfn)
{
    return pfn < m->frames_total && m->frame_use[pfn] != SIM_FRAME_FREE;
}

static int frame_in_range(PFN_NUMBER pfn, uint64_t low, uint64_t high)
{
    uint64_t start = (uint64_t)pfn * PAGE_SIZE;
    return start >= low && start + PAGE_SIZE - 1 <= high;
}

size_t sim_frames_take_locked(resmap_sim_machine *m, PFN_NUMBER *out, size_t count, uint64_t low,
                              uint64_t high, int contiguous, int zero, enum sim_frame_use use)
{
    size_t taken = 0;
    /* First pass scatters (unless asked for contiguous frames); the second takes what is left. */
    for (int pass = contiguous ? 1 : 0; pass < 2 && taken < count; pass++) {
        size_t run = 0;
        for (size_t i = 0; i < m->frames_total && taken < count; i++) {
            PFN_NUMBER pfn = (m->frame_hint + i) % m->frames_total;
            if (m->frame_use[pfn] != SIM_FRAME_FREE || !frame_in_range(pfn, low, high)) {
                run = 0;
                continue;
            }
            if (pass == 0 && run == SCATTER_RUN) {
                run = 0;
                continue;
            }
            m->frame_use[pfn] = (uint8_t)use;
            m->frame_cache[pfn] = (int8_t)MmNotMapped;
            out[taken++] = pfn;
            run++;
        }
    }
    if (taken > 0) {
        m->frame_hint = (out[taken - 1] + 1) % m->frames_total;
    }
    for (size_t i = 0; zero && i < taken; i++) {
        /* A hole punched in the memfd reads back as zeroes and gives the host its memory back. */
        fallocate(m->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(out[i] * PAGE_SIZE),
                  PAGE_SIZE);
    }
    return taken;
}

void sim_frames_release_locked(resmap_sim_machine *m, const PFN_NUMBER *frames, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (frames[i] < m->frames_total) {
            m->frame_use[frames[i]] = SIM_FRAME_FREE;
            m->frame_cache[frames[i]] = (int8_t)MmNotMapped;
        }
    }
}

RESMAP_SIM_API int resmap_sim_frame_cache_type(resmap_sim_machine *m, uint64_t pfn)
{
    int type = MmNotMapped;
    if (m == NULL) {
        return MmNotMapped;
    }
    pthread_mutex_lock(&m->lock);
    if (pfn < m->frames_total) {
        type = m->frame_cache[pfn];
    }
    pthread_mutex_unlock(&m->lock);
    return type;
}

int sim_map_frames(resmap_sim_machine *m, void *va, const PFN_NUMBER *frames, size_t count, int writable)
{
    size_t i = 0;
    while (i < count) {
        size_t run = 1;
        while (i + run < count && frames[i + run] == frames[i] + run) {
            run++;
        }
        void *at = (uint8_t *)va + i * PAGE_SIZE;
        if (mmap(at, run * PAGE_SIZE, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED | MAP_FIXED,
                 m->memfd, (off_t)(frames[i] * PAGE_SIZE)) == MAP_FAILED) {
            /* Within the budget the host should never refuse: that it did is reported, never
             * absorbed. A failed MAP_FIXED may have unmapped the range, so all of it goes back. */
            sim_host_fault_locked(m, "mmap", at, run, errno);
            sim_unmap_to_reserved(m, va, i + run);
            return -1;
        }
        i += run;
    }
    return 0;
}

void *sim_arena_reserve(resmap_sim_machine *m, size_t pages)
{
    void *arena;
    if (sim_machine_charge_locked(m, 1) != 0) {
        return NULL;
    }
    /* MAP_NORESERVE: an arena as large as the machine's memory costs nothing until frames are mapped
     * into it, page by page, with sim_map_frames. */
    arena = mmap(NULL, pages * PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (arena == MAP_FAILED) {
        sim_machine_uncharge_locked(m, 1);
        return NULL;
    }
    return arena;
}

void sim_arena_release(resmap_sim_machine *m, void *arena, size_t pages)
{
    /* munmap of a whole arena cannot need a split; should the host refuse anyway, the range stays
     * charged (it is still there) and the refusal is said. */
    if (munmap(arena, pages * PAGE_SIZE) != 0) {
        fprintf(stderr, "resmap-sim: host munmap of an arena of %zu pages at %p failed: %s\n", pages, arena,
                strerror(errno));
        m->host_leaked = 1;
    }
}

int sim_unmap_to_reserved(resmap_sim_machine *m, void *va, size_t pages)
{
    if (pages == 0) {
        return 0;
    }
    if (mmap(va, pages * PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
             0) == MAP_FAILED) {
        sim_host_fault_locked(m, "mmap(PROT_NONE)", va, pages, errno);
        return -1;
    }
    return 0;
}
