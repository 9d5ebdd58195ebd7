/*
 * sim_lock.c - MmProbeAndLockPages, MmUnlockPages, and ResmapProbeAndLockPages (the simulator's
 * stand-in for the driver's SEH wrapper).
 *
 * Only simulated user memory (resmap_sim_user_alloc) can be locked. Probing anything else is what
 * the real call turns into a raised STATUS_ACCESS_VIOLATION: inside ResmapProbeAndLockPages that is
 * returned as a status; called bare, it is an unhandled kernel exception, bugcheck 0x1E.
 */
#include "sim_machine.h"

#include <stdio.h>

/* Flags of an MDL that MmProbeAndLockPages must not be given [D]. */
#define UNLOCKABLE_FLAGS (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL | \
                          MDL_PARTIAL | MDL_IO_SPACE)

/* A probe sees the calling thread's process's memory only: another process's buffer is an address
 * this process does not have. */
static int probe_range_locked(resmap_sim_machine *m, PMDL mdl, size_t *pages, uintptr_t *fault)
{
    uint32_t process = sim_current_process_id_locked(m);
    uintptr_t start = (uintptr_t)MmGetMdlVirtualAddress(mdl);
    PPFN_NUMBER frames = MmGetMdlPfnArray(mdl);
    *pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(start, mdl->ByteCount);
    if (mdl->ByteCount == 0 || start + mdl->ByteCount < start) {
        *fault = start;
        return -1;
    }
    for (size_t i = 0; i < *pages; i++) {
        uintptr_t page = (start & ~(uintptr_t)(PAGE_SIZE - 1)) + i * PAGE_SIZE;
        PFN_NUMBER pfn = sim_user_frame_of_process_locked(m, (const void *)page, process);
        if (pfn == SIM_NO_FRAME) {
            *fault = i == 0 ? start : page;
            return -1;
        }
        frames[i] = pfn;
    }
    return 0;
}

/* Whether the MDL's first page is pageable memory (simulated user memory is; pool is not). */
static int pageable_locked(resmap_sim_machine *m, PMDL mdl)
{
    return sim_user_frame_locked(m, PAGE_ALIGN(MmGetMdlVirtualAddress(mdl))) != SIM_NO_FRAME;
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
    } else if (probe_range_locked(m, mdl, &pages, &fault) != 0) {
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
        /* [D] the MDL names the process whose pages it locked; the process counts them until they
         * are unlocked, and exiting with any still locked is bugcheck 0x76 (sim_process.c). */
        mdl->Process = (struct _EPROCESS *)sim_process_locked(m, sim_current_process_id_locked(m));
        ((struct sim_process *)mdl->Process)->locked_pages += pages;
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
        if (frames[i] >= m->frames_total || m->frame_use[frames[i]] != SIM_FRAME_USER ||
            m->frame_locks[frames[i]] == 0) {
            /* [D] releasing a lock reference the frame does not hold. */
            sim_call_bugcheck(call, PFN_LIST_CORRUPT, PFN_UNLOCKED_TOO_OFTEN, frames[i],
                              frames[i] < m->frames_total ? m->frame_locks[frames[i]] : 0, 0);
            return;
        }
    }
    if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) {
        /* [D] MmUnlockPages releases the MDL's system mapping as an ordinary one. PTEs of a
         * reservation are not its to release: 0xDA/0x301 (the mapping's address). */
        if (sim_ordinary_release_locked(m, PAGE_ALIGN(mdl->MappedSystemVa), mdl) != 0) {
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
