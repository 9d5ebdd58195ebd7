/*
 * sim_bugcodes.h - the bugcheck codes and first parameters the simulator raises.
 *
 * Every code and parameter is listed, with its source, in docs/simulator.md. Source tags as in
 * contract-facts.md: [D] Microsoft documentation, [K] observed by the kmtests, [R] ReactOS,
 * [X] third-party reverse engineering, [S] the simulator's own choice where no source says.
 * The sources of each row are in docs/kernel-facts.md.
 */
#ifndef SIM_BUGCODES_H
#define SIM_BUGCODES_H

#define IRQL_NOT_LESS_OR_EQUAL              0x0Au
#define MEMORY_MANAGEMENT                   0x1Au
#define KMODE_EXCEPTION_NOT_HANDLED         0x1Eu
#define NO_MORE_SYSTEM_PTES                 0x3Fu
#define IRQL_GT_ZERO_AT_SYSTEM_SERVICE      0x4Au
#define PFN_LIST_CORRUPT                    0x4Eu
#define PROCESS_HAS_LOCKED_PAGES            0x76u
#define PAGE_FAULT_IN_NONPAGED_AREA         0x50u
#define BAD_POOL_CALLER                     0xC2u
#define DRIVER_VERIFIER_DETECTED_VIOLATION  0xC4u
#define DRIVER_IRQL_NOT_LESS_OR_EQUAL       0xD1u
#define SYSTEM_PTE_MISUSE                   0xDAu
/* [S] not a Windows bug check: the host refused an mmap the simulator cannot do without (P1 errno,
 * P2 address, P3 pages); the machine is stopped so that its state cannot drift from the host's. */
#define SIM_HOST_FAULT                      RESMAP_SIM_HOST_FAULT

/* 0xDA SYSTEM_PTE_MISUSE, parameter 1 [D] unless noted */
#define PTE_MISUSE_MDL_NOT_MAPPED           0x06u   /* P2 MDL, P3 address, P4 pages */
#define PTE_MISUSE_ZERO_PAGES               0x100u
#define PTE_MISUSE_FREE_WRONG_OWNER         0x101u
#define PTE_MISUSE_FREE_EMPTY               0x102u
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
#define PTE_MISUSE_RELEASE_NOT_PERMITTED    0x301u  /* P2 the mapping's address */

/* 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION, parameter 1 [D] */
#define VERIFIER_ZERO_BYTE_POOL             0x00u
#define VERIFIER_PAGED_POOL_IRQL            0x01u
#define VERIFIER_NONPAGED_POOL_IRQL         0x02u
#define VERIFIER_FREE_BAD_ADDRESS           0x10u
#define VERIFIER_FREE_PAGED_IRQL            0x11u
#define VERIFIER_FREE_NONPAGED_IRQL         0x12u
#define VERIFIER_FREE_TWICE                 0x13u
#define VERIFIER_RAISE_IRQL_LOWER           0x30u
#define VERIFIER_LOWER_IRQL_HIGHER          0x31u
#define VERIFIER_RELEASE_SPIN_LOCK_IRQL     0x32u
#define VERIFIER_ACQUIRE_FAST_MUTEX_IRQL    0x33u   /* P2 IRQL, P3 the fast mutex */
#define VERIFIER_ACQUIRE_SPIN_LOCK_IRQL     0x42u   /* P2 IRQL, P3 the spin lock */
#define VERIFIER_PROBE_IRQL                 0x70u   /* P2 IRQL, P3 MDL, P4 access mode */
#define VERIFIER_MAP_IRQL                   0x76u   /* P2 IRQL, P3 MDL, P4 access mode */
#define VERIFIER_MAP_USER_IRQL              0x77u   /* the same, user mode above APC_LEVEL */
#define VERIFIER_UNLOCK_IRQL                0x78u   /* P2 IRQL, P3 MDL */
#define VERIFIER_UNMAP_IRQL                 0x79u   /* P2 IRQL, P3 address, P4 MDL */
#define VERIFIER_UNLOCK_NEVER_LOCKED        0x7Cu   /* P2 MDL, P3 flags */
#define VERIFIER_PAGES_FOR_MDL_IRQL         0x7Eu   /* P2 IRQL, P3 DISPATCH_LEVEL */
#define VERIFIER_MAP_BUGCHECK_ON_FAILURE    0x82u   /* P2 MDL, P3 flags */
#define VERIFIER_MAP_NOT_LOCKED             0x85u   /* P2 MDL, P3 pages, P4 first frame not locked */
#define VERIFIER_PROBE_BAD_FLAGS            0xB0u   /* P2 MDL, P3 flags, P4 the wrong flags */
#define VERIFIER_MAP_BAD_FLAGS              0xB2u   /* P2 MDL, P3 flags, P4 the wrong flags */
#define VERIFIER_UNLOCK_PARTIAL             0xB4u   /* P2 MDL, P3 flags, P4 MDL_PARTIAL */
#define VERIFIER_FREE_MAPPED_MDL            0xB8u   /* P2 MDL, P3 flags */
#define VERIFIER_SELF_DEADLOCK              0x1000u /* a thread acquires a lock it already holds */

/* 0xC2 BAD_POOL_CALLER, parameter 1 (Verifier off) [D] */
#define BAD_POOL_FREE_TWICE                 0x07u
#define BAD_POOL_WRONG_TAG                  0x0Au
#define BAD_POOL_BAD_ADDRESS                0x46u

/* 0x1A MEMORY_MANAGEMENT, parameter 1 */
#define MM_MAP_UNLOCKED_PAGE                0x1233u /* [D] P2 the frame */
#define MM_INVALID_PAGES_FREE               0x1236u /* [R] P2 MDL, P3 PFN entry, P4 its frame */
#define MM_SIM_BAD_PARTIAL                  0x51A2u /* [S] IoBuildPartialMdl outside its source */

/* 0x4E PFN_LIST_CORRUPT, parameter 1 [D] */
#define PFN_UNLOCKED_TOO_OFTEN              0x07u

/* Parameter 3 of 0x0A and 0xD1: the access was an instruction fetch (execute). */
#define IRQL_FAULT_EXECUTE                  0x8u

#endif /* SIM_BUGCODES_H */
