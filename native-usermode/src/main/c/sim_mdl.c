/*
 * sim_mdl.c - MDLs: IoAllocateMdl, IoBuildPartialMdl, IoFreeMdl, MmAllocatePagesForMdl(Ex),
 * MmFreePagesFromMdl.
 *
 * MDLs live in the machine's pool (counted as MDLs, not pool blocks) with the exact x64 layout and
 * the PFN array behind the header.
 */
#include "sim_machine.h"

#include <stdio.h>
#include <string.h>

#define MDL_POOL_TAG 'Mdl '

/* IoAllocateMdl does not fill the PFN array; the simulator fills it with a frame number that does
 * not exist, so that mapping an MDL nobody locked is caught rather than mapping frame 0. */
#define UNFILLED_PFN ((PFN_NUMBER)0xBADBADBADBADull)

/* MmAllocatePagesForMdl(Ex) and MmFreePagesFromMdl may be called at DISPATCH_LEVEL since Windows
 * Server 2008 [D]; above it Verifier raises 0xC4/0x7E (IRQL, DISPATCH_LEVEL, 0) [D]. */
#define PAGES_FOR_MDL_IRQL SIM_VERIFIER_IRQL(DISPATCH_LEVEL, VERIFIER_PAGES_FOR_MDL_IRQL, DISPATCH_LEVEL, 0)

/* The largest MDL: 4 GiB - 4 KiB [D]. */
#define MDL_MAX_BYTES (0x100000000ull - PAGE_SIZE)

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota,
                   PIRP Irp)
{
    struct sim_call call;
    size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(VirtualAddress, Length);
    /* IoAllocateMdl takes the MDL from nonpaged pool: above DISPATCH_LEVEL that is Verifier's 0x02. */
    resmap_sim_machine *m = sim_enter(&call, "IoAllocateMdl",
                                      SIM_VERIFIER_IRQL(DISPATCH_LEVEL, VERIFIER_NONPAGED_POOL_IRQL,
                                                        NonPagedPool,
                                                        sizeof(MDL) + pages * sizeof(PFN_NUMBER)));
    char where[48], result[48];
    PMDL mdl = NULL;
    UNREFERENCED_PARAMETER(SecondaryBuffer);
    UNREFERENCED_PARAMETER(ChargeQuota);
    if (m == NULL) {
        return NULL;
    }
    sim_format_address_locked(m, VirtualAddress, where, sizeof(where));
    sim_call_args(&call, "%s, %u", where, Length);
    /* The simulator has no IRPs to chain an MDL to: a non-NULL Irp is refused. */
    if (Irp == NULL && Length <= MDL_MAX_BYTES && !sim_fault_locked(m, RESMAP_SIM_FAULT_MDL)) {
        mdl = sim_block_alloc_locked(m, SIM_BLOCK_IO_MDL, sizeof(MDL) + pages * sizeof(PFN_NUMBER),
                                     MDL_POOL_TAG, 0);
    }
    if (mdl != NULL) {
        memset(mdl, 0, sizeof(*mdl));
        MmInitializeMdl(mdl, VirtualAddress, Length);
        mdl->MdlFlags |= MDL_ALLOCATED_FIXED_SIZE;
        for (size_t i = 0; i < pages; i++) {
            MmGetMdlPfnArray(mdl)[i] = UNFILLED_PFN;
        }
    }
    sim_format_mdl_locked(m, mdl, result, sizeof(result));
    sim_call_result(&call, "%s", result);
    sim_leave(&call);
    return mdl;
}

/* How many frames an MDL has room for. MDL.Size is 16 bits and wraps for MDLs of more than about
 * 8,185 pages, so for an MDL the simulator allocated its block's real size is used; only an MDL in the
 * driver's own storage is taken at its word. */
static size_t pfn_capacity_locked(resmap_sim_machine *m, const MDL *mdl)
{
    struct sim_block *b = sim_block_find_locked(m, mdl);
    size_t bytes = b != NULL && b->kind != SIM_BLOCK_POOL ? b->bytes : (USHORT)mdl->Size;
    return bytes < sizeof(MDL) ? 0 : (bytes - sizeof(MDL)) / sizeof(PFN_NUMBER);
}

