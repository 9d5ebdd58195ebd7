/*
 * sim_pool_arena.c - the pages pool blocks live in: frames of simulated physical memory, mapped once
 * at one address for the machine's life, so that pool has frames behind it as it has on Windows and
 * MmProbeAndLockPages(KernelMode) or MmBuildMdlForNonPagedPool can describe it with an MDL.
 *
 * The arena's frames follow the machine's memory in the memfd (frames [frames_total, frames_all)),
 * so they never count as the machine's memory, are never handed out by MmAllocatePagesForMdl and
 * keep the counters and frame numbers users see unchanged. The arena is one host mapping.
 *
 * Placement follows ExAllocatePoolWithTag's page [D]: a block of PAGE_SIZE or more starts on a page
 * boundary; a smaller one is 16-byte aligned and never crosses a page boundary. Small blocks are kept
 * in slabs (a page of equal slots, one slab list per slot size and pool type), large ones take runs of
 * pages by first fit, so the cost of a take or a give back does not grow with the live blocks.
 *
 * Under AddressSanitizer every byte of the arena that no block owns is poisoned, so an overrun into
 * a neighbour or a use after free is reported as it would be for the host's own heap.
 */
#define _GNU_SOURCE
#include "sim_machine.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define SIM_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_POOL_ASAN 1
#endif
#endif

#ifdef SIM_POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define SLOT_ALIGN 16u

/* Twice the limit, since slabs and page-rounded large blocks leave room unused, and a few pages so
 * that the smallest limits still get a slab of each kind. */
size_t sim_pool_arena_pages(size_t pool_bytes)
{
    return 2 * SIM_PAGES(pool_bytes) + 8;
}

int sim_pool_arena_init(resmap_sim_machine *m)
{
    size_t pages = m->pool_pages;
    void *va;
    if (sim_machine_charge_locked(m, 1) != 0) {
        return -1;
    }
    va = mmap(NULL, pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, m->memfd,
              (off_t)(m->frames_total * PAGE_SIZE));
    if (va == MAP_FAILED) {
        sim_machine_uncharge_locked(m, 1);
        return -1;
    }
    m->pool_va = va;
    m->pool_page = calloc(pages, sizeof(*m->pool_page));
    if (m->pool_page == NULL) {
        return -1;
    }
    POISON(va, pages * PAGE_SIZE);
    return 0;
}

void sim_pool_arena_destroy(resmap_sim_machine *m)
{
    if (m->pool_va != NULL) {
        /* The host may reuse the range for memory of its own: it must not inherit the poison. */
        UNPOISON(m->pool_va, m->pool_pages * PAGE_SIZE);
        sim_arena_release(m, m->pool_va, m->pool_pages);
        m->pool_va = NULL;
    }
    free(m->pool_page);
    m->pool_page = NULL;
}

/* ------------------------------------------------------------------ runs of pages */
static size_t take_pages_locked(resmap_sim_machine *m, size_t count)
{
    size_t i = m->pool_lowest_free;
    while (i < m->pool_pages && count <= m->pool_pages - i) {
        size_t run = 0;
        while (run < count && m->pool_page[i + run].state == SIM_POOL_PAGE_FREE) {
            run++;
        }
        if (run == count) {
            if (i == m->pool_lowest_free) {
                size_t next = i + count;
                while (next < m->pool_pages && m->pool_page[next].state != SIM_POOL_PAGE_FREE) {
                    next++;
                }
                m->pool_lowest_free = next;
            }
            return i;
        }
        i += run + 1;
        while (i < m->pool_pages && m->pool_page[i].state != SIM_POOL_PAGE_FREE) {
            i++;
        }
    }
    return (size_t)-1;
}

static void give_back_pages_locked(resmap_sim_machine *m, size_t first, size_t count)
{
    memset(m->pool_page + first, 0, count * sizeof(*m->pool_page));
    if (first < m->pool_lowest_free) {
        m->pool_lowest_free = first;
    }
}

/* ------------------------------------------------------------------ slabs */
/* Slots of 16, 32, ... PAGE_SIZE bytes: classes 0 to SIM_POOL_CLASSES - 1. */
static uint32_t *slab_list(resmap_sim_machine *m, int paged, size_t slot_bytes)
{
    return &m->pool_slabs[paged != 0][slot_bytes / SLOT_ALIGN - 1];
}

static void slab_link(resmap_sim_machine *m, size_t page)
{
    struct sim_pool_page *s = &m->pool_page[page];
    uint32_t *head = slab_list(m, s->paged, s->slot_bytes);
    s->prev = 0;
    s->next = *head;
    if (*head != 0) {
        m->pool_page[*head - 1].prev = (uint32_t)page + 1;
    }
    *head = (uint32_t)page + 1;
}

static void slab_unlink(resmap_sim_machine *m, size_t page)
{
    struct sim_pool_page *s = &m->pool_page[page];
    uint32_t *head = slab_list(m, s->paged, s->slot_bytes);
    if (s->prev != 0) {
        m->pool_page[s->prev - 1].next = s->next;
    } else {
        *head = s->next;
    }
    if (s->next != 0) {
        m->pool_page[s->next - 1].prev = s->prev;
    }
    s->next = s->prev = 0;
}

static size_t slab_new_locked(resmap_sim_machine *m, size_t slot_bytes, int paged)
{
    size_t page = take_pages_locked(m, 1);
    struct sim_pool_page *s;
    if (page == (size_t)-1) {
        return page;
    }
    s = &m->pool_page[page];
    s->state = SIM_POOL_PAGE_SLAB;
    s->paged = (uint8_t)(paged != 0);
    s->slot_bytes = (uint16_t)slot_bytes;
    s->slots = s->free_slots = (uint16_t)(PAGE_SIZE / slot_bytes);
    slab_link(m, page);
    return page;
}

