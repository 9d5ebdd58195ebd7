/*
 * sim_pool.c - the machine's pool: ExAllocatePool2, ExAllocatePoolWithTag, ExFreePoolWithTag,
 * ExFreePool, and the block records that also keep the machine's MDLs.
 *
 * A pool block's memory is in the frame-backed pool arena (sim_pool_arena.c); its record here is host
 * memory, so nothing the driver writes into its block can damage the bookkeeping.
 *
 * Every block is registered with its machine, so a free of an address the pool never handed out, a
 * second free, or a free with the wrong tag is recognised and raises the bugcheck the real kernel
 * raises (0xC2 BAD_POOL_CALLER, or 0xC4 when Driver Verifier is on), and destroying the machine
 * reclaims whatever the driver leaked.
 */
#include "sim_machine.h"

#include <stdlib.h>
#include <string.h>

/* The high bit of a tag marks "protected" pool; the tag check ignores it. */
#define PROTECTED_POOL_BIT 0x80000000u

/* No IRQL check on entry (sim_enter gets NULL): Verifier reports pool calls at a wrong IRQL with its
 * own pool codes (0x01/0x02 for allocations, 0x11/0x12 for frees), which the routines below raise. */

/* ExAllocatePoolWithTag does not zero; the simulator fills new blocks with this so that a driver
 * reading memory it never wrote sees garbage rather than lucky zeroes. */
#define UNINITIALIZED_FILL 0xA5

/* ------------------------------------------------------------------ the index of blocks by address */
/* Every free and every MDL check looks a block up by its exact address; an index keeps that one probe
 * or two whatever the number of live blocks. Linear probing, at most half full, deletion by moving
 * later entries of the same probe run back (so no tombstones). */
#define INDEX_FIRST_SIZE 64u

static size_t index_slot(const resmap_sim_machine *m, const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & (m->block_index_size - 1);
}

static void index_put(resmap_sim_machine *m, struct sim_block *b)
{
    size_t i = index_slot(m, b->data);
    while (m->block_index[i] != NULL) {
        i = (i + 1) & (m->block_index_size - 1);
    }
    m->block_index[i] = b;
    m->block_index_used++;
}

/* Room for one more block; -1 if the host has no memory for a larger index. */
static int index_reserve(resmap_sim_machine *m)
{
    struct sim_block **old = m->block_index;
    size_t old_size = m->block_index_size;
    size_t size;
    if ((m->block_index_used + 1) * 2 <= old_size) {
        return 0;
    }
    size = old_size == 0 ? INDEX_FIRST_SIZE : old_size * 2;
    m->block_index = calloc(size, sizeof(*m->block_index));
    if (m->block_index == NULL) {
        m->block_index = old;
        return -1;
    }
    m->block_index_size = size;
    m->block_index_used = 0;
    for (size_t i = 0; i < old_size; i++) {
        if (old[i] != NULL) {
            index_put(m, old[i]);
        }
    }
    free(old);
    return 0;
}

static size_t index_find(const resmap_sim_machine *m, const void *p)
{
    if (m->block_index_size == 0) {
        return (size_t)-1;
    }
    for (size_t i = index_slot(m, p); m->block_index[i] != NULL; i = (i + 1) & (m->block_index_size - 1)) {
        if ((const void *)m->block_index[i]->data == p) {
            return i;
        }
    }
    return (size_t)-1;
}

