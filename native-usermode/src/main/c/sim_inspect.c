/*
 * sim_inspect.c - read-only views of a machine for tools that draw it: what each system PTE holds,
 * which MDL or user buffer holds each frame, and a value written the way the trace writes it.
 * Nothing here changes the machine, so a dead (bugchecked) machine can still be shown as it stopped.
 */
#include "sim_machine.h"

#include <stdio.h>
#include <string.h>

/* The public constants are the internal enums' values, so views copy them unchanged. */
_Static_assert(RESMAP_SIM_PTE_FREE == SIM_PTE_FREE && RESMAP_SIM_PTE_HEADER == SIM_PTE_HEADER &&
               RESMAP_SIM_PTE_RESERVED == SIM_PTE_RESERVED && RESMAP_SIM_PTE_ORDINARY == SIM_PTE_ORDINARY,
               "PTE kinds");
_Static_assert(RESMAP_SIM_FRAME_FREE == SIM_FRAME_FREE && RESMAP_SIM_FRAME_ALLOCATED == SIM_FRAME_ALLOCATED &&
               RESMAP_SIM_FRAME_USER == SIM_FRAME_USER, "frame uses");

static void visit_runs(const struct sim_runs *runs, void (*visit)(void *, size_t, PFN_NUMBER), void *arg)
{
    for (size_t k = 0; k < runs->count; k++) {
        for (size_t p = 0; p < runs->run[k].pages; p++) {
            visit(arg, runs->run[k].pte + p, runs->run[k].frame + p);
        }
    }
}

/* Calls visit(arg, pte, frame) for every filled PTE of every reservation and ordinary mapping: the
 * filled PTEs are kept as runs, so this costs what is mapped, not what the arena holds. */
static void for_each_filled_pte_locked(resmap_sim_machine *m, void (*visit)(void *, size_t, PFN_NUMBER),
                                       void *arg)
{
    for (const struct sim_reservation *r = m->reservations; r != NULL; r = r->next) {
        visit_runs(&r->mapped, visit, arg);
    }
    for (const struct sim_ordinary_mapping *o = m->ordinary; o != NULL; o = o->next) {
        visit_runs(&o->mapped, visit, arg);
    }
}

struct pte_window {
    uint64_t first;
    size_t count;
    resmap_sim_pte_view *out;
};

static void fill_pte_frame(void *arg, size_t pte, PFN_NUMBER frame)
{
    struct pte_window *w = arg;
    if (pte >= w->first && pte - w->first < w->count) {
        w->out[pte - w->first].frame = frame;
    }
}

RESMAP_SIM_API size_t resmap_sim_view_ptes(resmap_sim_machine *m, uint64_t first, resmap_sim_pte_view *out,
                                           size_t count)
{
    size_t filled = 0;
    if (m == NULL || out == NULL) {
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    for (uint64_t i = first; i < m->ptes_total && filled < count; i++, filled++) {
        resmap_sim_pte_view *v = &out[filled];
        const struct sim_reservation *r = m->pte_reservation[i];
        const struct sim_ordinary_mapping *o;
        memset(v, 0, sizeof(*v));
        v->kind = m->pte_kind[i];
        v->frame = UINT64_MAX;
        if (r != NULL && (v->kind == SIM_PTE_HEADER || v->kind == SIM_PTE_RESERVED)) {
            v->tag = r->tag;
            v->owner = r->first_pte;
            v->divisible = r->divisible != 0;
        } else if ((o = sim_ordinary_of_pte_locked(m, i)) != NULL) {
            v->owner = o->first_pte;
        }
    }
    struct pte_window window = { first, filled, out };
    for_each_filled_pte_locked(m, fill_pte_frame, &window);
    pthread_mutex_unlock(&m->lock);
    return filled;
}

struct frame_window {
    uint64_t first;
    size_t count;
    resmap_sim_frame_view *out;
};

static void count_frame_map(void *arg, size_t pte, PFN_NUMBER frame)
{
    struct frame_window *w = arg;
    (void)pte;
    if (frame >= w->first && frame - w->first < w->count) {
        w->out[frame - w->first].maps++;
    }
}

/* Fills the owner of each frame in [first, first + count) from the MDLs and user buffers that hold
 * frames: one pass over each, instead of a search per frame. */
static void fill_frame_owners_locked(resmap_sim_machine *m, uint64_t first, resmap_sim_frame_view *out,
                                     size_t count)
{
    for (struct sim_block *b = m->pool_head.next; b != &m->pool_head; b = b->next) {
        if (b->kind != SIM_BLOCK_PAGES_MDL || !b->holds_frames) {
            continue;
        }
        const MDL *mdl = (const MDL *)b->data;
        const PFN_NUMBER *frames = MmGetMdlPfnArray(mdl);
        for (size_t page = 0; page < mdl->ByteCount / PAGE_SIZE; page++) {
            if (frames[page] >= first && frames[page] - first < count) {
                out[frames[page] - first].mdl = b->number;
                out[frames[page] - first].page = page;
            }
        }
    }
    for (const struct sim_user_buffer *u = m->user_buffers; u != NULL; u = u->next) {
        for (size_t page = 0; page < u->pages; page++) {
            if (u->frames[page] >= first && u->frames[page] - first < count) {
                out[u->frames[page] - first].page = u->first_page + page;
            }
        }
    }
}

RESMAP_SIM_API size_t resmap_sim_view_frames(resmap_sim_machine *m, uint64_t first,
                                             resmap_sim_frame_view *out, size_t count)
{
    size_t filled = 0;
    if (m == NULL || out == NULL) {
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    for (uint64_t i = first; i < m->frames_total && filled < count; i++, filled++) {
        memset(&out[filled], 0, sizeof(out[filled]));
        out[filled].use = m->frame_use[i];
        out[filled].locks = m->frame_locks[i];
    }
    fill_frame_owners_locked(m, first, out, filled);
    struct frame_window window = { first, filled, out };
    for_each_filled_pte_locked(m, count_frame_map, &window);
    pthread_mutex_unlock(&m->lock);
    return filled;
}

RESMAP_SIM_API size_t resmap_sim_describe(resmap_sim_machine *m, uint64_t value, char *buf, size_t len)
{
    if (m == NULL || buf == NULL || len == 0) {
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    /* The trace's formatters write nothing while the machine is not tracing (so that untraced calls
     * cost nothing); a description is asked for on purpose, so they are told to write it. */
    int tracing = m->tracing;
    m->tracing = 1;
    sim_format_param_locked(m, (ULONG_PTR)value, buf, len);
    m->tracing = tracing;
    pthread_mutex_unlock(&m->lock);
    return strlen(buf);
}