static void build_partial_locked(struct sim_call *call, PMDL source, PMDL target, PVOID va, ULONG length)
{
    uintptr_t source_start, source_end, start;
    size_t first_page, pages;
    if (source == NULL || target == NULL) {
        sim_call_bugcheck(call, PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0);
        return;
    }
    source_start = (uintptr_t)MmGetMdlVirtualAddress(source);
    source_end = source_start + source->ByteCount;
    start = (uintptr_t)va;
    if (length == 0 && start >= source_start && start < source_end) {
        length = (ULONG)(source_end - start); /* 0 means "to the end of the source" [D] */
    }
    /* start past the end is tested first: source_end - start would wrap and pass the length test. */
    if (start < source_start || start >= source_end || length == 0 || length > source_end - start) {
        sim_call_bugcheck(call, MEMORY_MANAGEMENT, MM_SIM_BAD_PARTIAL, (ULONG_PTR)source, (ULONG_PTR)va,
                          length);
        return;
    }
    pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, length);
    if (pfn_capacity_locked(call->m, target) < pages) {
        sim_call_bugcheck(call, MEMORY_MANAGEMENT, MM_SIM_BAD_PARTIAL, (ULONG_PTR)target, pages,
                          (USHORT)target->Size);
        return;
    }
    first_page = ((start & ~(uintptr_t)(PAGE_SIZE - 1)) - (uintptr_t)source->StartVa) / PAGE_SIZE;
    /* [D][R] a partial MDL of a mapped source shares the source's mapping: it carries
     * MDL_MAPPED_TO_SYSTEM_VA and points into it, so MmGetSystemAddressForMdlSafe makes no second
     * mapping. MDL_WRITE_OPERATION is kept too: it records how the source was locked. */
    target->MdlFlags = (CSHORT)((target->MdlFlags & MDL_ALLOCATED_FIXED_SIZE) | MDL_PARTIAL |
                                (source->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_WRITE_OPERATION |
                                                     MDL_IO_PAGE_READ | MDL_MAPPED_TO_SYSTEM_VA |
                                                     MDL_IO_SPACE)));
    if (source->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) {
        target->MappedSystemVa = (PUCHAR)source->MappedSystemVa + (start - source_start);
    } else {
        target->MappedSystemVa = NULL;
    }
    target->Process = source->Process;
    target->StartVa = PAGE_ALIGN(va);
    target->ByteOffset = BYTE_OFFSET(va);
    target->ByteCount = length;
    memcpy(MmGetMdlPfnArray(target), MmGetMdlPfnArray(source) + first_page, pages * sizeof(PFN_NUMBER));
}

VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "IoBuildPartialMdl",
                                      SIM_KERNEL_IRQL_FAULT(DISPATCH_LEVEL, IoBuildPartialMdl));
    char source[48], target[48], where[48];
    if (m == NULL) {
        return;
    }
    sim_format_mdl_locked(m, SourceMdl, source, sizeof(source));
    sim_format_mdl_locked(m, TargetMdl, target, sizeof(target));
    sim_format_address_locked(m, VirtualAddress, where, sizeof(where));
    sim_call_args(&call, "%s, %s, %s, %u", source, target, where, Length);
    build_partial_locked(&call, SourceMdl, TargetMdl, VirtualAddress, Length);
    sim_leave(&call);
}