static void index_remove(resmap_sim_machine *m, size_t hole)
{
    size_t mask = m->block_index_size - 1;
    m->block_index[hole] = NULL;
    m->block_index_used--;
    for (size_t i = (hole + 1) & mask; m->block_index[i] != NULL; i = (i + 1) & mask) {
        size_t home = index_slot(m, m->block_index[i]->data);
        /* An entry may fill the hole if its home slot is not in the cyclic range (hole, i]. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            m->block_index[hole] = m->block_index[i];
            m->block_index[i] = NULL;
            hole = i;
        }
    }
}

static void index_destroy(resmap_sim_machine *m)
{
    free(m->block_index);
    m->block_index = NULL;
    m->block_index_size = 0;
    m->block_index_used = 0;
}

/* ------------------------------------------------------------------ blocks */
void *sim_block_alloc_locked(resmap_sim_machine *m, enum sim_block_kind kind, size_t bytes, ULONG tag,
                             int paged)
{
    struct sim_block *b;
    if (bytes > SIZE_MAX - sizeof(*b) || index_reserve(m) != 0) {
        return NULL;
    }
    /* Pool lives in the frame-backed arena; an MDL is the simulator's own bookkeeping as much as
     * pool, and stays in host memory right behind its header. */
    b = malloc(kind == SIM_BLOCK_POOL ? sizeof(*b) : sizeof(*b) + bytes);
    if (b == NULL) {
        return NULL;
    }
    memset(b, 0, sizeof(*b));
    b->data = kind == SIM_BLOCK_POOL ? sim_pool_take_locked(m, bytes, paged) : (void *)(b + 1);
    if (b->data == NULL) {
        free(b);
        return NULL;
    }
    b->kind = kind;
    b->tag = tag;
    b->paged = paged;
    b->bytes = bytes;
    b->number = m->next_block_number++;
    b->next = m->pool_head.next;
    b->prev = &m->pool_head;
    m->pool_head.next->prev = b;
    m->pool_head.next = b;
    index_put(m, b);
    if (kind == SIM_BLOCK_POOL) {
        m->pool_allocations++;
        m->pool_bytes += bytes;
    } else {
        m->mdl_count++;
    }
    return b->data;
}

struct sim_block *sim_block_find_locked(resmap_sim_machine *m, const void *p)
{
    size_t i = index_find(m, p);
    return i == (size_t)-1 ? NULL : m->block_index[i];
}

static int block_contains(const struct sim_block *b, const void *p)
{
    uintptr_t a = (uintptr_t)p, start = (uintptr_t)b->data;
    return a >= start && a < start + b->bytes;
}

struct sim_block *sim_block_containing_locked(resmap_sim_machine *m, const void *p)
{
    void *room = sim_pool_room_start_locked(m, p);
    if (room != NULL) {
        struct sim_block *b = sim_block_find_locked(m, room);
        return b != NULL && block_contains(b, p) ? b : NULL;
    }
    /* Not pool: one of the MDLs, which are few. */
    for (struct sim_block *b = m->pool_head.next; b != &m->pool_head; b = b->next) {
        if (b->kind != SIM_BLOCK_POOL && block_contains(b, p)) {
            return b;
        }
    }
    return NULL;
}

void sim_block_free_locked(resmap_sim_machine *m, struct sim_block *b)
{
    index_remove(m, index_find(m, b->data));
    b->prev->next = b->next;
    b->next->prev = b->prev;
    if (b->kind == SIM_BLOCK_POOL) {
        m->pool_allocations--;
        m->pool_bytes -= b->bytes;
        sim_pool_give_back_locked(m, b->data, b->bytes);
    } else {
        m->mdl_count--;
    }
    m->recent_frees[m->recent_free_next] = b->data;
    m->recent_free_next = (m->recent_free_next + 1) % SIM_RECENT_FREES;
    free(b);
}

void sim_block_free_all_locked(resmap_sim_machine *m)
{
    while (m->pool_head.next != &m->pool_head) {
        sim_block_free_locked(m, m->pool_head.next);
    }
    index_destroy(m);
}

static int freed_recently_locked(resmap_sim_machine *m, const void *p)
{
    for (unsigned i = 0; i < SIM_RECENT_FREES; i++) {
        if (m->recent_frees[i] == p) {
            return 1;
        }
    }
    return 0;
}

static PVOID allocate_pool(const char *name, int paged, ULONG pool_type, SIZE_T bytes, ULONG tag,
                           int zero)
{
    struct sim_call call;
    char tag_text[16];
    resmap_sim_machine *m = sim_enter(&call, name, NULL);
    PVOID p = NULL;
    KIRQL irql;
    if (m == NULL) {
        return NULL;
    }
    sim_format_tag(tag, tag_text, sizeof(tag_text));
    sim_call_args(&call, "%s, %llu, %s", paged ? "paged" : "nonpaged", (unsigned long long)bytes,
                  tag_text);
    irql = sim_irql(m);
    if (m->verifier && paged && irql > APC_LEVEL) {
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_PAGED_POOL_IRQL, irql,
                          pool_type, bytes);
    } else if (m->verifier && irql > DISPATCH_LEVEL) {
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_NONPAGED_POOL_IRQL, irql,
                          pool_type, bytes);
    } else if (m->verifier && bytes == 0) {
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_ZERO_BYTE_POOL, irql,
                          pool_type, 0);
    } else if (!sim_fault_locked(m, RESMAP_SIM_FAULT_POOL) &&
               bytes <= m->config.pool_bytes - m->pool_bytes) {
        p = sim_block_alloc_locked(m, SIM_BLOCK_POOL, bytes, tag, paged);
        if (p != NULL) {
            memset(p, zero ? 0 : UNINITIALIZED_FILL, bytes);
        }
    }
    if (p != NULL) {
        char where[48];
        sim_format_address_locked(m, p, where, sizeof(where));
        sim_call_result(&call, "%s", where);
    } else {
        sim_call_result(&call, "NULL");
    }
    sim_leave(&call);
    return p;
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    const POOL_FLAGS known = POOL_FLAG_UNINITIALIZED | POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED;
    int paged = (Flags & POOL_FLAG_PAGED) != 0;
    /* Exactly one pool type, and no flag the simulator does not know: otherwise NULL. */
    if ((Flags & ~known) != 0 || paged == ((Flags & POOL_FLAG_NON_PAGED) != 0)) {
        struct sim_call call;
        if (sim_enter(&call, "ExAllocatePool2", NULL) != NULL) {
            sim_call_args(&call, "flags 0x%llX, %llu", (unsigned long long)Flags,
                          (unsigned long long)NumberOfBytes);
            sim_call_result(&call, "NULL");
            sim_leave(&call);
        }
        return NULL;
    }
    return allocate_pool("ExAllocatePool2", paged, paged ? PagedPool : NonPagedPoolNx, NumberOfBytes,
                         Tag, (Flags & POOL_FLAG_UNINITIALIZED) == 0);
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return allocate_pool("ExAllocatePoolWithTag", (PoolType & 1) != 0, (ULONG)PoolType,
                         NumberOfBytes, Tag, 0);
}

