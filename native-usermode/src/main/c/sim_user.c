/*
 * sim_user.c - simulated user memory: buffers whose pages are frames of the machine's physical
 * memory, mapped read/write into this process, so that MmProbeAndLockPages can lock them and a
 * reserved mapping of the locked MDL aliases the very bytes the "user" sees.
 *
 * Buffers live in a per-machine PROT_NONE arena, so the trace can show them as user+offset.
 */
#include "sim_machine.h"

#include <stdlib.h>

int sim_user_init(resmap_sim_machine *m)
{
    size_t n = m->config.physical_pages;
    void *arena = sim_arena_reserve(m, n);
    if (arena == NULL) {
        return -1;
    }
    m->userva = arena;
    m->user_pages = n;
    m->user_page_used = calloc(n, 1);
    return m->user_page_used == NULL ? -1 : 0;
}

void sim_user_destroy(resmap_sim_machine *m)
{
    while (m->user_buffers != NULL) {
        struct sim_user_buffer *u = m->user_buffers;
        m->user_buffers = u->next;
        free(u->frames);
        free(u);
    }
    if (m->userva != NULL) {
        sim_arena_release(m, m->userva, m->user_pages);
        m->userva = NULL;
    }
    free(m->user_page_used);
    m->user_page_used = NULL;
}

static size_t take_user_pages_locked(resmap_sim_machine *m, size_t pages)
{
    size_t run = 0;
    for (size_t i = 0; i < m->user_pages; i++) {
        run = m->user_page_used[i] ? 0 : run + 1;
        if (run == pages) {
            size_t first = i + 1 - pages;
            for (size_t j = first; j <= i; j++) {
                m->user_page_used[j] = 1;
            }
            return first;
        }
    }
    return (size_t)-1;
}

static void release_user_pages_locked(resmap_sim_machine *m, size_t first, size_t pages)
{
    for (size_t j = first; j < first + pages; j++) {
        m->user_page_used[j] = 0;
    }
}