VOID IoFreeMdl(PMDL Mdl)
{
    struct sim_call call;
    /* The MDL goes back to nonpaged pool: above DISPATCH_LEVEL that is Verifier's 0x12. */
    resmap_sim_machine *m = sim_enter(&call, "IoFreeMdl",
                                      SIM_VERIFIER_IRQL(DISPATCH_LEVEL, VERIFIER_FREE_NONPAGED_IRQL,
                                                        NonPagedPool, Mdl));
    struct sim_block *b;
    char name[48];
    if (m == NULL) {
        return;
    }
    sim_format_mdl_locked(m, Mdl, name, sizeof(name));
    sim_call_args(&call, "%s", name);
    b = Mdl == NULL ? NULL : sim_block_find_locked(m, Mdl);
    if (b == NULL || b->kind == SIM_BLOCK_POOL) {
        if (m->verifier) {
            sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_FREE_BAD_ADDRESS,
                              (ULONG_PTR)Mdl, 0, 0);
        } else {
            sim_call_bugcheck(&call, BAD_POOL_CALLER, BAD_POOL_BAD_ADDRESS, (ULONG_PTR)Mdl, 0, 0);
        }
    } else if ((Mdl->MdlFlags & (MDL_PARTIAL | MDL_PARTIAL_HAS_BEEN_MAPPED)) ==
               (MDL_PARTIAL | MDL_PARTIAL_HAS_BEEN_MAPPED)) {
        /* [D] IoFreeMdl releases a partial MDL's own system mapping. It can release an ordinary one;
         * PTEs of a reservation are not its to release: Verifier reports the MDL as still mapped
         * (0xB8), the kernel alone as a release it may not make (0xDA/0x301). */
        if (sim_ordinary_release_locked(m, PAGE_ALIGN(Mdl->MappedSystemVa), Mdl, 0) == 0) {
            sim_block_free_locked(m, b);
        } else if (m->verifier) {
            sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_FREE_MAPPED_MDL,
                              (ULONG_PTR)Mdl, (USHORT)Mdl->MdlFlags, 0);
        } else {
            sim_call_bugcheck(&call, SYSTEM_PTE_MISUSE, PTE_MISUSE_RELEASE_NOT_PERMITTED,
                              (ULONG_PTR)Mdl->MappedSystemVa, 0, 0);
        }
    } else if (m->verifier && !(Mdl->MdlFlags & MDL_PARTIAL) &&
               (Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) != 0) {
        /* [D] Verifier's 0xB8 (MDL, flags): unmap before IoFreeMdl. A partial MDL that only shares its
         * source's mapping has none of its own to leave behind. */
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_FREE_MAPPED_MDL,
                          (ULONG_PTR)Mdl, (USHORT)Mdl->MdlFlags, 0);
    } else {
        sim_block_free_locked(m, b);
    }
    sim_leave(&call);
}

/* ------------------------------------------------------------------ pages for an MDL */
/* The frames for an allocation, or 0. REQUIRE_CONTIGUOUS_CHUNKS [D]: with SkipBytes 0 one block of
 * every page or nothing; otherwise whole blocks of SkipBytes (a power of two of at least a page, which
 * TotalBytes must be a multiple of), each aligned on SkipBytes. FAST_LARGE_PAGES is served only from a
 * large-page cache, which the simulator does not have, so it always fails [D]. Otherwise frames are
 * scattered (PREFER_CONTIGUOUS promises no contiguity [D]). */
static size_t take_frames_locked(resmap_sim_machine *m, PFN_NUMBER *frames, size_t wanted, SIZE_T total,
                                 uint64_t low, uint64_t high, uint64_t skip, ULONG flags)
{
    int zero = (flags & MM_DONT_ZERO_ALLOCATION) == 0;
    if (flags & MM_ALLOCATE_FAST_LARGE_PAGES) {
        return 0;
    }
    if (!(flags & MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS)) {
        return sim_frames_take_locked(m, frames, wanted, low, high, 0, zero, SIM_FRAME_ALLOCATED);
    }
    if (skip == 0) {
        return sim_frames_take_chunks_locked(m, frames, wanted, wanted, 1, low, high, zero,
                                             SIM_FRAME_ALLOCATED);
    }
    if (skip < PAGE_SIZE || (skip & (skip - 1)) != 0 || total % skip != 0 ||
        skip / PAGE_SIZE > wanted) {
        return 0;
    }
    return sim_frames_take_chunks_locked(m, frames, wanted, skip / PAGE_SIZE, skip / PAGE_SIZE, low,
                                         high, zero, SIM_FRAME_ALLOCATED);
}

