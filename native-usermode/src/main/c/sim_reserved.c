/*
 * sim_reserved.c - the reserved-mapping family: MmAllocateMappingAddress(Ex),
 * MmMapLockedPagesWithReservedMapping, MmUnmapReservedMapping, MmFreeMappingAddress.
 *
 * A reservation takes its pages plus two header PTEs in front of them from the system PTE pool; the
 * caller gets the address after the headers. How a later call finds the reservation from an address
 * depends on the build (contract-facts.md):
 *   - Windows 10 and later [X]: the reservation containing the address, whatever page it falls in;
 *     all 32 tag bits compared; a non-divisible reservation maps and unmaps at its start; an address
 *     inside no reservation is 0xDA/0x106.
 *   - header-based builds (before Windows 10) [R][K]: the two PTEs in front of the page the address
 *     falls in are read as the size and tag headers; bit 0 of the tag is ignored; an address in a later
 *     page therefore reads an ordinary PTE as the tag and is refused as a wrong owner.
 * Codes: where the documentation names a code it is used [D], otherwise the reported one [X].
 */
#include "sim_machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUILD_WINDOWS_8 9200u
#define HEADER_PTES 2u
#define NO_PTE ((size_t)-1)

/* MmFreeMappingAddress / Map / Unmap as parameter 4 of 0xDA/0x106 [X]. */
enum lookup_purpose { FOR_FREE = 0, FOR_MAP = 1, FOR_UNMAP = 2 };

struct lookup {
    struct sim_reservation *reservation;   /* NULL: refused, see code/p4 */
    size_t start;                           /* first PTE a map or unmap covers */
    size_t available;                       /* PTEs from start to the end of the reservation */
    int unaligned_divisible;                /* an inner address of a divisible range, not page-aligned */
    ULONG code;                             /* bugcheck parameter 1 when refused */
    ULONG_PTR owner;                        /* parameter 4 when refused */
};

static int header_based(const resmap_sim_machine *m)
{
    return m->config.windows_build < RESMAP_SIM_BUILD_WIN10_1507;
}

/* What a header-based kernel reads when it takes PTE i for a header. */
static ULONG_PTR header_value_locked(resmap_sim_machine *m, size_t i)
{
    PFN_NUMBER frame;
    if (m->pte_kind[i] == SIM_PTE_HEADER) {
        const struct sim_reservation *r = m->pte_reservation[i];
        return i + 1 == r->first_pte ? (ULONG_PTR)(r->tag & ~1u) : (ULONG_PTR)r->pages;
    }
    frame = sim_pte_frame_locked(m, i, NULL);
    if (frame != SIM_NO_FRAME) {
        return (ULONG_PTR)(frame << PAGE_SHIFT) | 0x3; /* valid | writable */
    }
    return 0;
}

static void find_by_header_locked(resmap_sim_machine *m, const void *va, ULONG tag,
                                  enum lookup_purpose purpose, struct lookup *out)
{
    static const ULONG invalid[] = { PTE_MISUSE_FREE_EMPTY, PTE_MISUSE_MAP_INVALID_RANGE,
                                     PTE_MISUSE_UNMAP_EMPTY };
    static const ULONG wrong_owner[] = { PTE_MISUSE_FREE_WRONG_OWNER, PTE_MISUSE_MAP_WRONG_OWNER,
                                         PTE_MISUSE_UNMAP_WRONG_OWNER };
    size_t i = sim_pte_index(m, va);
    ULONG_PTR read_tag;
    if (i == NO_PTE || i < HEADER_PTES) {
        out->code = invalid[purpose];
        return;
    }
    read_tag = header_value_locked(m, i - 1);
    if ((read_tag & ~(ULONG_PTR)1) != (ULONG_PTR)(tag & ~1u)) {
        out->code = wrong_owner[purpose];
        out->owner = read_tag;
        return;
    }
    if (m->pte_kind[i - 1] != SIM_PTE_HEADER) {
        out->code = invalid[purpose];
        return;
    }
    out->reservation = m->pte_reservation[i - 1];
    out->start = i;
    out->available = out->reservation->pages;
}

