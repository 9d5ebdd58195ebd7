/*
 * sim_lock.c - MmProbeAndLockPages, MmUnlockPages, MmBuildMdlForNonPagedPool, and
 * ResmapProbeAndLockPages (the simulator's stand-in for the driver's SEH wrapper).
 *
 * What can be locked is simulated user memory (resmap_sim_user_alloc) of the calling process and,
 * probed in KernelMode, pool pages that hold a block. Probing anything else is what the real call
 * turns into a raised STATUS_ACCESS_VIOLATION: inside ResmapProbeAndLockPages that is returned as a
 * status; called bare, it is an unhandled kernel exception, bugcheck 0x1E.
 */
#include "sim_machine.h"

#include <stdio.h>

/* Flags of an MDL that MmProbeAndLockPages must not be given [D]. */
#define UNLOCKABLE_FLAGS (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL | \
                          MDL_PARTIAL | MDL_IO_SPACE)

/* The frame behind one page a probe touches, or SIM_NO_FRAME where the probe faults. A probe sees the
 * calling thread's process's user memory only (another process's buffer is an address this process
 * does not have) and, in KernelMode, pool pages that hold a block; a UserMode probe of a system
 * address fails before it touches anything [R]. *pool says whether the page was pool. */
static PFN_NUMBER probe_page_locked(resmap_sim_machine *m, uintptr_t page, uint32_t process,
                                    KPROCESSOR_MODE mode, int *pool)
{
    PFN_NUMBER pfn = sim_user_frame_of_process_locked(m, (const void *)page, process);
    *pool = 0;
    if (pfn == SIM_NO_FRAME && mode == KernelMode) {
        pfn = sim_pool_frame_locked(m, (const void *)page, NULL);
        *pool = pfn != SIM_NO_FRAME;
    }
    return pfn;
}

static int probe_range_locked(resmap_sim_machine *m, PMDL mdl, KPROCESSOR_MODE mode, size_t *pages,
                              int *pool, uintptr_t *fault)
{
    uint32_t process = sim_current_process_id_locked(m);
    uintptr_t start = (uintptr_t)MmGetMdlVirtualAddress(mdl);
    PPFN_NUMBER frames = MmGetMdlPfnArray(mdl);
    *pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(start, mdl->ByteCount);
    *pool = 0;
    if (mdl->ByteCount == 0 || start + mdl->ByteCount < start) {
        *fault = start;
        return -1;
    }
    for (size_t i = 0; i < *pages; i++) {
        uintptr_t page = (start & ~(uintptr_t)(PAGE_SIZE - 1)) + i * PAGE_SIZE;
        int page_pool;
        PFN_NUMBER pfn = probe_page_locked(m, page, process, mode, &page_pool);
        if (pfn == SIM_NO_FRAME || (i > 0 && page_pool != *pool)) {
            *fault = i == 0 ? start : page;
            return -1;
        }
        *pool = page_pool;
        frames[i] = pfn;
    }
    return 0;
}

/* Whether the MDL's first page is pageable memory: simulated user memory and paged pool are. */
static int pageable_locked(resmap_sim_machine *m, PMDL mdl)
{
    const void *first = PAGE_ALIGN(MmGetMdlVirtualAddress(mdl));
    int paged = 0;
    return sim_user_frame_locked(m, first) != SIM_NO_FRAME ||
           (sim_pool_frame_locked(m, first, &paged) != SIM_NO_FRAME && paged);
}

