/*
 * sim_bugcodes.h - the bugcheck codes and first parameters the simulator raises.
 *
 * Every code and parameter is listed, with its source, in docs/simulator.md. Source tags as in
 * contract-facts.md: [D] Microsoft documentation, [K] observed by the kmtests, [R] ReactOS,
 * [X] third-party reverse engineering, [S] the simulator's own choice where no source says.
 */
#ifndef SIM_BUGCODES_H
#define SIM_BUGCODES_H

#define MEMORY_MANAGEMENT                   0x1Au
#define KMODE_EXCEPTION_NOT_HANDLED         0x1Eu
#define NO_MORE_SYSTEM_PTES                 0x3Fu
#define IRQL_GT_ZERO_AT_SYSTEM_SERVICE      0x4Au
#define PFN_LIST_CORRUPT                    0x4Eu
#define PROCESS_HAS_LOCKED_PAGES            0x76u
#define PAGE_FAULT_IN_NONPAGED_AREA         0x50u
#define BAD_POOL_CALLER                     0xC2u
#define DRIVER_VERIFIER_DETECTED_VIOLATION  0xC4u
#define SYSTEM_PTE_MISUSE                   0xDAu
/* [S] not a Windows bug check: the host refused an mmap the simulator cannot do without (P1 errno,
 * P2 address, P3 pages); the machine is stopped so that its state cannot drift from the host's. */
#define SIM_HOST_FAULT                      RESMAP_SIM_HOST_FAULT

/* 0xDA SYSTEM_PTE_MISUSE, parameter 1 [D] unless noted */
#define PTE_MISUSE_ZERO_PAGES               0x100u
#define PTE_MISUSE_FREE_WRONG_OWNER         0x101u
#define PTE_MISUSE_FREE_EMPTY               0x102u  /* [R] damaged header */
#define PTE_MISUSE_FREE_STILL_MAPPED        0x103u
#define PTE_MISUSE_MAP_WRONG_OWNER          0x104u
#define PTE_MISUSE_MAP_INVALID_RANGE        0x105u
#define PTE_MISUSE_NOT_A_RESERVATION        0x106u  /* [X] P4: 0 free, 1 map, 2 unmap */
#define PTE_MISUSE_MAP_ALREADY_MAPPED       0x107u
#define PTE_MISUSE_UNMAP_WRONG_OWNER        0x108u
#define PTE_MISUSE_UNMAP_EMPTY              0x109u
#define PTE_MISUSE_UNMAP_TOO_MANY           0x10Au
#define PTE_MISUSE_UNMAP_NOT_MAPPED         0x10Bu
#define PTE_MISUSE_UNMAP_PARTIAL            0x10Cu

/* 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION, parameter 1 */
#define VERIFIER_ZERO_BYTE_POOL             0x00u   /* [D] */
#define VERIFIER_PAGED_POOL_IRQL            0x01u   /* [D] */
#define VERIFIER_NONPAGED_POOL_IRQL         0x02u   /* [D] */
#define VERIFIER_FREE_BAD_ADDRESS           0x10u   /* [D] */
#define VERIFIER_FREE_PAGED_IRQL            0x11u   /* [D] */
#define VERIFIER_FREE_NONPAGED_IRQL         0x12u   /* [D] */
#define VERIFIER_FREE_TWICE                 0x13u   /* [D] */
#define VERIFIER_RAISE_IRQL_LOWER           0x30u   /* [D] */
#define VERIFIER_LOWER_IRQL_HIGHER          0x31u   /* [D] */
#define VERIFIER_RELEASE_SPIN_LOCK_IRQL     0x32u   /* [D] */
#define VERIFIER_UNLOCK_NEVER_LOCKED        0x7Cu   /* contract-facts.md */
#define VERIFIER_MAP_FAILED_BUGCHECK        0x82u   /* contract-facts.md */
#define VERIFIER_MAP_NOT_LOCKED             0x85u   /* contract-facts.md */
#define VERIFIER_UNLOCK_PARTIAL             0xB4u   /* contract-facts.md */
#define VERIFIER_FREE_MAPPED_MDL            0xB8u   /* contract-facts.md */
#define VERIFIER_SELF_DEADLOCK              0x1000u /* [D] a thread acquires a lock it already holds */
#define VERIFIER_SIM_IRQL                   0x5100u /* [S] a call above its documented IRQL */

/* 0xC2 BAD_POOL_CALLER, parameter 1 (Verifier off) */
#define BAD_POOL_FREE_TWICE                 0x07u   /* [D] */
#define BAD_POOL_WRONG_TAG                  0x0Au   /* [D] */
#define BAD_POOL_BAD_ADDRESS                0x46u   /* [D] */

/* 0x1A MEMORY_MANAGEMENT, parameter 1 */
#define MM_INVALID_PAGES_FREE               0x1236u /* [R] freeing pages that are not the MDL's */
#define MM_SIM_BAD_UNMAP                    0x51A1u /* [S] MmUnmapLockedPages of no such mapping */
#define MM_SIM_BAD_PARTIAL                  0x51A2u /* [S] IoBuildPartialMdl outside its source */
#define MM_SIM_BAD_MDL_STATE                0x51A3u /* [S] lock/map an MDL in a state that forbids it */

/* 0x4E PFN_LIST_CORRUPT, parameter 1 */
#define PFN_UNLOCKED_TOO_OFTEN              0x07u   /* [D] */
#define PFN_SIM_BAD_FRAME                   0x51A4u /* [S] an MDL names a frame that is not in use */

/* Identifiers of the routines, reported as P4 of the simulator's IRQL bugcheck
 * (0xC4/VERIFIER_SIM_IRQL, docs/simulator.md). */
enum sim_routine {
    SIM_ROUTINE_MmAllocateMappingAddress = 1,
    SIM_ROUTINE_MmAllocateMappingAddressEx,
    SIM_ROUTINE_MmMapLockedPagesWithReservedMapping,
    SIM_ROUTINE_MmUnmapReservedMapping,
    SIM_ROUTINE_MmFreeMappingAddress,
    SIM_ROUTINE_MmAllocatePagesForMdlEx,
    SIM_ROUTINE_MmFreePagesFromMdl,
    SIM_ROUTINE_IoAllocateMdl,
    SIM_ROUTINE_IoBuildPartialMdl,
    SIM_ROUTINE_IoFreeMdl,
    SIM_ROUTINE_MmProbeAndLockPages,
    SIM_ROUTINE_MmUnlockPages,
    SIM_ROUTINE_MmMapLockedPagesSpecifyCache,
    SIM_ROUTINE_MmUnmapLockedPages,
    SIM_ROUTINE_ExAllocatePool,     /* never reported: pool calls raise Verifier's pool codes */
    SIM_ROUTINE_ExFreePool,         /* (0x01, 0x02, 0x11, 0x12) instead */
    SIM_ROUTINE_ExAcquireFastMutex,
    SIM_ROUTINE_KeAcquireSpinLock,
    SIM_ROUTINE_MmGetSystemRoutineAddress,
    SIM_ROUTINE_PagedCode
};

#endif /* SIM_BUGCODES_H */