static void find_in_tree_locked(resmap_sim_machine *m, const void *va, ULONG tag,
                                enum lookup_purpose purpose, struct lookup *out)
{
    static const ULONG wrong_owner[] = { PTE_MISUSE_FREE_WRONG_OWNER, PTE_MISUSE_MAP_WRONG_OWNER,
                                         PTE_MISUSE_UNMAP_WRONG_OWNER };
    size_t i = sim_pte_index(m, va);
    struct sim_reservation *r;
    if (i == NO_PTE || m->pte_kind[i] != SIM_PTE_RESERVED) {
        out->code = PTE_MISUSE_NOT_A_RESERVATION;
        out->owner = purpose;
        return;
    }
    r = m->pte_reservation[i];
    if (r->tag != tag) {
        out->code = wrong_owner[purpose];
        out->owner = r->tag;
        return;
    }
    out->reservation = r;
    out->unaligned_divisible = r->divisible && BYTE_OFFSET(va) != 0;
    out->start = r->divisible ? i : r->first_pte;
    out->available = r->first_pte + r->pages - out->start;
}

static void find_reservation_locked(resmap_sim_machine *m, const void *va, ULONG tag,
                                    enum lookup_purpose purpose, struct lookup *out)
{
    out->reservation = NULL;
    out->unaligned_divisible = 0;
    out->code = 0;
    out->owner = 0;
    if (header_based(m)) {
        find_by_header_locked(m, va, tag, purpose, out);
    } else {
        find_in_tree_locked(m, va, tag, purpose, out);
    }
}

/* The first of PTEs [first, first + count) that the runs fill (only asked on the way to a bugcheck). */
static size_t first_mapped_locked(const struct sim_runs *runs, size_t first, size_t count)
{
    size_t i = first;
    while (i < first + count && sim_runs_pages_in(runs, i, 1) == 0) {
        i++;
    }
    return i;
}

/* ------------------------------------------------------------------ allocate */
static PVOID allocate_mapping_address(struct sim_call *call, SIZE_T bytes, ULONG tag, int divisible)
{
    resmap_sim_machine *m = call->m;
    /* The page count is taken in full 64 bits, so no size wraps into a small reservation: a size
     * too large for the system PTEs fails with NULL. Only 0 bytes asks for 0 pages: 0xDA/0x100 with
     * P2 the pages asked (0), P3 the tag, P4 the caller's caller (no such address here: 0) [D]. */
    size_t pages = SIM_PAGES(bytes);
    struct sim_reservation *r;
    size_t first;
    if (pages == 0) {
        sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, PTE_MISUSE_ZERO_PAGES, 0, tag, 0);
        return NULL;
    }
    if (tag == 0) {
        return NULL; /* [K] */
    }
    if (sim_fault_locked(m, RESMAP_SIM_FAULT_RESERVATION)) {
        return NULL;
    }
    if (pages > m->ptes_total) {
        return NULL;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    /* A reserved map must not fail for want of resources (the reservation holds them), so the host
     * mappings its mappings could ever need - a run per page at worst - are charged here, and the
     * reservation is refused (NULL, as when system PTEs are short) if the budget lacks them. */
    r->host_charge = (uint64_t)pages * SIM_HOST_MAPPINGS_PER_RUN;
    if (sim_machine_charge_locked(m, r->host_charge) != 0) {
        free(r);
        return NULL;
    }
    first = sim_ptes_take_locked(m, pages + HEADER_PTES, SIM_PTE_RESERVED);
    if (first == NO_PTE) {
        sim_machine_uncharge_locked(m, r->host_charge);
        free(r);
        return NULL;
    }
    r->first_pte = first + HEADER_PTES;
    r->pages = pages;
    r->tag = tag;
    r->divisible = divisible;
    r->next = m->reservations;
    m->reservations = r;
    m->pte_kind[first] = SIM_PTE_HEADER;
    m->pte_kind[first + 1] = SIM_PTE_HEADER;
    for (size_t i = first; i < r->first_pte + pages; i++) {
        m->pte_reservation[i] = r;
    }
    m->reservation_count++;
    m->reserved_pages += pages;
    return sim_pte_address(m, r->first_pte);
}