VOID MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmProbeAndLockPages",
                                      SIM_VERIFIER_IRQL(DISPATCH_LEVEL, VERIFIER_PROBE_IRQL,
                                                        MemoryDescriptorList, AccessMode));
    PMDL mdl = MemoryDescriptorList;
    struct sim_thread *t;
    char name[48];
    size_t pages;
    uintptr_t fault = 0;
    int pool = 0;
    KIRQL irql;
    if (m == NULL) {
        return;
    }
    sim_format_mdl_locked(m, mdl, name, sizeof(name));
    sim_call_args(&call, "%s, %s, %s", name, AccessMode == KernelMode ? "KernelMode" : "UserMode",
                  Operation == IoReadAccess ? "IoReadAccess"
                  : Operation == IoWriteAccess ? "IoWriteAccess" : "IoModifyAccess");
    t = sim_thread(m);
    irql = t != NULL ? t->irql : PASSIVE_LEVEL;
    if (mdl == NULL) {
        sim_call_bugcheck(&call, PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0);
    } else if (m->verifier && (mdl->MdlFlags & UNLOCKABLE_FLAGS) != 0) {
        /* [D] an MDL is not locked twice, and partial or nonpaged MDLs are never locked: Verifier's
         * 0xB0 (MDL, flags, the flags that forbid it). Without Verifier the kernel only asserts it in
         * checked builds [R], so the pages are probed and locked once more. */
        sim_call_bugcheck(&call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_PROBE_BAD_FLAGS,
                          (ULONG_PTR)mdl, (USHORT)mdl->MdlFlags,
                          (USHORT)(mdl->MdlFlags & UNLOCKABLE_FLAGS));
    } else if (m->verifier && irql > APC_LEVEL && pageable_locked(m, mdl)) {
        /* [D] pageable memory is locked only at or below APC_LEVEL. Verifier's IRQL checking pages it
         * out when the IRQL rises, so the probe faults in the kernel: 0x0A (address, IRQL, write,
         * the routine). */
        sim_call_bugcheck(&call, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)MmGetMdlVirtualAddress(mdl), irql,
                          Operation != IoReadAccess, (ULONG_PTR)MmProbeAndLockPages);
    } else if (probe_range_locked(m, mdl, AccessMode, &pages, &pool, &fault) != 0) {
        if (t != NULL && t->in_probe_wrapper) {
            t->probe_status = STATUS_ACCESS_VIOLATION;
            sim_call_result(&call, "raises STATUS_ACCESS_VIOLATION");
        } else {
            sim_call_bugcheck(&call, KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)STATUS_ACCESS_VIOLATION,
                              0, Operation != IoReadAccess, fault);
        }
    } else {
        PPFN_NUMBER frames = MmGetMdlPfnArray(mdl);
        for (size_t i = 0; i < pages; i++) {
            m->frame_locks[frames[i]]++;
        }
        m->frames_locked += pages;
        mdl->MdlFlags |= MDL_PAGES_LOCKED;
        if (Operation != IoReadAccess) {
            mdl->MdlFlags |= MDL_WRITE_OPERATION;
        } else {
            mdl->MdlFlags &= ~MDL_WRITE_OPERATION;
        }
        if (pool) {
            /* [R] system memory belongs to no process: the MDL names none and no process counts
             * the pages, so no exit is held up by them. */
            mdl->Process = NULL;
        } else {
            /* [D] the MDL names the process whose pages it locked; the process counts them until
             * they are unlocked, and exiting with any still locked is bugcheck 0x76
             * (sim_process.c). */
            mdl->Process = (struct _EPROCESS *)sim_process_locked(m, sim_current_process_id_locked(m));
            ((struct sim_process *)mdl->Process)->locked_pages += pages;
        }
    }
    sim_leave(&call);
}

