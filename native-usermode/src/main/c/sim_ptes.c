/*
 * sim_ptes.c - the system PTE pool: one PROT_NONE arena per machine whose page i is system PTE i.
 *
 * Reservations (with their two header PTEs) and ordinary mappings take runs of PTEs from this one
 * finite pool, as they do on Windows, so running out is reproducible: once ordinary mappings fail,
 * a reservation made earlier still maps.
 *
 * What a filled PTE maps is kept per run of consecutive frames (struct sim_runs, held by the
 * reservation or ordinary mapping the PTE belongs to), so that mapping and unmapping cost one host call
 * and one record per run, not work per page. Only taking and releasing PTEs touches a byte per page
 * (pte_kind, by memset), and a first-fit search starts at the lowest free PTE and skips used PTEs eight
 * at a time.
 */
#include "sim_machine.h"

#include <stdlib.h>
#include <string.h>

int sim_ptes_init(resmap_sim_machine *m)
{
    size_t n = m->config.system_ptes;
    void *arena = sim_arena_reserve(m, n);
    if (arena == NULL) {
        return -1;
    }
    m->sysva = arena;
    m->ptes_total = n;
    m->pte_lowest_free = 0;
    m->pte_kind = calloc(n, sizeof(*m->pte_kind));
    m->pte_reservation = calloc(n, sizeof(*m->pte_reservation));
    m->pte_ordinary = calloc(n, sizeof(*m->pte_ordinary));
    m->frame_runs = malloc(n * sizeof(*m->frame_runs));
    if (m->pte_kind == NULL || m->pte_reservation == NULL || m->pte_ordinary == NULL ||
        m->frame_runs == NULL) {
        return -1;
    }
    return 0;
}

void sim_ptes_destroy(resmap_sim_machine *m)
{
    if (m->sysva != NULL) {
        sim_arena_release(m, m->sysva, m->ptes_total);
        m->sysva = NULL;
    }
    free(m->pte_kind);
    free(m->pte_reservation);
    free(m->pte_ordinary);
    free(m->frame_runs);
    m->frame_runs = NULL;
    m->pte_kind = NULL;
    m->pte_reservation = NULL;
    m->pte_ordinary = NULL;
}

/* The first index in [i, end) whose kind is (free != 0 ? free : used), or end. */
static size_t scan_kinds(const uint8_t *kind, size_t i, size_t end, int free)
{
    while (i < end && (i & 7) != 0) {
        if ((kind[i] == SIM_PTE_FREE) == free) {
            return i;
        }
        i++;
    }
    while (i + 8 <= end) {
        uint64_t word;
        memcpy(&word, kind + i, sizeof(word));
        /* free: looking for a zero byte, so all-non-zero words are skipped; used: the reverse. */
        if (free ? ((word - 0x0101010101010101ull) & ~word & 0x8080808080808080ull) != 0 : word != 0) {
            break;
        }
        i += 8;
    }
    while (i < end && (kind[i] == SIM_PTE_FREE) != free) {
        i++;
    }
    return i;
}

size_t sim_ptes_take_locked(resmap_sim_machine *m, size_t count, enum sim_pte_kind kind)
{
    size_t i = m->pte_lowest_free;
    if (count == 0 || count > m->ptes_total - m->ptes_used) {
        return (size_t)-1;
    }
    /* First fit, as before runs: the lowest free stretch of count PTEs. */
    while (count <= m->ptes_total - i) {
        size_t used = scan_kinds(m->pte_kind, i, i + count, 0);
        if (used == i + count) {
            memset(m->pte_kind + i, (int)kind, count);
            m->ptes_used += count;
            if (i == m->pte_lowest_free) {
                m->pte_lowest_free = scan_kinds(m->pte_kind, i + count, m->ptes_total, 1);
            }
            return i;
        }
        i = scan_kinds(m->pte_kind, used + 1, m->ptes_total, 1);
    }
    return (size_t)-1;
}

void sim_ptes_release_locked(resmap_sim_machine *m, size_t first, size_t count)
{
    memset(m->pte_kind + first, SIM_PTE_FREE, count);
    m->ptes_used -= count;
    if (first < m->pte_lowest_free) {
        m->pte_lowest_free = first;
    }
}

size_t sim_pte_index(const resmap_sim_machine *m, const void *va)
{
    uintptr_t a = (uintptr_t)va;
    uintptr_t base = (uintptr_t)m->sysva;
    if (a < base || a >= base + m->ptes_total * PAGE_SIZE) {
        return (size_t)-1;
    }
    return (a - base) / PAGE_SIZE;
}