/* The lookup of a map, unmap or free, once no host call is in flight on the reservation it finds: a
 * second call on a busy reservation waits for the first (its host view is only then what its
 * bookkeeping says) and then looks again, since the reservation may be gone by then. */
static void find_idle_reservation_locked(resmap_sim_machine *m, PVOID address, ULONG tag,
                                         enum lookup_purpose purpose, struct lookup *found)
{
    for (;;) {
        find_reservation_locked(m, address, tag, purpose, found);
        if (found->reservation == NULL || !found->reservation->busy) {
            return;
        }
        sim_wait_idle_locked(m);
    }
}

static PVOID finish_allocation(struct sim_call *call, PVOID base)
{
    char where[48];
    sim_format_address_locked(call->m, base, where, sizeof(where));
    sim_call_result(call, "%s", where);
    sim_leave(call);
    return base;
}

PVOID MmAllocateMappingAddress(SIZE_T NumberOfBytes, ULONG PoolTag)
{
    struct sim_call call;
    char tag[16];
    if (sim_enter(&call, "MmAllocateMappingAddress",
                  SIM_KERNEL_IRQL_FAULT(APC_LEVEL, MmAllocateMappingAddress)) == NULL) {
        return NULL;
    }
    sim_format_tag(PoolTag, tag, sizeof(tag));
    sim_call_args(&call, "%llu, %s", (unsigned long long)NumberOfBytes, tag);
    return finish_allocation(&call, allocate_mapping_address(&call, NumberOfBytes, PoolTag, 0));
}

PVOID MmAllocateMappingAddressEx(SIZE_T NumberOfBytes, ULONG PoolTag, ULONG Flags)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmAllocateMappingAddressEx",
                                      SIM_KERNEL_IRQL_FAULT(APC_LEVEL, MmAllocateMappingAddressEx));
    char tag[16];
    if (m == NULL) {
        return NULL;
    }
    sim_format_tag(PoolTag, tag, sizeof(tag));
    sim_call_args(&call, "%llu, %s, 0x%X", (unsigned long long)NumberOfBytes, tag, Flags);
    /* Before Windows 10 2004 the kernel has no such export; a driver that resolves it through
     * MmGetSystemRoutineAddress gets NULL and never calls it. */
    if (m->config.windows_build < RESMAP_SIM_BUILD_WIN10_2004 ||
        (Flags & ~(ULONG)MM_MAPPING_ADDRESS_DIVISIBLE) != 0) {
        return finish_allocation(&call, NULL);
    }
    return finish_allocation(&call, allocate_mapping_address(&call, NumberOfBytes, PoolTag,
                                                             (Flags & MM_MAPPING_ADDRESS_DIVISIBLE) != 0));
}