/* cache: the caching type the frames get (MmAllocatePagesForMdlEx), or MmNotMapped for none
 * (MmAllocatePagesForMdl) [D]. */
static PMDL allocate_pages_locked(struct sim_call *call, PHYSICAL_ADDRESS low, PHYSICAL_ADDRESS high,
                                  PHYSICAL_ADDRESS skip, SIZE_T total, MEMORY_CACHING_TYPE cache,
                                  ULONG flags)
{
    const ULONG known = MM_DONT_ZERO_ALLOCATION | MM_ALLOCATE_FROM_LOCAL_NODE_ONLY |
                        MM_ALLOCATE_FULLY_REQUIRED | MM_ALLOCATE_NO_WAIT | MM_ALLOCATE_PREFER_CONTIGUOUS |
                        MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS | MM_ALLOCATE_FAST_LARGE_PAGES;
    resmap_sim_machine *m = call->m;
    size_t wanted, got;
    PMDL mdl;
    PPFN_NUMBER frames;

    /* Physical addresses are unsigned: drivers pass HighAddress.QuadPart = -1 for "anywhere". */
    if (total == 0 || (flags & ~known) != 0 || (uint64_t)high.QuadPart < (uint64_t)low.QuadPart ||
        sim_fault_locked(m, RESMAP_SIM_FAULT_PAGES)) {
        return NULL;
    }
    wanted = SIM_PAGES(total > MDL_MAX_BYTES ? MDL_MAX_BYTES : total);
    if (wanted > m->frames_total) {
        wanted = m->frames_total;
    }
    mdl = sim_block_alloc_locked(m, SIM_BLOCK_PAGES_MDL, sizeof(MDL) + wanted * sizeof(PFN_NUMBER),
                                 MDL_POOL_TAG, 0);
    if (mdl == NULL) {
        return NULL;
    }
    frames = MmGetMdlPfnArray(mdl);
    got = take_frames_locked(m, frames, wanted, total, (uint64_t)low.QuadPart, (uint64_t)high.QuadPart,
                             (uint64_t)skip.QuadPart, flags);
    if (got == 0 || (got < SIM_PAGES(total) && (flags & MM_ALLOCATE_FULLY_REQUIRED) != 0)) {
        sim_frames_release_locked(m, frames, got);
        sim_block_free_locked(m, sim_block_find_locked(m, mdl));
        return NULL;
    }
    for (size_t i = 0; i < got; i++) {
        m->frame_cache[frames[i]] = (int8_t)cache;
    }
    sim_block_find_locked(m, mdl)->holds_frames = 1;
    m->frames_allocated += got;
    memset(mdl, 0, sizeof(*mdl));
    mdl->Size = (CSHORT)(sizeof(MDL) + got * sizeof(PFN_NUMBER));
    mdl->MdlFlags = MDL_PAGES_LOCKED; /* [R] the frames are resident and referenced */
    mdl->ByteCount = (ULONG)(got * PAGE_SIZE);
    return mdl;
}

static PMDL allocate_pages(const char *name, PHYSICAL_ADDRESS low, PHYSICAL_ADDRESS high,
                           PHYSICAL_ADDRESS skip, SIZE_T total, MEMORY_CACHING_TYPE cache, ULONG flags)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, name, PAGES_FOR_MDL_IRQL);
    char result[48];
    PMDL mdl;
    if (m == NULL) {
        return NULL;
    }
    if (cache == MmNotMapped) {
        sim_call_args(&call, "%llu", (unsigned long long)total);
    } else {
        sim_call_args(&call, "%llu, %s, 0x%X", (unsigned long long)total, sim_cache_name(cache), flags);
    }
    mdl = allocate_pages_locked(&call, low, high, skip, total, cache, flags);
    sim_format_mdl_locked(m, mdl, result, sizeof(result));
    if (mdl != NULL) {
        sim_call_result(&call, "%s (%u bytes)", result, mdl->ByteCount);
    } else {
        sim_call_result(&call, "NULL");
    }
    sim_leave(&call);
    return mdl;
}