static void *slab_take_locked(resmap_sim_machine *m, size_t bytes, int paged)
{
    size_t slot_bytes = (bytes + SLOT_ALIGN - 1) & ~(size_t)(SLOT_ALIGN - 1);
    uint32_t head;
    size_t page, slot = 0;
    struct sim_pool_page *s;
    if (slot_bytes == 0) {
        slot_bytes = SLOT_ALIGN; /* a 0-byte block (Verifier off) still has an address of its own */
    }
    head = *slab_list(m, paged, slot_bytes);
    page = head != 0 ? head - 1 : slab_new_locked(m, slot_bytes, paged);
    if (page == (size_t)-1) {
        return NULL;
    }
    s = &m->pool_page[page];
    for (size_t w = 0; w < 4; w++) {
        if (~s->used[w] != 0) {
            slot = w * 64 + (size_t)__builtin_ctzll(~s->used[w]);
            break;
        }
    }
    s->used[slot / 64] |= 1ull << (slot % 64);
    if (--s->free_slots == 0) {
        slab_unlink(m, page);
    }
    return m->pool_va + page * PAGE_SIZE + slot * s->slot_bytes;
}

static void slab_give_back_locked(resmap_sim_machine *m, size_t page, size_t offset)
{
    struct sim_pool_page *s = &m->pool_page[page];
    size_t slot = offset / s->slot_bytes;
    s->used[slot / 64] &= ~(1ull << (slot % 64));
    if (s->free_slots++ == 0) {
        slab_link(m, page);
    }
    if (s->free_slots == s->slots) {
        slab_unlink(m, page);
        give_back_pages_locked(m, page, 1);
    }
}

/* ------------------------------------------------------------------ blocks */
void *sim_pool_take_locked(resmap_sim_machine *m, size_t bytes, int paged)
{
    void *p;
    if (bytes < PAGE_SIZE) {
        p = slab_take_locked(m, bytes, paged);
    } else {
        size_t pages = SIM_PAGES(bytes), first;
        if (pages > m->pool_pages || (first = take_pages_locked(m, pages)) == (size_t)-1) {
            return NULL;
        }
        for (size_t i = 0; i < pages; i++) {
            struct sim_pool_page *page = &m->pool_page[first + i];
            page->state = i == 0 ? SIM_POOL_PAGE_LARGE_FIRST : SIM_POOL_PAGE_LARGE_REST;
            page->paged = (uint8_t)(paged != 0);
            page->first = (uint32_t)first;
        }
        m->pool_page[first].pages = (uint32_t)pages;
        p = m->pool_va + first * PAGE_SIZE;
    }
    if (p != NULL) {
        UNPOISON(p, bytes);
    }
    return p;
}

void sim_pool_give_back_locked(resmap_sim_machine *m, void *p, size_t bytes)
{
    size_t offset = (size_t)((uint8_t *)p - m->pool_va);
    size_t page = offset / PAGE_SIZE;
    POISON(p, bytes);
    if (m->pool_page[page].state == SIM_POOL_PAGE_SLAB) {
        slab_give_back_locked(m, page, offset % PAGE_SIZE);
    } else {
        give_back_pages_locked(m, page, m->pool_page[page].pages);
    }
}

/* ------------------------------------------------------------------ what the memory manager asks */
static size_t arena_page_of(const resmap_sim_machine *m, const void *va)
{
    uintptr_t a = (uintptr_t)va, base = (uintptr_t)m->pool_va;
    if (m->pool_va == NULL || a < base || a >= base + m->pool_pages * PAGE_SIZE) {
        return (size_t)-1;
    }
    return (a - base) / PAGE_SIZE;
}

PFN_NUMBER sim_pool_frame_locked(const resmap_sim_machine *m, const void *va, int *paged)
{
    size_t page = arena_page_of(m, va);
    if (page == (size_t)-1 || m->pool_page[page].state == SIM_POOL_PAGE_FREE) {
        return SIM_NO_FRAME;
    }
    if (paged != NULL) {
        *paged = m->pool_page[page].paged;
    }
    return m->frames_total + page;
}

int sim_pool_frame_is_pool(const resmap_sim_machine *m, PFN_NUMBER pfn)
{
    return pfn >= m->frames_total && pfn < m->frames_all;
}

int sim_pool_frame_nonpaged_locked(const resmap_sim_machine *m, PFN_NUMBER pfn)
{
    /* A free arena page is nonpaged memory that no block holds: resident all the same. */
    return sim_pool_frame_is_pool(m, pfn) && !m->pool_page[pfn - m->frames_total].paged;
}

void *sim_pool_room_start_locked(const resmap_sim_machine *m, const void *va)
{
    size_t page = arena_page_of(m, va);
    const struct sim_pool_page *s;
    if (page == (size_t)-1) {
        return NULL;
    }
    s = &m->pool_page[page];
    switch (s->state) {
    case SIM_POOL_PAGE_SLAB: {
        size_t offset = ((uintptr_t)va - (uintptr_t)m->pool_va) % PAGE_SIZE;
        return m->pool_va + page * PAGE_SIZE + offset / s->slot_bytes * s->slot_bytes;
    }
    case SIM_POOL_PAGE_LARGE_FIRST:
    case SIM_POOL_PAGE_LARGE_REST:
        return m->pool_va + (size_t)s->first * PAGE_SIZE;
    default:
        return NULL;
    }
}
