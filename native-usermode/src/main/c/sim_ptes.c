/*
 * sim_ptes.c - the system PTE pool: one PROT_NONE arena per machine whose page i is system PTE i.
 *
 * Reservations (with their two header PTEs) and ordinary mappings take runs of PTEs from this one
 * finite pool, as they do on Windows, so running out is reproducible: once ordinary mappings fail,
 * a reservation made earlier still maps.
 */
#include "sim_machine.h"

#include <stdlib.h>

int sim_ptes_init(resmap_sim_machine *m)
{
    size_t n = m->config.system_ptes;
    void *arena = sim_arena_reserve(m, n);
    if (arena == NULL) {
        return -1;
    }
    m->sysva = arena;
    m->ptes_total = n;
    m->pte_kind = calloc(n, sizeof(*m->pte_kind));
    m->pte_frame = malloc(n * sizeof(*m->pte_frame));
    m->pte_reservation = calloc(n, sizeof(*m->pte_reservation));
    m->pte_cache = malloc(n * sizeof(*m->pte_cache));
    if (m->pte_kind == NULL || m->pte_frame == NULL || m->pte_reservation == NULL ||
        m->pte_cache == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        m->pte_frame[i] = SIM_NO_FRAME;
        m->pte_cache[i] = (int8_t)MmNotMapped;
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
    free(m->pte_frame);
    free(m->pte_reservation);
    free(m->pte_cache);
    m->pte_cache = NULL;
    m->pte_kind = NULL;
    m->pte_frame = NULL;
    m->pte_reservation = NULL;
}

size_t sim_ptes_take_locked(resmap_sim_machine *m, size_t count, enum sim_pte_kind kind)
{
    size_t run = 0;
    if (count == 0 || count > m->ptes_total - m->ptes_used) {
        return (size_t)-1;
    }
    for (size_t i = 0; i < m->ptes_total; i++) {
        run = m->pte_kind[i] == SIM_PTE_FREE ? run + 1 : 0;
        if (run == count) {
            size_t first = i + 1 - count;
            for (size_t j = first; j <= i; j++) {
                m->pte_kind[j] = (uint8_t)kind;
            }
            m->ptes_used += count;
            return first;
        }
    }
    return (size_t)-1;
}

void sim_ptes_release_locked(resmap_sim_machine *m, size_t first, size_t count)
{
    for (size_t j = first; j < first + count; j++) {
        m->pte_kind[j] = SIM_PTE_FREE;
        m->pte_reservation[j] = NULL;
    }
    m->ptes_used -= count;
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

int sim_ptes_map_locked(resmap_sim_machine *m, size_t first, const PFN_NUMBER *frames, size_t count,
                        MEMORY_CACHING_TYPE cache, int writable)
{
    if (sim_map_frames(m, sim_pte_address(m, first), frames, count, writable) != 0) {
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        m->pte_frame[first + i] = frames[i];
        m->pte_cache[first + i] = (int8_t)cache;
        m->frame_maps[frames[i]]++;
    }
    return 0;
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
        type = m->pte_cache[index];
    }
    pthread_mutex_unlock(&m->lock);
    return type;
}

void sim_ptes_unmap_locked(resmap_sim_machine *m, size_t first, size_t count)
{
    /* A refusal stops the machine (a host fault); the bookkeeping below still follows the driver. */
    sim_unmap_to_reserved(m, sim_pte_address(m, first), count);
    for (size_t i = first; i < first + count; i++) {
        if (m->pte_frame[i] != SIM_NO_FRAME) {
            m->frame_maps[m->pte_frame[i]]--;
            m->pte_frame[i] = SIM_NO_FRAME;
            m->pte_cache[i] = (int8_t)MmNotMapped;
        }
    }
}
