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
    size_t n;
    m->frames_total = m->config.physical_pages;
    m->pool_pages = sim_pool_arena_pages(m->config.pool_bytes);
    m->frames_all = n = m->frames_total + m->pool_pages;
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
    m->frame_marks = calloc(n, sizeof(*m->frame_marks));
    m->frame_identity = malloc(n * sizeof(*m->frame_identity));
    if (m->frame_use == NULL || m->frame_cache == NULL || m->frame_locks == NULL ||
        m->frame_marks == NULL || m->frame_identity == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        m->frame_identity[i] = i;
    }
    /* The pool arena's frames are the pool's for good; nonpaged pool is cached memory. */
    memset(m->frame_use + m->frames_total, SIM_FRAME_POOL, m->pool_pages);
    memset(m->frame_cache + m->frames_total, MmCached, m->pool_pages);
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
    free(m->frame_marks);
    free(m->frame_identity);
    m->frame_identity = NULL;
    m->frame_use = NULL;
    m->frame_cache = NULL;
    m->frame_locks = NULL;
    m->frame_marks = NULL;
}

/* How far a run continues is asked of every frame of every map call, so it is answered with memcmp
 * against the identity table (frame_identity[i] == i) rather than by a loop over the frames: a run
 * of n frames from f is exactly the n entries of the table from f. The first few frames are looked
 * at one by one, which is cheaper for the short runs of scattered allocations. */
#define RUN_SCAN_FIRST 8
#define RUN_CHUNK_FIRST 64

size_t sim_frame_run_length(const resmap_sim_machine *m, const PFN_NUMBER *frames, size_t count)
{
    PFN_NUMBER first = frames[0];
    size_t n = 1, chunk = RUN_CHUNK_FIRST;
    if (first >= m->frames_all) {
        return 1; /* not a frame of the machine: a run of its own, which the caller refuses */
    }
    while (n < count && n < RUN_SCAN_FIRST && frames[n] == first + n) {
        n++;
    }
    if (n < RUN_SCAN_FIRST) {
        return n;
    }
    while (n < count && first + n < m->frames_all) {
        size_t len = count - n;
        if (len > chunk) {
            len = chunk;
        }
        if (len > m->frames_all - (first + n)) {
            len = m->frames_all - (first + n);
        }
        if (memcmp(frames + n, m->frame_identity + first + n, len * sizeof(*frames)) != 0) {
            while (frames[n] == first + n) {
                n++;
            }
            return n;
        }
        n += len;
        chunk *= 2;
    }
    return n;
}

/* Long stretches are compared with memcmp against a block of the value, which the C library does with
 * the widest vector instructions the processor has (as for the runs above); the rest byte by byte. */
#define SPAN_BLOCK 256

size_t sim_byte_span(const void *p, size_t n, uint8_t value)
{
    const uint8_t *b = p;
    size_t k = 0;
    if (n >= SPAN_BLOCK) {
        uint8_t pattern[SPAN_BLOCK];
        memset(pattern, value, sizeof(pattern));
        while (k + SPAN_BLOCK <= n && memcmp(b + k, pattern, SPAN_BLOCK) == 0) {
            k += SPAN_BLOCK;
        }
    }
    while (k < n && b[k] == value) {
        k++;
    }
    return k;
}

size_t sim_frames_first_invalid_locked(resmap_sim_machine *m, const PFN_NUMBER *frames, size_t count,
                                       size_t *runs)
{
    size_t i = 0;
    *runs = 0;
    while (i < count) {
        size_t run = sim_frame_run_length(m, frames + i, count - i);
        PFN_NUMBER first = frames[i];
        const uint8_t *free_frame;
        if (first >= m->frames_all) {
            return i;
        }
        if (run > m->frames_all - first) {
            run = m->frames_all - first; /* the frame after the machine's last is invalid */
        }
        /* SIM_FRAME_FREE is 0: the first zero byte of the run's uses is its first free frame. */
        free_frame = memchr(m->frame_use + first, SIM_FRAME_FREE, run);
        if (free_frame != NULL) {
            return i + (size_t)(free_frame - (m->frame_use + first));
        }
        if (*runs != (size_t)-1 && *runs < m->ptes_total) {
            m->frame_runs[*runs].first = first;
            m->frame_runs[*runs].pages = run;
            (*runs)++;
        } else {
            *runs = (size_t)-1;
        }
        i += run;
    }
    return count;
}

static void mark_runs(uint8_t *marks, const struct sim_runs *runs)
{
    for (size_t k = 0; k < runs->count; k++) {
        memset(marks + runs->run[k].frame, 1, runs->run[k].pages);
    }
}

size_t sim_frames_first_mapped_locked(resmap_sim_machine *m, const PFN_NUMBER *frames, size_t count)
{
    size_t i;
    /* Not on a hot path (freeing pages or user memory): mark every mapped frame, then look. */
    memset(m->frame_marks, 0, m->frames_all);
    for (const struct sim_reservation *r = m->reservations; r != NULL; r = r->next) {
        mark_runs(m->frame_marks, &r->mapped);
    }
    for (const struct sim_ordinary_mapping *o = m->ordinary; o != NULL; o = o->next) {
        mark_runs(m->frame_marks, &o->mapped);
    }
    for (i = 0; i < count; i++) {
        if (frames[i] < m->frames_all && m->frame_marks[frames[i]] != 0) {
            break;
        }
    }
    return i;
}