PMDL MmAllocatePagesForMdlEx(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                             PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes,
                             MEMORY_CACHING_TYPE CacheType, ULONG Flags)
{
    /* A CacheType outside the enumeration is kept as "none" rather than as an impossible type. */
    if ((int)CacheType < 0 || CacheType >= MmMaximumCacheType) {
        CacheType = MmNotMapped;
    }
    return allocate_pages("MmAllocatePagesForMdlEx", LowAddress, HighAddress, SkipBytes, TotalBytes,
                          CacheType, Flags);
}

PMDL MmAllocatePagesForMdl(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                           PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes)
{
    /* [D] zero-filled pages with no caching type of their own. */
    return allocate_pages("MmAllocatePagesForMdl", LowAddress, HighAddress, SkipBytes, TotalBytes,
                          MmNotMapped, 0);
}

VOID MmFreePagesFromMdl(PMDL MemoryDescriptorList)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmFreePagesFromMdl", PAGES_FOR_MDL_IRQL);
    PMDL mdl = MemoryDescriptorList;
    struct sim_block *b;
    char name[48];
    if (m == NULL) {
        return;
    }
    sim_format_mdl_locked(m, mdl, name, sizeof(name));
    sim_call_args(&call, "%s", name);
    b = mdl == NULL ? NULL : sim_block_find_locked(m, mdl);
    if (b == NULL || b->kind != SIM_BLOCK_PAGES_MDL || !b->holds_frames) {
        /* [R] freeing frames that are not this MDL's allocation: (MDL, its first PFN entry, the frame
         * that entry names). */
        sim_call_bugcheck(&call, MEMORY_MANAGEMENT, MM_INVALID_PAGES_FREE, (ULONG_PTR)mdl,
                          mdl == NULL ? 0 : (ULONG_PTR)MmGetMdlPfnArray(mdl),
                          mdl == NULL ? 0 : MmGetMdlPfnArray(mdl)[0]);
    } else {
        size_t pages = mdl->ByteCount / PAGE_SIZE;
        PPFN_NUMBER frames = MmGetMdlPfnArray(mdl);
        /* Pages still mapped may be freed (the MmMdl kmtest does so on Windows): such a frame stays
         * out of use until its last mapping goes, so it is never handed out while mapped. */
        size_t mapped = sim_frames_first_mapped_locked(m, frames, pages);
        for (size_t i = 0; i < pages; i++) {
            if (i >= mapped && m->frame_marks[frames[i]] != 0) {
                m->frame_use[frames[i]] = SIM_FRAME_ORPHANED;
                m->orphaned_frames++;
            } else {
                sim_frames_release_locked(m, &frames[i], 1);
            }
            frames[i] = UNFILLED_PFN;
        }
        m->frames_allocated -= pages;
        b->holds_frames = 0;
        mdl->MdlFlags &= ~MDL_PAGES_LOCKED;
    }
    sim_leave(&call);
}

/* ------------------------------------------------------------------ checks both system map calls make */
/* Flags that say an MDL's pages are locked, or need no lock [D]. */
#define LOCKED_FLAGS (MDL_PAGES_LOCKED | MDL_PARTIAL | MDL_SOURCE_IS_NONPAGED_POOL | MDL_IO_SPACE)
/* Flags that say an MDL already has a system mapping [D]. */
#define SYSTEM_MAPPED_FLAGS (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED | \
                             MDL_SOURCE_IS_NONPAGED_POOL)