RESMAP_SIM_API void *resmap_sim_user_alloc(resmap_sim_machine *m, size_t bytes)
{
    struct sim_user_buffer *u;
    size_t pages = SIM_PAGES(bytes);
    size_t taken;
    void *va = NULL;
    if (m == NULL || bytes == 0) {
        return NULL;
    }
    pthread_mutex_lock(&m->lock);
    if (pages > m->frames_total || (u = calloc(1, sizeof(*u))) == NULL) {
        pthread_mutex_unlock(&m->lock);
        return NULL;
    }
    u->pages = pages;
    u->process = sim_current_process_id_locked(m);
    u->frames = malloc(pages * sizeof(*u->frames));
    if (u->frames == NULL) {
        goto fail;
    }
    u->first_page = take_user_pages_locked(m, pages);
    if (u->first_page == (size_t)-1) {
        goto fail;
    }
    /* User memory starts zeroed, as a fresh allocation in a process does. On a shortage only the
     * frames actually taken go back: the rest of the array was never filled, and releasing it would
     * free frames that live page sets hold. */
    taken = sim_frames_take_locked(m, u->frames, pages, 0, UINT64_MAX, 0, 1, SIM_FRAME_USER);
    if (taken != pages) {
        sim_frames_release_locked(m, u->frames, taken);
        release_user_pages_locked(m, u->first_page, pages);
        goto fail;
    }
    /* Refused, like a process out of address space, when the host mappings it needs would pass
     * the budget (sim_host.c). */
    u->host_charge = sim_runs(u->frames, pages) * SIM_HOST_MAPPINGS_PER_RUN;
    if (sim_machine_charge_locked(m, u->host_charge) != 0) {
        sim_frames_release_locked(m, u->frames, pages);
        release_user_pages_locked(m, u->first_page, pages);
        goto fail;
    }
    for (size_t i = 0; i < pages; i++) {
        m->frame_cache[u->frames[i]] = (int8_t)MmCached; /* process memory is cached memory */
    }
    va = m->userva + u->first_page * PAGE_SIZE;
    if (sim_map_frames(m, va, u->frames, pages, 1) != 0) {
        sim_machine_uncharge_locked(m, u->host_charge);
        sim_frames_release_locked(m, u->frames, pages);
        release_user_pages_locked(m, u->first_page, pages);
        va = NULL;
        goto fail;
    }
    u->next = m->user_buffers;
    m->user_buffers = u;
    m->user_buffer_count++;
    m->frames_user += pages;
    pthread_mutex_unlock(&m->lock);
    return va;

fail:
    free(u->frames);
    free(u);
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/* Frees the buffer at *link unless nothing may free it yet: 0, or -1 with the buffer kept. */
static int free_buffer_locked(resmap_sim_machine *m, struct sim_user_buffer **link)
{
    struct sim_user_buffer *u = *link;
    /* Locked by an MDL, or still shown by a system mapping (one made through a partial MDL can
     * outlive its source's lock): freed frames would be handed out while still in use. */
    for (size_t i = 0; i < u->pages; i++) {
        if (m->frame_locks[u->frames[i]] != 0) {
            return -1;
        }
    }
    if (sim_frames_first_mapped_locked(m, u->frames, u->pages) < u->pages) {
        return -1;
    }
    if (sim_unmap_to_reserved(m, m->userva + u->first_page * PAGE_SIZE, u->pages) != 0) {
        /* The host still maps the frames: they are not handed out again (the machine is stopped). */
        return -1;
    }
    *link = u->next;
    sim_machine_uncharge_locked(m, u->host_charge);
    release_user_pages_locked(m, u->first_page, u->pages);
    sim_frames_release_locked(m, u->frames, u->pages);
    m->frames_user -= u->pages;
    m->user_buffer_count--;
    free(u->frames);
    free(u);
    return 0;
}

RESMAP_SIM_API int resmap_sim_user_free(resmap_sim_machine *m, void *p)
{
    struct sim_user_buffer **link;
    int result;
    if (m == NULL || p == NULL) {
        return -1;
    }
    pthread_mutex_lock(&m->lock);
    for (link = &m->user_buffers; *link != NULL; link = &(*link)->next) {
        if ((void *)(m->userva + (*link)->first_page * PAGE_SIZE) == p) {
            break;
        }
    }
    result = *link != NULL ? free_buffer_locked(m, link) : -1;
    pthread_mutex_unlock(&m->lock);
    return result;
}

PFN_NUMBER sim_user_frame_locked(resmap_sim_machine *m, const void *va)
{
    return sim_user_frame_of_process_locked(m, va, 0);
}

PFN_NUMBER sim_user_frame_of_process_locked(resmap_sim_machine *m, const void *va, uint32_t process)
{
    uintptr_t a = (uintptr_t)va;
    uintptr_t base = (uintptr_t)m->userva;
    size_t page;
    if (a < base || a >= base + m->user_pages * PAGE_SIZE) {
        return SIM_NO_FRAME;
    }
    page = (a - base) / PAGE_SIZE;
    for (struct sim_user_buffer *u = m->user_buffers; u != NULL; u = u->next) {
        if (page >= u->first_page && page < u->first_page + u->pages) {
            /* Another process's address space does not have this address at all. */
            return process == 0 || u->process == process ? u->frames[page - u->first_page] : SIM_NO_FRAME;
        }
    }
    return SIM_NO_FRAME;
}

size_t sim_user_free_process_locked(resmap_sim_machine *m, uint32_t process)
{
    struct sim_user_buffer **link = &m->user_buffers;
    size_t left = 0;
    while (*link != NULL) {
        if ((*link)->process != process) {
            link = &(*link)->next;
        } else if (free_buffer_locked(m, link) != 0) {
            left++;
            link = &(*link)->next;
        }
    }
    return left;
}