static int frame_in_range(PFN_NUMBER pfn, uint64_t low, uint64_t high)
{
    uint64_t start = (uint64_t)pfn * PAGE_SIZE;
    return start >= low && start + PAGE_SIZE - 1 <= high;
}

/* Frame 0 is never handed out: no MDL ever names PFN 0 (observed on Windows by the MmMdl kmtest). */
static int frame_takeable(const resmap_sim_machine *m, PFN_NUMBER pfn, uint64_t low, uint64_t high)
{
    return pfn != 0 && m->frame_use[pfn] == SIM_FRAME_FREE && frame_in_range(pfn, low, high);
}

static void zero_frames(resmap_sim_machine *m, const PFN_NUMBER *frames, size_t count)
{
    for (size_t i = 0, run; i < count; i += run) {
        /* A hole punched in the memfd reads back as zeroes and gives the host its memory back: one
         * hole per run of consecutive frames. */
        run = sim_frame_run_length(m, frames + i, count - i);
        fallocate(m->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(frames[i] * PAGE_SIZE),
                  (off_t)(run * PAGE_SIZE));
    }
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
            if (!frame_takeable(m, pfn, low, high)) {
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
    if (zero) {
        zero_frames(m, out, taken);
    }
    return taken;
}

size_t sim_frames_take_chunks_locked(resmap_sim_machine *m, PFN_NUMBER *out, size_t count, size_t chunk,
                                     size_t align, uint64_t low, uint64_t high, int zero,
                                     enum sim_frame_use use)
{
    size_t taken = 0;
    PFN_NUMBER start = align;       /* frame 0 is never handed out, and 0 is aligned to anything */
    while (taken + chunk <= count && start + chunk <= m->frames_total) {
        size_t run = 0;
        while (run < chunk && frame_takeable(m, start + run, low, high)) {
            run++;
        }
        if (run < chunk) {
            /* The next candidate start after the frame that broke this run, aligned up. */
            start = ((start + run + 1 + align - 1) / align) * align;
            continue;
        }
        for (size_t i = 0; i < chunk; i++) {
            m->frame_use[start + i] = (uint8_t)use;
            m->frame_cache[start + i] = (int8_t)MmNotMapped;
            out[taken++] = start + i;
        }
        start += chunk;
    }
    if (zero) {
        zero_frames(m, out, taken);
    }
    return taken;
}

void sim_frames_free_orphans_locked(resmap_sim_machine *m)
{
    if (m->orphaned_frames == 0) {
        return;
    }
    memset(m->frame_marks, 0, m->frames_all);
    for (const struct sim_reservation *r = m->reservations; r != NULL; r = r->next) {
        mark_runs(m->frame_marks, &r->mapped);
    }
    for (const struct sim_ordinary_mapping *o = m->ordinary; o != NULL; o = o->next) {
        mark_runs(m->frame_marks, &o->mapped);
    }
    for (size_t pfn = 0; pfn < m->frames_total; pfn++) {
        if (m->frame_use[pfn] == SIM_FRAME_ORPHANED && m->frame_marks[pfn] == 0) {
            m->frame_use[pfn] = SIM_FRAME_FREE;
            m->frame_cache[pfn] = (int8_t)MmNotMapped;
            m->orphaned_frames--;
        }
    }
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
    if (pfn < m->frames_all) {
        type = m->frame_cache[pfn];
    }
    pthread_mutex_unlock(&m->lock);
    return type;
}

int sim_host_map_run(int memfd, void *va, PFN_NUMBER first, size_t pages, int writable)
{
    if (mmap(va, pages * PAGE_SIZE, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED | MAP_FIXED,
             memfd, (off_t)(first * PAGE_SIZE)) == MAP_FAILED) {
        return errno;
    }
    return 0;
}

int sim_map_run(resmap_sim_machine *m, void *va, PFN_NUMBER first, size_t pages, int writable)
{
    int error = sim_host_map_run(m->memfd, va, first, pages, writable);
    if (error != 0) {
        /* Within the budget the host should never refuse: that it did is reported, never absorbed. */
        sim_host_fault_locked(m, "mmap", va, pages, error);
        return -1;
    }
    return 0;
}

int sim_map_frames(resmap_sim_machine *m, void *va, const PFN_NUMBER *frames, size_t count, int writable)
{
    size_t i = 0;
    while (i < count) {
        size_t run = sim_frame_run_length(m, frames + i, count - i);
        if (sim_map_run(m, (uint8_t *)va + i * PAGE_SIZE, frames[i], run, writable) != 0) {
            /* A failed MAP_FIXED may have unmapped the range, so all of it goes back. */
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

int sim_host_unmap_to_reserved(void *va, size_t pages)
{
    if (pages != 0 &&
        mmap(va, pages * PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
             0) == MAP_FAILED) {
        return errno;
    }
    return 0;
}

int sim_unmap_to_reserved(resmap_sim_machine *m, void *va, size_t pages)
{
    int error = sim_host_unmap_to_reserved(va, pages);
    if (error != 0) {
        sim_host_fault_locked(m, "mmap(PROT_NONE)", va, pages, error);
        return -1;
    }
    return 0;
}