/* ------------------------------------------------------------------ map */
static PVOID map_reserved_locked(struct sim_call *call, PVOID address, ULONG tag, PMDL mdl,
                                 MEMORY_CACHING_TYPE cache)
{
    resmap_sim_machine *m = call->m;
    struct lookup found;
    size_t pages;
    size_t runs;
    size_t already, checked;

    find_idle_reservation_locked(m, address, tag, FOR_MAP, &found);
    if (found.reservation == NULL) {
        sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, found.code, (ULONG_PTR)address, tag, found.owner);
        return NULL;
    }
    if (mdl == NULL) {
        sim_call_bugcheck(call, PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0);
        return NULL;
    }
    if (mdl->ByteCount == 0 || (int)cache < 0 || cache >= MmMaximumCacheType ||
        found.unaligned_divisible) {
        /* [R][X]; a divisible range maps only at a page-aligned address [X]. */
        return NULL;
    }
    pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
    if (sim_mdl_check_mappable_locked(call, mdl, pages, 0) != 0) {
        return NULL;
    }
    if (pages > found.available) {
        return NULL; /* [D][K][R] */
    }
    if (sim_mdl_check_frames_locked(call, mdl, pages, &runs) != 0) {
        return NULL;
    }
    /* A non-divisible range must be wholly unmapped, a divisible one where the MDL goes [X]. */
    checked = found.reservation->divisible ? pages : found.reservation->pages;
    if (sim_runs_pages_in(&found.reservation->mapped, found.start, checked) != 0) {
        already = first_mapped_locked(&found.reservation->mapped, found.start, checked);
        /* [D] 0x107: P2 the range's first address, P3 the address of the page already mapped, P4 the
         * range's end (one past its last page, as reverse engineering shows [X]). */
        sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, PTE_MISUSE_MAP_ALREADY_MAPPED,
                          (ULONG_PTR)sim_pte_address(m, found.start),
                          (ULONG_PTR)sim_pte_address(m, already),
                          (ULONG_PTR)sim_pte_address(m, found.start + checked));
        return NULL;
    }
    /* The reserved map call has no way to ask for a read-only mapping: its PTEs are writable. The
     * counter moves with the runs, which are recorded before the host call. */
    m->reserved_mapped_pages += pages;
    if (sim_ptes_map_locked(m, &found.reservation->mapped, found.start, runs, cache, 1,
                            &found.reservation->busy) != 0) {
        m->reserved_mapped_pages -= pages;
        return NULL;
    }
    sim_mdl_mark_mapped(mdl);
    /* [D] the MDL's MappedSystemVa does not include the byte offset; the returned address does. */
    if (m->config.windows_build < BUILD_WINDOWS_8) {
        /* [K] before Windows 8 the caller's address came back as given. */
        mdl->MappedSystemVa = address;
    } else {
        mdl->MappedSystemVa = sim_pte_address(m, found.start);
    }
    return (PUCHAR)mdl->MappedSystemVa + mdl->ByteOffset;
}

PVOID MmMapLockedPagesWithReservedMapping(PVOID MappingAddress, ULONG PoolTag,
                                          PMDL MemoryDescriptorList, MEMORY_CACHING_TYPE CacheType)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmMapLockedPagesWithReservedMapping",
                                      SIM_KERNEL_IRQL_FAULT(DISPATCH_LEVEL,
                                                            MmMapLockedPagesWithReservedMapping));
    char where[48], mdl[48], tag[16], result[48];
    PVOID va;
    if (m == NULL) {
        return NULL;
    }
    sim_format_address_locked(m, MappingAddress, where, sizeof(where));
    sim_format_mdl_locked(m, MemoryDescriptorList, mdl, sizeof(mdl));
    sim_format_tag(PoolTag, tag, sizeof(tag));
    sim_call_args(&call, "%s, %s, %s, %s", where, tag, mdl, sim_cache_name(CacheType));
    va = map_reserved_locked(&call, MappingAddress, PoolTag, MemoryDescriptorList, CacheType);
    sim_format_address_locked(m, va, result, sizeof(result));
    sim_call_result(&call, "%s", result);
    sim_leave(&call);
    return va;
}

