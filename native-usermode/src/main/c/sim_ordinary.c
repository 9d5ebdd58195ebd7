/*
 * sim_ordinary.c - ordinary system mappings: MmMapLockedPagesSpecifyCache and MmUnmapLockedPages,
 * the baseline the reserved-mapping family is compared with. They take their PTEs from the same
 * finite pool as reservations, so when the pool runs dry they fail while a reservation still maps.
 */
#include "sim_machine.h"

#include <stdio.h>
#include <stdlib.h>

static void register_locked(resmap_sim_machine *m, struct sim_ordinary_mapping *o)
{
    o->prev = NULL;
    o->next = m->ordinary;
    if (o->next != NULL) {
        o->next->prev = o;
    }
    m->ordinary = o;
    m->pte_ordinary[o->first_pte] = o;
    m->ordinary_count++;
    m->ordinary_mapped_pages += o->pages;
}

static void unregister_locked(resmap_sim_machine *m, struct sim_ordinary_mapping *o)
{
    if (o->prev != NULL) {
        o->prev->next = o->next;
    } else {
        m->ordinary = o->next;
    }
    if (o->next != NULL) {
        o->next->prev = o->prev;
    }
    m->pte_ordinary[o->first_pte] = NULL;
    m->ordinary_count--;
    m->ordinary_mapped_pages -= o->pages;
}

int sim_ordinary_release_locked(resmap_sim_machine *m, const void *va, const MDL *mdl,
                                int unlocked_host_call)
{
    size_t index = sim_pte_index(m, va);
    struct sim_ordinary_mapping *o;
    /* Found from its first PTE, not by a walk of all ordinary mappings; one whose host call is in
     * flight is waited for, then looked up again. */
    for (;;) {
        o = index == (size_t)-1 ? NULL : m->pte_ordinary[index];
        if (o == NULL || !o->busy) {
            break;
        }
        sim_wait_idle_locked(m);
    }
    if (o == NULL || o->mdl != mdl) {
        return -1;
    }
    /* It stays registered until the host has unmapped it, so its frames count as mapped until then. */
    sim_ptes_unmap_locked(m, &o->mapped, o->first_pte, o->pages, unlocked_host_call ? &o->busy : NULL);
    unregister_locked(m, o);
    sim_ptes_release_locked(m, o->first_pte, o->pages);
    sim_machine_uncharge_locked(m, o->host_charge);
    sim_runs_free(&o->mapped);
    free(o);
    return 0;
}

static PVOID map_ordinary_locked(struct sim_call *call, PMDL mdl, KPROCESSOR_MODE mode,
                                 MEMORY_CACHING_TYPE cache, PVOID requested, ULONG bugcheck_on_failure,
                                 ULONG priority)
{
    resmap_sim_machine *m = call->m;
    struct sim_ordinary_mapping *o;
    size_t pages, first;
    uint64_t charge;
    int charged;
    size_t runs;

    if (mdl == NULL) {
        sim_call_bugcheck(call, PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0);
        return NULL;
    }
    /* User-mode mappings and caller-chosen addresses are not modelled: refused with NULL. */
    if (mode != KernelMode || requested != NULL || mdl->ByteCount == 0 || (int)cache < 0 ||
        cache >= MmMaximumCacheType) {
        return NULL;
    }
    pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
    if (m->verifier && bugcheck_on_failure) {
        /* [D] Verifier refuses BugCheckOnFailure = TRUE on every call, not only when it fails. */
        sim_call_bugcheck(call, DRIVER_VERIFIER_DETECTED_VIOLATION, VERIFIER_MAP_BUGCHECK_ON_FAILURE,
                          (ULONG_PTR)mdl, (USHORT)mdl->MdlFlags, 0);
        return NULL;
    }
    if (sim_mdl_check_mappable_locked(call, mdl, pages, 1) != 0 ||
        sim_mdl_check_frames_locked(call, mdl, pages, &runs) != 0) {
        return NULL;
    }
    /* The host mappings it needs are charged first: past the budget the map fails as it does when
     * system PTEs are short (sim_host.c). */
    charge = (runs == (size_t)-1 ? pages : runs) * SIM_HOST_MAPPINGS_PER_RUN;
    charged = !sim_fault_locked(m, RESMAP_SIM_FAULT_MAPPING) && sim_machine_charge_locked(m, charge) == 0;
    first = charged ? sim_ptes_take_locked(m, pages, SIM_PTE_ORDINARY) : (size_t)-1;
    o = first == (size_t)-1 ? NULL : calloc(1, sizeof(*o));
    if (o != NULL) {
        /* Registered before the host call, which runs with the machine lock released: its frames count
         * as mapped from now on, and a touch of its pages waits for the host (o->busy). */
        o->first_pte = first;
        o->pages = pages;
        o->host_charge = charge;
        o->mdl = mdl;
        register_locked(m, o);
    }
    /* [D] from Windows 8 on, MdlMappingNoWrite in Priority makes the mapping read-only. */
    if (o == NULL ||
        sim_ptes_map_locked(m, &o->mapped, first, runs, cache, (priority & MdlMappingNoWrite) == 0,
                            &o->busy) != 0) {
        if (o != NULL) {
            unregister_locked(m, o);
            sim_runs_free(&o->mapped);
            free(o);
        }
        if (first != (size_t)-1) {
            sim_ptes_release_locked(m, first, pages);
        }
        if (charged) {
            sim_machine_uncharge_locked(m, charge);
        }
        if (bugcheck_on_failure && !(mdl->MdlFlags & MDL_MAPPING_CAN_FAIL)) {
            /* [D] the kernel's own: system PTE type 0, pages asked, free PTEs, all PTEs. */
            sim_call_bugcheck(call, NO_MORE_SYSTEM_PTES, 0, pages, m->ptes_total - m->ptes_used,
                              m->ptes_total);
        }
        return NULL;
    }
    mdl->MappedSystemVa = (PUCHAR)sim_pte_address(m, first) + mdl->ByteOffset;
    sim_mdl_mark_mapped(mdl);
    return mdl->MappedSystemVa;
}

PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                   MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                   ULONG BugCheckOnFailure, ULONG Priority)
{
    struct sim_call call;
    /* Verifier's codes: 0x76 kernel-mode mapping above DISPATCH_LEVEL, 0x77 user-mode above APC_LEVEL. */
    resmap_sim_machine *m = sim_enter(&call, "MmMapLockedPagesSpecifyCache",
                                      AccessMode == KernelMode
                                          ? SIM_VERIFIER_IRQL(DISPATCH_LEVEL, VERIFIER_MAP_IRQL,
                                                              MemoryDescriptorList, AccessMode)
                                          : SIM_VERIFIER_IRQL(APC_LEVEL, VERIFIER_MAP_USER_IRQL,
                                                              MemoryDescriptorList, AccessMode));
    char name[48], result[48];
    PVOID va;
    if (m == NULL) {
        return NULL;
    }
    sim_format_mdl_locked(m, MemoryDescriptorList, name, sizeof(name));
    sim_call_args(&call, "%s, %s, %s, %s, %s, 0x%X", name,
                  AccessMode == KernelMode ? "KernelMode" : "UserMode", sim_cache_name(CacheType),
                  RequestedAddress == NULL ? "NULL" : "address", BugCheckOnFailure ? "TRUE" : "FALSE",
                  Priority);
    va = map_ordinary_locked(&call, MemoryDescriptorList, AccessMode, CacheType, RequestedAddress,
                             BugCheckOnFailure, Priority);
    sim_format_address_locked(m, va, result, sizeof(result));
    sim_call_result(&call, "%s", result);
    sim_leave(&call);
    return va;
}

VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmUnmapLockedPages",
                                      SIM_VERIFIER_IRQL(DISPATCH_LEVEL, VERIFIER_UNMAP_IRQL,
                                                        BaseAddress, MemoryDescriptorList));
    PMDL mdl = MemoryDescriptorList;
    char where[48], name[48];
    if (m == NULL) {
        return;
    }
    sim_format_address_locked(m, BaseAddress, where, sizeof(where));
    sim_format_mdl_locked(m, mdl, name, sizeof(name));
    sim_call_args(&call, "%s, %s", where, name);
    if (mdl == NULL) {
        sim_call_bugcheck(&call, PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0);
    } else if (sim_ordinary_release_locked(m, PAGE_ALIGN(BaseAddress), mdl, 1) != 0) {
        /* [D] 0xDA/0x06: the MDL is not (or never was) mapped there (MDL, address, its pages). */
        sim_call_bugcheck(&call, SYSTEM_PTE_MISUSE, PTE_MISUSE_MDL_NOT_MAPPED, (ULONG_PTR)mdl,
                          (ULONG_PTR)BaseAddress,
                          ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount));
    } else {
        mdl->MdlFlags &= ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
    }
    sim_leave(&call);
}