NTSTATUS ResmapProbeAndLockPages(PMDL Mdl, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation)
{
    resmap_sim_machine *m = resmap_sim_current();
    struct sim_thread *t;
    NTSTATUS status;
    if (m == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    t = sim_thread(m);
    if (t != NULL) {
        t->in_probe_wrapper = 1;
        t->probe_status = STATUS_SUCCESS;
    }
    if (t == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    MmProbeAndLockPages(Mdl, AccessMode, Operation);

    /* A bugcheck inside the call unwinds past this point; otherwise the wrapper is left here. */
    pthread_mutex_lock(&m->lock);
    t->in_probe_wrapper = 0;
    status = m->dead ? STATUS_UNSUCCESSFUL : t->probe_status;
    pthread_mutex_unlock(&m->lock);
    return status;
}

/* ------------------------------------------------------------------ unlock */
static void unlock_locked(struct sim_call *call, PMDL mdl)
{
    resmap_sim_machine *m = call->m;
    PPFN_NUMBER frames;
    size_t pages;

    if (mdl == NULL) {
        sim_call_bugcheck(call, PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0);
        return;
    }
    if (m->verifier && (mdl->MdlFlags & MDL_PARTIAL)) {
        sim_call_bugcheck(call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_UNLOCK_PARTIAL, (ULONG_PTR)mdl,
                          (USHORT)mdl->MdlFlags, MDL_PARTIAL);
        return;
    }
    if (m->verifier && !(mdl->MdlFlags & MDL_PAGES_LOCKED)) {
        sim_call_bugcheck(call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_UNLOCK_NEVER_LOCKED,
                          (ULONG_PTR)mdl, (USHORT)mdl->MdlFlags, 0);
        return;
    }
    frames = MmGetMdlPfnArray(mdl);
    pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
    for (size_t i = 0; i < pages; i++) {
        if (frames[i] >= m->frames_all ||
            (m->frame_use[frames[i]] != SIM_FRAME_USER && m->frame_use[frames[i]] != SIM_FRAME_POOL) ||
            m->frame_locks[frames[i]] == 0) {
            /* [D] releasing a lock reference the frame does not hold. */
            sim_call_bugcheck(call, PFN_LIST_CORRUPT, PFN_UNLOCKED_TOO_OFTEN, frames[i],
                              frames[i] < m->frames_all ? m->frame_locks[frames[i]] : 0, 0);
            return;
        }
    }
    if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) {
        /* [D] MmUnlockPages releases the MDL's system mapping as an ordinary one. PTEs of a
         * reservation are not its to release: 0xDA/0x301 (the mapping's address). */
        if (sim_ordinary_release_locked(m, PAGE_ALIGN(mdl->MappedSystemVa), mdl, 0) != 0) {
            sim_call_bugcheck(call, SYSTEM_PTE_MISUSE, PTE_MISUSE_RELEASE_NOT_PERMITTED,
                              (ULONG_PTR)mdl->MappedSystemVa, 0, 0);
            return;
        }
        mdl->MdlFlags &= ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
    }
    for (size_t i = 0; i < pages; i++) {
        m->frame_locks[frames[i]]--;
    }
    m->frames_locked -= pages;
    if (mdl->Process != NULL && !(mdl->MdlFlags & MDL_PARTIAL)) {
        struct sim_process *owner = (struct sim_process *)mdl->Process;
        owner->locked_pages -= owner->locked_pages < pages ? owner->locked_pages : pages;
    }
    mdl->MdlFlags &= ~MDL_PAGES_LOCKED;
}

VOID MmUnlockPages(PMDL MemoryDescriptorList)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmUnlockPages",
                                      SIM_VERIFIER_IRQL(DISPATCH_LEVEL, VERIFIER_UNLOCK_IRQL,
                                                        MemoryDescriptorList, 0));
    char name[48];
    if (m == NULL) {
        return;
    }
    sim_format_mdl_locked(m, MemoryDescriptorList, name, sizeof(name));
    sim_call_args(&call, "%s", name);
    unlock_locked(&call, MemoryDescriptorList);
    sim_leave(&call);
}

/* ------------------------------------------------------------------ MDLs of nonpaged pool */
/* [D] fills the MDL's frames from nonpaged memory that is resident already, points MappedSystemVa at
 * the buffer itself (so MmGetSystemAddressForMdlSafe returns it) and leaves the pages unlocked; the
 * MDL is marked MDL_SOURCE_IS_NONPAGED_POOL and names no process [R]. Such an MDL must not be
 * locked, unlocked, or given another system mapping [D]: with Verifier those are 0xB0, 0x7C and 0xB2.
 * An MDL whose pages are not nonpaged pool is outside the routine's contract (the page calls it
 * undefined); the simulator makes it the page fault the real routine takes on an address without a
 * resident page, 0x50 (address, read, the routine), also for paged pool or user memory, which may be
 * paged out on Windows. */
VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmBuildMdlForNonPagedPool",
                                      SIM_KERNEL_IRQL_FAULT(DISPATCH_LEVEL, MmBuildMdlForNonPagedPool));
    PMDL mdl = MemoryDescriptorList;
    char name[48];
    if (m == NULL) {
        return;
    }
    sim_format_mdl_locked(m, mdl, name, sizeof(name));
    sim_call_args(&call, "%s", name);
    if (mdl == NULL) {
        sim_call_bugcheck(&call, PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0);
    } else {
        uintptr_t start = (uintptr_t)MmGetMdlVirtualAddress(mdl);
        size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(start, mdl->ByteCount);
        PPFN_NUMBER frames = MmGetMdlPfnArray(mdl);
        size_t i;
        for (i = 0; i < pages; i++) {
            uintptr_t page = (start & ~(uintptr_t)(PAGE_SIZE - 1)) + i * PAGE_SIZE;
            int paged = 1;
            PFN_NUMBER pfn = sim_pool_frame_locked(m, (const void *)page, &paged);
            if (pfn == SIM_NO_FRAME || paged) {
                sim_call_bugcheck(&call, PAGE_FAULT_IN_NONPAGED_AREA, i == 0 ? start : page, 0,
                                  (ULONG_PTR)MmBuildMdlForNonPagedPool, 0);
                break;
            }
            frames[i] = pfn;
        }
        if (i == pages) {
            mdl->Process = NULL;
            mdl->MappedSystemVa = (PVOID)start;
            mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
        }
    }
    sim_leave(&call);
}