int sim_mdl_check_mappable_locked(struct sim_call *call, PMDL mdl, size_t pages, int ordinary)
{
    if (!call->m->verifier) {
        return 0;
    }
    if ((mdl->MdlFlags & LOCKED_FLAGS) == 0) {
        /* [D] 0x85: mapping pages nobody locked (MDL, pages, the first frame not locked). */
        sim_call_bugcheck(call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_MAP_NOT_LOCKED,
                          (ULONG_PTR)mdl, pages, MmGetMdlPfnArray(mdl)[0]);
        return -1;
    }
    if (ordinary && (mdl->MdlFlags & SYSTEM_MAPPED_FLAGS) != 0) {
        /* [D] 0xB2: a second system mapping of one MDL (MDL, flags, the flags that forbid it). The
         * reserved map makes no such check [X]. Without Verifier the kernel maps it again. */
        sim_call_bugcheck(call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_MAP_BAD_FLAGS,
                          (ULONG_PTR)mdl, (USHORT)mdl->MdlFlags,
                          (USHORT)(mdl->MdlFlags & SYSTEM_MAPPED_FLAGS));
        return -1;
    }
    return 0;
}

/* A frame is locked when an MmAllocatePagesForMdl(Ex) MDL holds it, an MDL locked it, or it is
 * nonpaged pool (resident for good). */
static int frame_locked_locked(resmap_sim_machine *m, PFN_NUMBER pfn)
{
    return pfn < m->frames_all &&
           (m->frame_use[pfn] == SIM_FRAME_ALLOCATED ||
            ((m->frame_use[pfn] == SIM_FRAME_USER || m->frame_use[pfn] == SIM_FRAME_POOL) &&
             m->frame_locks[pfn] != 0) ||
            sim_pool_frame_nonpaged_locked(m, pfn));
}

/* The first of the run's `pages` frames from `first` that is not locked, or pages. Allocated frames
 * are locked, so stretches of SIM_FRAME_ALLOCATED uses are passed 64 frames at a time. */
static size_t first_unlocked_in_run_locked(resmap_sim_machine *m, PFN_NUMBER first, size_t pages)
{
    size_t k = 0;
    while (k < pages) {
        k += sim_byte_span(m->frame_use + first + k, pages - k, SIM_FRAME_ALLOCATED);
        if (k == pages || !frame_locked_locked(m, first + k)) {
            return k;
        }
        k++;
    }
    return pages;
}

/* The first of the frames not locked, run by run when the frame check left the runs (as it does for any
 * mappable size), frame by frame otherwise. */
static size_t first_unlocked_locked(resmap_sim_machine *m, const PFN_NUMBER *frames, size_t pages, size_t runs)
{
    size_t i = 0;
    if (runs == (size_t)-1) {
        for (i = 0; i < pages && frame_locked_locked(m, frames[i]); i++) {
        }
        return i;
    }
    for (size_t r = 0; r < runs; r++) {
        size_t k = first_unlocked_in_run_locked(m, m->frame_runs[r].first, m->frame_runs[r].pages);
        if (k < m->frame_runs[r].pages) {
            return i + k;
        }
        i += m->frame_runs[r].pages;
    }
    return i;
}

int sim_mdl_check_frames_locked(struct sim_call *call, PMDL mdl, size_t pages, size_t *runs)
{
    PPFN_NUMBER frames = MmGetMdlPfnArray(mdl);
    size_t i = sim_frames_first_invalid_locked(call->m, frames, pages, runs);
    if (i == pages) {
        i = first_unlocked_locked(call->m, frames, pages, *runs);
    }
    if (i < pages) {
        if (call->m->verifier) {
            sim_call_bugcheck(call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_MAP_NOT_LOCKED,
                              (ULONG_PTR)mdl, pages, frames[i]);
        } else {
            /* [D] 0x1A/0x1233: mapping a physical page that is not locked (P2 the frame). */
            sim_call_bugcheck(call, MEMORY_MANAGEMENT, MM_MAP_UNLOCKED_PAGE, frames[i], 0, 0);
        }
        return -1;
    }
    return 0;
}

void sim_mdl_mark_mapped(PMDL mdl)
{
    mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    if (mdl->MdlFlags & MDL_PARTIAL) {
        mdl->MdlFlags |= MDL_PARTIAL_HAS_BEEN_MAPPED;
    }
}
