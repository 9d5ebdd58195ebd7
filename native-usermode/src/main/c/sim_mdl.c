/*
 * sim_mdl.c - MDLs: IoAllocateMdl, IoBuildPartialMdl, IoFreeMdl, MmAllocatePagesForMdlEx,
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

/* The largest MDL: 4 GiB - 4 KiB [D]. */
#define MDL_MAX_BYTES (0x100000000ull - PAGE_SIZE)

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota,
                   PIRP Irp)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "IoAllocateMdl", DISPATCH_LEVEL, SIM_ROUTINE_IoAllocateMdl);
    char where[48], result[48];
    PMDL mdl = NULL;
    size_t pages;
    UNREFERENCED_PARAMETER(SecondaryBuffer);
    UNREFERENCED_PARAMETER(ChargeQuota);
    if (m == NULL) {
        return NULL;
    }
    sim_format_address_locked(m, VirtualAddress, where, sizeof(where));
    sim_call_args(&call, "%s, %u", where, Length);
    pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(VirtualAddress, Length);
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
    target->MdlFlags = (CSHORT)((target->MdlFlags & MDL_ALLOCATED_FIXED_SIZE) | MDL_PARTIAL |
                                (source->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_WRITE_OPERATION |
                                                     MDL_IO_PAGE_READ)));
    if (source->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) {
        target->MdlFlags |= MDL_PARENT_MAPPED_SYSTEM_VA;
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
    resmap_sim_machine *m = sim_enter(&call, "IoBuildPartialMdl", DISPATCH_LEVEL,
                                      SIM_ROUTINE_IoBuildPartialMdl);
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
    resmap_sim_machine *m = sim_enter(&call, "IoFreeMdl", DISPATCH_LEVEL, SIM_ROUTINE_IoFreeMdl);
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
    } else if (m->verifier &&
               (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED)) != 0) {
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_FREE_MAPPED_MDL,
                          (ULONG_PTR)Mdl, (ULONG_PTR)Mdl->MappedSystemVa, (USHORT)Mdl->MdlFlags);
    } else {
        sim_block_free_locked(m, b);
    }
    sim_leave(&call);
}

/* ------------------------------------------------------------------ pages for an MDL */
static PMDL allocate_pages_locked(struct sim_call *call, PHYSICAL_ADDRESS low, PHYSICAL_ADDRESS high,
                                  SIZE_T total, MEMORY_CACHING_TYPE cache, ULONG flags)
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
    got = sim_frames_take_locked(m, frames, wanted, (uint64_t)low.QuadPart, (uint64_t)high.QuadPart,
                                 (flags & (MM_ALLOCATE_PREFER_CONTIGUOUS |
                                           MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS)) != 0,
                                 (flags & MM_DONT_ZERO_ALLOCATION) == 0, SIM_FRAME_ALLOCATED);
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

PMDL MmAllocatePagesForMdlEx(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                             PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes,
                             MEMORY_CACHING_TYPE CacheType, ULONG Flags)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmAllocatePagesForMdlEx", APC_LEVEL,
                                      SIM_ROUTINE_MmAllocatePagesForMdlEx);
    char result[48];
    PMDL mdl;
    UNREFERENCED_PARAMETER(SkipBytes);
    if (m == NULL) {
        return NULL;
    }
    sim_call_args(&call, "%llu, %s, 0x%X", (unsigned long long)TotalBytes, sim_cache_name(CacheType),
                  Flags);
    mdl = allocate_pages_locked(&call, LowAddress, HighAddress, TotalBytes, CacheType, Flags);
    sim_format_mdl_locked(m, mdl, result, sizeof(result));
    if (mdl != NULL) {
        sim_call_result(&call, "%s (%u bytes)", result, mdl->ByteCount);
    } else {
        sim_call_result(&call, "NULL");
    }
    sim_leave(&call);
    return mdl;
}

VOID MmFreePagesFromMdl(PMDL MemoryDescriptorList)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmFreePagesFromMdl", APC_LEVEL,
                                      SIM_ROUTINE_MmFreePagesFromMdl);
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
        /* [R] freeing frames that are not this MDL's allocation. */
        sim_call_bugcheck(&call, MEMORY_MANAGEMENT, MM_INVALID_PAGES_FREE, (ULONG_PTR)mdl,
                          mdl == NULL ? 0 : (ULONG_PTR)MmGetMdlPfnArray(mdl), 0);
    } else {
        size_t pages = mdl->ByteCount / PAGE_SIZE;
        PPFN_NUMBER frames = MmGetMdlPfnArray(mdl);
        size_t i = sim_frames_first_mapped_locked(m, frames, pages);
        if (i < pages) {
            /* Frames still mapped somewhere would be handed to the next allocation while mapped. */
            sim_call_bugcheck(&call, MEMORY_MANAGEMENT, MM_INVALID_PAGES_FREE, (ULONG_PTR)mdl,
                              (ULONG_PTR)&frames[i], frames[i]);
        } else {
            sim_frames_release_locked(m, frames, pages);
            m->frames_allocated -= pages;
            b->holds_frames = 0;
            for (i = 0; i < pages; i++) {
                frames[i] = UNFILLED_PFN;
            }
            mdl->MdlFlags &= ~MDL_PAGES_LOCKED;
        }
    }
    sim_leave(&call);
}

/* ------------------------------------------------------------------ checks both system map calls make */
int sim_mdl_check_mappable_locked(struct sim_call *call, PMDL mdl)
{
    if (call->m->verifier && (mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_PARTIAL)) == 0) {
        sim_call_bugcheck(call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_MAP_NOT_LOCKED,
                          (ULONG_PTR)mdl, (USHORT)mdl->MdlFlags, 0);
        return -1;
    }
    if ((mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED)) != 0) {
        /* [D] one system mapping per MDL at a time. */
        sim_call_bugcheck(call, MEMORY_MANAGEMENT, MM_SIM_BAD_MDL_STATE, (ULONG_PTR)mdl,
                          (USHORT)mdl->MdlFlags, 0);
        return -1;
    }
    return 0;
}

int sim_mdl_check_frames_locked(struct sim_call *call, PMDL mdl, size_t pages, size_t *runs)
{
    PPFN_NUMBER frames = MmGetMdlPfnArray(mdl);
    size_t i = sim_frames_first_invalid_locked(call->m, frames, pages, runs);
    if (i < pages) {
        sim_call_bugcheck(call, PFN_LIST_CORRUPT, PFN_SIM_BAD_FRAME, (ULONG_PTR)mdl, i, frames[i]);
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