static void free_pool(const char *name, PVOID P, int check_tag, ULONG Tag)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, name, NULL);
    struct sim_block *b;
    char where[48];
    KIRQL irql;
    if (m == NULL) {
        return;
    }
    b = P == NULL ? NULL : sim_block_find_locked(m, P);
    if (b != NULL && b->kind != SIM_BLOCK_POOL) {
        sim_format_mdl_locked(m, P, where, sizeof(where));
    } else {
        sim_format_address_locked(m, P, where, sizeof(where));
    }
    if (check_tag) {
        char tag_text[16];
        sim_format_tag(Tag, tag_text, sizeof(tag_text));
        sim_call_args(&call, "%s, %s", where, tag_text);
    } else {
        sim_call_args(&call, "%s", where);
    }
    irql = sim_irql(m);
    if (b == NULL) {
        if (P != NULL && freed_recently_locked(m, P)) {
            if (m->verifier) {
                sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_FREE_TWICE, 0,
                                  (ULONG_PTR)P, 0);
            } else {
                sim_call_bugcheck(&call, BAD_POOL_CALLER, BAD_POOL_FREE_TWICE, 0, 0, (ULONG_PTR)P);
            }
        } else if (m->verifier) {
            sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_FREE_BAD_ADDRESS,
                              (ULONG_PTR)P, 0, 0);
        } else {
            sim_call_bugcheck(&call, BAD_POOL_CALLER, BAD_POOL_BAD_ADDRESS, (ULONG_PTR)P, 0, 0);
        }
    } else if (m->verifier && b->paged && irql > APC_LEVEL) {
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_FREE_PAGED_IRQL, irql,
                          PagedPool, (ULONG_PTR)P);
    } else if (m->verifier && irql > DISPATCH_LEVEL) {
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_FREE_NONPAGED_IRQL, irql,
                          NonPagedPool, (ULONG_PTR)P);
    } else if (check_tag && Tag != 0 && (b->tag & ~PROTECTED_POOL_BIT) != (Tag & ~PROTECTED_POOL_BIT)) {
        /* Tag 0 checks nothing [R]; the MmMdl kmtest frees MmAllocatePagesForMdl MDLs so on Windows [K]. */
        sim_call_bugcheck(&call, BAD_POOL_CALLER, BAD_POOL_WRONG_TAG, (ULONG_PTR)P, b->tag, Tag);
    } else {
        sim_block_free_locked(m, b);
    }
    sim_leave(&call);
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    free_pool("ExFreePoolWithTag", P, 1, Tag);
}

VOID ExFreePool(PVOID P)
{
    free_pool("ExFreePool", P, 0, 0);
}