void *sim_pte_address(const resmap_sim_machine *m, size_t index)
{
    return m->sysva + index * PAGE_SIZE;
}

/* ------------------------------------------------------------------ runs */
static int runs_append(struct sim_runs *runs, size_t pte, PFN_NUMBER frame, size_t pages, int8_t cache)
{
    if (runs->count == runs->capacity) {
        size_t capacity = runs->capacity == 0 ? 4 : runs->capacity * 2;
        struct sim_pte_run *grown = realloc(runs->run, capacity * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        runs->run = grown;
        runs->capacity = capacity;
    }
    runs->run[runs->count].pte = pte;
    runs->run[runs->count].frame = frame;
    runs->run[runs->count].pages = pages;
    runs->run[runs->count].cache = cache;
    runs->count++;
    runs->pages += pages;
    return 0;
}

size_t sim_runs_pages_in(const struct sim_runs *runs, size_t first, size_t count)
{
    size_t end = first + count, pages = 0;
    for (size_t k = 0; k < runs->count; k++) {
        const struct sim_pte_run *r = &runs->run[k];
        size_t lo = r->pte > first ? r->pte : first;
        size_t hi = r->pte + r->pages < end ? r->pte + r->pages : end;
        pages += hi > lo ? hi - lo : 0;
    }
    return pages;
}

/* Removes PTEs [first, end) from the runs: runs inside go, runs across an edge are cut, and a run
 * across both edges is split in two. Should the host have no memory for the second half of a split,
 * that half is emptied on the host too, so that the runs never claim a page the host does not map. */
static void runs_remove(resmap_sim_machine *m, struct sim_runs *runs, size_t first, size_t end)
{
    size_t k = 0;
    while (k < runs->count) {
        struct sim_pte_run *r = &runs->run[k];
        size_t r_end = r->pte + r->pages;
        if (r_end <= first || r->pte >= end) {
            k++;
        } else if (r->pte >= first && r_end <= end) {
            runs->pages -= r->pages;
            runs->run[k] = runs->run[--runs->count];
        } else if (r->pte < first && r_end > end) {
            struct sim_pte_run tail = { end, r->frame + (end - r->pte), r_end - end, r->cache };
            runs->pages -= r_end - first;
            r->pages = first - r->pte;
            if (runs_append(runs, tail.pte, tail.frame, tail.pages, tail.cache) != 0) {
                sim_unmap_to_reserved(m, sim_pte_address(m, tail.pte), tail.pages);
            }
            k++;
        } else if (r->pte < first) {
            runs->pages -= r_end - first;
            r->pages = first - r->pte;
            k++;
        } else {
            size_t cut = end - r->pte;
            runs->pages -= cut;
            r->pte = end;
            r->frame += cut;
            r->pages -= cut;
            k++;
        }
    }
}

void sim_runs_free(struct sim_runs *runs)
{
    free(runs->run);
    memset(runs, 0, sizeof(*runs));
}

/* ------------------------------------------------------------------ mapping */
/* Releases the machine lock for a host call on a busy object, and takes it back. */
static void begin_unlocked(resmap_sim_machine *m, int *busy)
{
    if (busy != NULL) {
        *busy = 1;
        pthread_mutex_unlock(&m->lock);
    }
}

static void end_unlocked(resmap_sim_machine *m, int *busy)
{
    if (busy != NULL) {
        pthread_mutex_lock(&m->lock);
        *busy = 0;
        pthread_cond_broadcast(&m->host_idle);
    }
}

void sim_wait_idle_locked(resmap_sim_machine *m)
{
    pthread_cond_wait(&m->host_idle, &m->lock);
}

int sim_ptes_map_locked(resmap_sim_machine *m, struct sim_runs *into, size_t first, size_t runs,
                        MEMORY_CACHING_TYPE cache, int writable, int *busy)
{
    size_t had = into->count, had_pages = into->pages;
    size_t i = 0, k, mapped = 0;
    int error = 0;
    if (runs == (size_t)-1) {
        return -1;
    }
    /* The runs are recorded first: the bookkeeping says what the host is about to show. */
    for (k = 0; k < runs; k++) {
        const struct sim_frame_run *run = &m->frame_runs[k];
        /* [D] a page with a caching type of its own keeps it; only pages that have none (from
         * MmAllocatePagesForMdl) take the caller's CacheType. A run of frames with different types
         * becomes one PTE run per type. */
        for (size_t done = 0, part; done < run->pages; done += part) {
            PFN_NUMBER at = run->first + done;
            int8_t own = m->frame_cache[at];
            int8_t type = own != (int8_t)MmNotMapped ? own : (int8_t)cache;
            part = sim_byte_span(m->frame_cache + at, run->pages - done, (uint8_t)own);
            if (runs_append(into, first + i, at, part, type) != 0) {
                into->count = had;
                into->pages = had_pages;
                return -1;
            }
            i += part;
        }
    }
    /* Nothing else touches these runs while the object is busy, so they are read without the lock. */
    begin_unlocked(m, busy);
    for (k = had; k < into->count && error == 0; k++) {
        const struct sim_pte_run *r = &into->run[k];
        error = sim_host_map_run(m->memfd, sim_pte_address(m, r->pte), r->frame, r->pages, writable);
        mapped += error == 0 ? r->pages : 0;
    }
    end_unlocked(m, busy);
    if (error != 0) {
        /* Within the budget the host should never refuse: that it did is reported, never absorbed. A
         * failed MAP_FIXED may have unmapped its range, so all of it goes back. */
        const struct sim_pte_run *r = &into->run[k - 1];
        sim_host_fault_locked(m, "mmap", sim_pte_address(m, r->pte), r->pages, error);
        sim_unmap_to_reserved(m, sim_pte_address(m, first), mapped + r->pages);
        into->count = had;
        into->pages = had_pages;
        return -1;
    }
    return 0;
}

void sim_ptes_unmap_locked(resmap_sim_machine *m, struct sim_runs *from, size_t first, size_t count,
                           int *busy)
{
    int error;
    begin_unlocked(m, busy);
    error = sim_host_unmap_to_reserved(sim_pte_address(m, first), count);
    end_unlocked(m, busy);
    /* A refusal stops the machine (a host fault); the bookkeeping below still follows the driver. */
    if (error != 0) {
        sim_host_fault_locked(m, "mmap(PROT_NONE)", sim_pte_address(m, first), count, error);
    }
    runs_remove(m, from, first, first + count);
    sim_frames_free_orphans_locked(m);
}

struct sim_ordinary_mapping *sim_ordinary_of_pte_locked(resmap_sim_machine *m, size_t i)
{
    if (m->pte_kind[i] != SIM_PTE_ORDINARY) {
        return NULL;
    }
    for (struct sim_ordinary_mapping *o = m->ordinary; o != NULL; o = o->next) {
        if (i >= o->first_pte && i < o->first_pte + o->pages) {
            return o;
        }
    }
    return NULL;
}

/* The runs PTE i belongs to, or NULL when it is not a reservation or ordinary mapping page. */
static struct sim_runs *runs_of_pte_locked(resmap_sim_machine *m, size_t i)
{
    struct sim_ordinary_mapping *o;
    if (m->pte_kind[i] == SIM_PTE_RESERVED) {
        return &m->pte_reservation[i]->mapped;
    }
    o = sim_ordinary_of_pte_locked(m, i);
    return o != NULL ? &o->mapped : NULL;
}

int sim_pte_busy_locked(resmap_sim_machine *m, size_t i)
{
    const struct sim_ordinary_mapping *o;
    if (m->pte_kind[i] == SIM_PTE_RESERVED || m->pte_kind[i] == SIM_PTE_HEADER) {
        return m->pte_reservation[i] != NULL && m->pte_reservation[i]->busy;
    }
    o = sim_ordinary_of_pte_locked(m, i);
    return o != NULL && o->busy;
}

PFN_NUMBER sim_pte_frame_locked(resmap_sim_machine *m, size_t i, int *cache)
{
    const struct sim_runs *runs = runs_of_pte_locked(m, i);
    for (size_t k = 0; runs != NULL && k < runs->count; k++) {
        const struct sim_pte_run *r = &runs->run[k];
        if (i >= r->pte && i < r->pte + r->pages) {
            if (cache != NULL) {
                *cache = r->cache;
            }
            return r->frame + (i - r->pte);
        }
    }
    if (cache != NULL) {
        *cache = MmNotMapped;
    }
    return SIM_NO_FRAME;
}

RESMAP_SIM_API int resmap_sim_mapping_cache_type(resmap_sim_machine *m, const void *va)
{
    size_t index;
    int type = MmNotMapped;
    if (m == NULL) {
        return MmNotMapped;
    }
    pthread_mutex_lock(&m->lock);
    index = sim_pte_index(m, va);
    if (index != (size_t)-1) {
        sim_pte_frame_locked(m, index, &type);
    }
    pthread_mutex_unlock(&m->lock);
    return type;
}