/* ------------------------------------------------------------------ unmap */
static void unmap_reserved_locked(struct sim_call *call, PVOID address, ULONG tag, PMDL mdl)
{
    resmap_sim_machine *m = call->m;
    struct lookup found;
    size_t pages, mapped;

    find_idle_reservation_locked(m, address, tag, FOR_UNMAP, &found);
    if (found.reservation == NULL) {
        sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, found.code, (ULONG_PTR)address, tag, found.owner);
        return;
    }
    if (mdl == NULL) {
        sim_call_bugcheck(call, PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0);
        return;
    }
    pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
    if (pages == 0) {
        sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_EMPTY, (ULONG_PTR)address, tag, 0);
        return;
    }
    if (pages > found.available) {
        /* [D] P3 the pages the range has, P4 the pages to unmap. */
        sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_TOO_MANY, (ULONG_PTR)address,
                          found.available, pages);
        return;
    }
    mapped = sim_runs_pages_in(&found.reservation->mapped, found.start, pages);
    if (mapped != pages) {
        /* [D] P3 the caller's tag, P4 the pages to unmap. */
        sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_NOT_MAPPED, (ULONG_PTR)address, tag,
                          pages);
        return;
    }
    if (!found.reservation->divisible) {
        size_t total = found.reservation->mapped.pages;
        if (total != pages) {
            /* [D] P3 the caller's tag, P4 the pages to unmap. */
            sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, PTE_MISUSE_UNMAP_PARTIAL, (ULONG_PTR)address, tag,
                              pages);
            return;
        }
    }
    sim_ptes_unmap_locked(m, &found.reservation->mapped, found.start, pages, &found.reservation->busy);
    m->reserved_mapped_pages -= pages;
    mdl->MdlFlags &= ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
}

VOID MmUnmapReservedMapping(PVOID BaseAddress, ULONG PoolTag, PMDL MemoryDescriptorList)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmUnmapReservedMapping",
                                      SIM_KERNEL_IRQL_FAULT(DISPATCH_LEVEL, MmUnmapReservedMapping));
    char where[48], mdl[48], tag[16];
    if (m == NULL) {
        return;
    }
    sim_format_address_locked(m, BaseAddress, where, sizeof(where));
    sim_format_mdl_locked(m, MemoryDescriptorList, mdl, sizeof(mdl));
    sim_format_tag(PoolTag, tag, sizeof(tag));
    sim_call_args(&call, "%s, %s, %s", where, tag, mdl);
    unmap_reserved_locked(&call, BaseAddress, PoolTag, MemoryDescriptorList);
    sim_leave(&call);
}

/* ------------------------------------------------------------------ free */
static void free_reserved_locked(struct sim_call *call, PVOID address, ULONG tag)
{
    resmap_sim_machine *m = call->m;
    struct lookup found;
    struct sim_reservation *r, **link;
    size_t mapped;

    find_idle_reservation_locked(m, address, tag, FOR_FREE, &found);
    if (found.reservation == NULL) {
        sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, found.code, (ULONG_PTR)address, tag, found.owner);
        return;
    }
    r = found.reservation;
    mapped = r->mapped.pages;
    if (mapped != 0) {
        size_t still = first_mapped_locked(&r->mapped, r->first_pte, r->pages);
        /* [D] P2 the address of a page still mapped, P3 the tag, P4 the pages still mapped. */
        sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, PTE_MISUSE_FREE_STILL_MAPPED,
                          (ULONG_PTR)sim_pte_address(m, still), tag, mapped);
        return;
    }
    for (link = &m->reservations; *link != r; link = &(*link)->next) {
    }
    *link = r->next;
    sim_ptes_release_locked(m, r->first_pte - HEADER_PTES, r->pages + HEADER_PTES);
    memset(m->pte_reservation + r->first_pte - HEADER_PTES, 0,
           (r->pages + HEADER_PTES) * sizeof(*m->pte_reservation));
    sim_runs_free(&r->mapped);
    m->reservation_count--;
    m->reserved_pages -= r->pages;
    sim_machine_uncharge_locked(m, r->host_charge);
    free(r);
}

VOID MmFreeMappingAddress(PVOID BaseAddress, ULONG PoolTag)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmFreeMappingAddress",
                                      SIM_KERNEL_IRQL_FAULT(APC_LEVEL, MmFreeMappingAddress));
    char where[48], tag[16];
    if (m == NULL) {
        return;
    }
    sim_format_address_locked(m, BaseAddress, where, sizeof(where));
    sim_format_tag(PoolTag, tag, sizeof(tag));
    sim_call_args(&call, "%s, %s", where, tag);
    free_reserved_locked(&call, BaseAddress, PoolTag);
    sim_leave(&call);
}
