/*
 * resmap_sim.h - the simulator's own C interface (stable: code outside the project relies on it).
 *
 * libresmap-sim is a user-mode model of the NT memory manager's reserved-mapping family. It exports the
 * kernel functions under their Windows names (declared in the simulator's <wdm.h>), acting on the
 * calling thread's current machine, and this small API around them:
 *   - machines: create, destroy, select per thread, inspect (bugcheck, counters, call trace);
 *   - simulated user memory that MmProbeAndLockPages can lock;
 *   - fault injection;
 *   - the simulated I/O manager: sessions and METHOD_BUFFERED IOCTLs into the driver core.
 * Every function here is safe to call with any argument values: bad input returns an error, it never
 * kills the process. Functions that take a machine accept NULL and then do nothing (return 0/NULL).
 */
#ifndef RESMAP_SIM_H
#define RESMAP_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RESMAP_SIM_API __attribute__((visibility("default")))

typedef struct resmap_sim_machine resmap_sim_machine;
typedef struct resmap_sim_session resmap_sim_session;

/* Windows build numbers the simulator distinguishes. */
#define RESMAP_SIM_BUILD_WIN81      9600u   /* header-based reservations; no MmAllocateMappingAddressEx */
#define RESMAP_SIM_BUILD_WIN10_1507 10240u  /* reservation tree; no MmAllocateMappingAddressEx */
#define RESMAP_SIM_BUILD_WIN10_2004 19041u  /* first build with MmAllocateMappingAddressEx */
#define RESMAP_SIM_BUILD_DEFAULT    22631u  /* Windows 11 23H2 */

/* Configuration of a new machine. Zero in any field means its default. */
typedef struct resmap_sim_config {
    uint32_t struct_size;       /* sizeof(resmap_sim_config), for future growth; 0 = current */
    uint32_t windows_build;     /* RESMAP_SIM_BUILD_*; default RESMAP_SIM_BUILD_DEFAULT */
    uint32_t physical_pages;    /* frames of simulated physical memory; default 8192 (32 MiB) */
    uint32_t system_ptes;       /* size of the system PTE pool in pages; default 4096 */
    uint32_t pool_bytes;        /* nonpaged pool limit in bytes; default 16 MiB */
    uint32_t flags;             /* RESMAP_SIM_FLAG_* */
} resmap_sim_config;

#define RESMAP_SIM_FLAG_NO_VERIFIER 0x1u  /* do not model Driver Verifier's checks (0xC4) */
#define RESMAP_SIM_FLAG_TRACE       0x2u  /* record the call trace from creation on */

/* A status resmap_sim_ioctl returns when the machine has bugchecked (before or during the request).
 * It is not an NTSTATUS the device ever returns; only the simulator uses it. */
#define RESMAP_SIM_STATUS_BUGCHECKED ((int32_t)0xE0DA0BCEu)

/* Machines. NULL cfg = defaults. Returns NULL (never aborts) if the host refuses memory. */
RESMAP_SIM_API resmap_sim_machine *resmap_sim_create(const resmap_sim_config *cfg);
/* Frees everything the machine holds, whatever state it is in (even bugchecked, even with open
 * sessions, which are closed without running the core). Unselects it from the calling thread. */
RESMAP_SIM_API void resmap_sim_destroy(resmap_sim_machine *m);
/* Makes m the calling thread's current machine (NULL: none). The exported kernel functions act on it. */
RESMAP_SIM_API void resmap_sim_select(resmap_sim_machine *m);
RESMAP_SIM_API resmap_sim_machine *resmap_sim_current(void);

/* 1 once the machine has bugchecked, filling code and params (either may be NULL); else 0. */
RESMAP_SIM_API int resmap_sim_bugcheck(resmap_sim_machine *m, uint32_t *code, uint64_t params[4]);

/* Counters of every resource, for leak checks and for `info`. */
typedef struct resmap_sim_counters {
    uint64_t reservations;          /* live MmAllocateMappingAddress(Ex) ranges */
    uint64_t reserved_pages;        /* pages in those ranges (excluding header PTEs) */
    uint64_t reserved_mapped_pages; /* reserved pages currently mapped */
    uint64_t ordinary_mappings;     /* live MmMapLockedPagesSpecifyCache mappings */
    uint64_t ordinary_mapped_pages;
    uint64_t ptes_used;             /* system PTEs in use (reservations + headers + ordinary mappings) */
    uint64_t ptes_total;
    uint64_t frames_allocated;      /* frames held by MmAllocatePagesForMdlEx MDLs */
    uint64_t frames_user;           /* frames backing simulated user memory */
    uint64_t frames_locked;         /* frames (user memory or pool) locked by MmProbeAndLockPages */
    uint64_t frames_total;
    uint64_t mdls;                  /* live MDLs (IoAllocateMdl and MmAllocatePagesForMdlEx) */
    uint64_t pool_allocations;      /* live pool blocks (MDLs excluded) */
    uint64_t pool_bytes;
    uint64_t user_buffers;          /* live resmap_sim_user_alloc buffers */
    uint64_t sessions;              /* open file objects (resmap_sim_open; duplicates not counted) */
    uint64_t calls;                 /* kernel calls made so far */
} resmap_sim_counters;

/* Fills *out; returns 0, or -1 for a NULL argument. */
RESMAP_SIM_API int resmap_sim_get_counters(resmap_sim_machine *m, resmap_sim_counters *out);

/* Fault injection: the n-th next allocation of a kind (n = 1: the very next one) fails the way the
 * real kernel fails it (NULL). n = 0 cancels. Returns 0, or -1 for an unknown kind. */
#define RESMAP_SIM_FAULT_RESERVATION 1  /* MmAllocateMappingAddress(Ex) */
#define RESMAP_SIM_FAULT_PAGES       2  /* MmAllocatePagesForMdlEx */
#define RESMAP_SIM_FAULT_MDL         3  /* IoAllocateMdl */
#define RESMAP_SIM_FAULT_POOL        4  /* ExAllocatePool2 / ExAllocatePoolWithTag */
#define RESMAP_SIM_FAULT_MAPPING     5  /* MmMapLockedPagesSpecifyCache (system PTEs short) */
RESMAP_SIM_API int resmap_sim_fail_nth(resmap_sim_machine *m, int kind, uint32_t n);
/* The same, persistently: the n-th next allocation of the kind and every later one fail, until
 * cancelled with n = 0 (either call). Returns 0, or -1 for an unknown kind. */
RESMAP_SIM_API int resmap_sim_fail_from(resmap_sim_machine *m, int kind, uint32_t n);
/* Allocations of a kind attempted so far (to drive "fail the 1st, 2nd, ... allocation" loops). */
RESMAP_SIM_API uint64_t resmap_sim_allocations(resmap_sim_machine *m, int kind);

/* The host mapping budget. Every simulated mapping is a real host mapping, and Linux caps a process's
 * mappings at vm.max_map_count; the simulator keeps its own below a budget derived from that sysctl and
 * from the mappings the process had when the first machine was made (less an eighth of the cap, left to
 * the rest of the process). A reservation, an ordinary mapping or a user buffer whose host mappings
 * would pass the budget is refused as Windows refuses one it has no resources for (NULL), before any
 * state changes. resmap_sim_host_budget reports the process-wide use and limit (either pointer may be
 * NULL); resmap_sim_set_host_budget sets the limit (for tests; 0 = derive it from the host again). */
RESMAP_SIM_API void resmap_sim_host_budget(uint64_t *used, uint64_t *limit);
RESMAP_SIM_API void resmap_sim_set_host_budget(uint64_t limit);

/* A machine stops with this code (not a Windows bug check) if the host refuses an mmap the simulator
 * cannot do without (P1 errno, P2 address, P3 pages): its state would otherwise drift from the host's. */
#define RESMAP_SIM_HOST_FAULT 0xE0DA0F00u

/* Call trace: one line per kernel call, e.g.
 *   MmAllocateMappingAddress(8192, 'RsMp') = sysva+0x2000
 *   MmMapLockedPagesWithReservedMapping(sysva+0x2000, 'RsMp', mdl#3, MmCached) = sysva+0x2010
 * Addresses are shown as offsets (sysva+, user+) and MDLs by number, never as real addresses.
 * resmap_sim_trace_read copies whole lines (each ending in '\n') into buf, NUL-terminated, removes
 * them from the trace, and returns the number of bytes copied (without the NUL). */
RESMAP_SIM_API void resmap_sim_trace_enable(resmap_sim_machine *m, int on);
RESMAP_SIM_API size_t resmap_sim_trace_read(resmap_sim_machine *m, char *buf, size_t len);

/* Simulated user memory: page-aligned, backed by frames of the simulated physical memory and
 * mapped read/write into this process, so MmProbeAndLockPages(UserMode) can lock it. Returns NULL
 * for 0 bytes or when frames run out. Freeing a buffer that is still locked, or still mapped in system space, is refused (-1). */
RESMAP_SIM_API void *resmap_sim_user_alloc(resmap_sim_machine *m, size_t bytes);
RESMAP_SIM_API int resmap_sim_user_free(resmap_sim_machine *m, void *p);

/* Checked access to a system address: reads one byte at va the way kernel code would, but if the
 * page is not mapped (a reserved page with an empty PTE, or no valid system address) records bugcheck
 * 0x50 PAGE_FAULT_IN_NONPAGED_AREA instead of faulting. Returns 0 and sets *value, or -1. */
RESMAP_SIM_API int resmap_sim_touch(resmap_sim_machine *m, const void *va, uint8_t *value);

/* Caching types (MEMORY_CACHING_TYPE values, -1 = MmNotMapped), for inspection.
 * resmap_sim_frame_cache_type: what a frame was allocated for - the CacheType MmAllocatePagesForMdlEx
 * was given, MmCached for simulated user memory, -1 for a frame of MmAllocatePagesForMdl (no type of
 * its own), a free frame or a PFN the machine lacks.
 * resmap_sim_mapping_cache_type: the type the system page at va is mapped with - its frame's own type,
 * or the CacheType of the map call for a frame that has none - or -1 if the page is not mapped. Both
 * return -1 for a NULL machine. */
RESMAP_SIM_API int resmap_sim_frame_cache_type(resmap_sim_machine *m, uint64_t pfn);
RESMAP_SIM_API int resmap_sim_mapping_cache_type(resmap_sim_machine *m, const void *va);

/* Inspection, for tools that draw a machine's address space (resmap's --svg): what each system PTE
 * holds and which frames stand behind it, in the trace's own terms (PTE i is sysva + i * 4096; MDLs
 * by their trace number). Both functions fill out[0 .. count) starting at index first and return how
 * many entries they filled (0 past the end, or for NULL arguments). A dead machine can be inspected. */
#define RESMAP_SIM_PTE_FREE     0u  /* in no reservation and no mapping */
#define RESMAP_SIM_PTE_HEADER   1u  /* one of the two header PTEs in front of a reservation */
#define RESMAP_SIM_PTE_RESERVED 2u  /* a page of a reservation, mapped or not */
#define RESMAP_SIM_PTE_ORDINARY 3u  /* a page of an MmMapLockedPagesSpecifyCache mapping */
typedef struct resmap_sim_pte_view {
    uint32_t kind;          /* RESMAP_SIM_PTE_* */
    uint32_t tag;           /* header and reserved: the reservation's tag; else 0 */
    uint64_t owner;         /* header, reserved: PTE index of its reservation's first page;
                             * ordinary: PTE index of the mapping's first page; free: 0 */
    uint64_t frame;         /* the frame mapped by this PTE, or UINT64_MAX when none */
    uint32_t divisible;     /* reserved: 1 for an MM_MAPPING_ADDRESS_DIVISIBLE reservation */
    uint32_t reserved0;
} resmap_sim_pte_view;
RESMAP_SIM_API size_t resmap_sim_view_ptes(resmap_sim_machine *m, uint64_t first, resmap_sim_pte_view *out,
                                           size_t count);

#define RESMAP_SIM_FRAME_FREE      0u
#define RESMAP_SIM_FRAME_ALLOCATED 1u  /* held by an MmAllocatePagesForMdlEx MDL */
#define RESMAP_SIM_FRAME_USER      2u  /* backs simulated user memory */
typedef struct resmap_sim_frame_view {
    uint32_t use;           /* RESMAP_SIM_FRAME_* */
    uint32_t mdl;           /* allocated: the number of the MDL holding it (mdl#N in the trace); else 0 */
    uint64_t page;          /* allocated: its page index in that MDL; user: its offset in user memory
                             * divided by the page size (user+page*4096 in the trace); free: 0 */
    uint32_t locks;         /* MmProbeAndLockPages references */
    uint32_t maps;          /* system PTEs mapping it now */
} resmap_sim_frame_view;
RESMAP_SIM_API size_t resmap_sim_view_frames(resmap_sim_machine *m, uint64_t first,
                                             resmap_sim_frame_view *out, size_t count);

/* Writes value as the trace writes a bugcheck parameter (sysva+0x..., mdl#N, pool#N+0x..., else hex)
 * into buf, NUL-terminated; returns its length, or 0 for NULL arguments. */
RESMAP_SIM_API size_t resmap_sim_describe(resmap_sim_machine *m, uint64_t value, char *buf, size_t len);

/* IRQL of the calling thread on m (0 PASSIVE, 1 APC, 2 DISPATCH); set it to test IRQL checks. */
RESMAP_SIM_API uint8_t resmap_sim_irql(resmap_sim_machine *m);
RESMAP_SIM_API void resmap_sim_set_irql(resmap_sim_machine *m, uint8_t irql);

/* Simulated processes. A machine starts with process 1, in which every thread runs until it attaches
 * to another; user memory belongs to the process that allocated it and only that process can lock it.
 * resmap_sim_process_exit plays a process's exit as Windows does: process-notify routines (the driver
 * releases what the process locked), then its handles are closed, then its address space goes; pages
 * still locked then are bugcheck 0x76 PROCESS_HAS_LOCKED_PAGES (0, the process, locked pages, 0). */
#define RESMAP_SIM_PROCESS_FIRST 1u
/* A new process's id, or 0 (no machine, a dead machine, or 63 processes made already). */
RESMAP_SIM_API uint32_t resmap_sim_process_create(resmap_sim_machine *m);
/* The calling thread runs in that process from now on (on machine m). 0, or -1 for no such live process. */
RESMAP_SIM_API int resmap_sim_process_attach(resmap_sim_machine *m, uint32_t process);
/* The calling thread's process on machine m (0 for a NULL machine). */
RESMAP_SIM_API uint32_t resmap_sim_process_current(resmap_sim_machine *m);
/* 0 when the process exited cleanly, 1 when the machine bugchecked (during the exit or before),
 * -1 for no such live process or process 1 (which exits only with the machine). */
RESMAP_SIM_API int resmap_sim_process_exit(resmap_sim_machine *m, uint32_t process);

/* The simulated I/O manager: a session is a handle, in the calling thread's process, to a new file
 * object on the resmap device of machine m. */
RESMAP_SIM_API resmap_sim_session *resmap_sim_open(resmap_sim_machine *m);
/* DuplicateHandle: a second handle to the same file object, held by another (or the same) process.
 * Requests go out from the process that holds the handle; the file object is cleaned up and closed
 * when its last handle is closed. NULL for a dead or unknown process. */
RESMAP_SIM_API resmap_sim_session *resmap_sim_duplicate(resmap_sim_session *s, uint32_t process);
/* METHOD_BUFFERED, sent from the process that holds handle s: one system buffer of max(in_len,
 * out_len) bytes receives in; the core runs; the
 * first *bytes_returned bytes (never more than out_len) are copied to out. Returns the NTSTATUS, or
 * RESMAP_SIM_STATUS_BUGCHECKED. in/out may be NULL when their length is 0; a NULL with a non-zero
 * length returns STATUS_INVALID_PARAMETER (0xC000000D) without calling the core. */
RESMAP_SIM_API int32_t resmap_sim_ioctl(resmap_sim_session *s, uint32_t code, const void *in,
                                        uint32_t in_len, void *out, uint32_t out_len,
                                        uint32_t *bytes_returned);
/* Closes handle s. On the file object's last handle (in the closing process): IRP_MJ_CLEANUP at once,
 * IRP_MJ_CLOSE once the requests in flight on it have completed; returns after the close. From the
 * moment it begins, a request on s returns STATUS_FILE_CLOSED (0xC0000128) without reaching the
 * driver, and so does every later one: the handle's record stays until its machine is destroyed, so a
 * racing thread gets a status, not freed memory. Closing twice does nothing. */
RESMAP_SIM_API void resmap_sim_close(resmap_sim_session *s);

/* Protocol self-description, so that other languages can check their mirror of resmap_protocol.h.
 * Returns a static NUL-terminated text, one "name=value" per line, e.g.
 *   PROTOCOL_VERSION=1
 *   IOCTL_RESMAP_RESERVE=0x8e5ae004
 *   sizeof(RESMAP_MAP_IN)=48
 *   offsetof(RESMAP_MAP_IN,PoolTag)=40
 * covering every constant, struct size and field offset of the protocol header. */
RESMAP_SIM_API const char *resmap_sim_protocol_layout(void);

/* Benchmark floor: runs `iterations` cycles of IOCTL_RESMAP_MAP_RESERVED (the whole page set, caching
 * type MmCached, at offset 0 of the reservation) then IOCTL_RESMAP_UNMAP_RESERVED through
 * resmap_sim_ioctl on session s, with reused buffers. The reservation and page set are handles s
 * already owns. Returns 0, or the first status other than STATUS_SUCCESS (the cycle stops there).
 * This is what the Java benchmark compares its own map + unmap cycle with. */
RESMAP_SIM_API int32_t resmap_sim_bench_map_unmap(resmap_sim_session *s, uint64_t reservation,
                                                  uint64_t page_set, uint32_t pool_tag,
                                                  uint32_t iterations);
/* The same for either kind: ordinary != 0 sends IOCTL_RESMAP_MAP_ORDINARY / UNMAP_ORDINARY instead
 * (reservation and pool_tag are then unused). */
RESMAP_SIM_API int32_t resmap_sim_bench_cycles(resmap_sim_session *s, int32_t ordinary, uint64_t reservation,
                                               uint64_t page_set, uint32_t pool_tag, uint32_t iterations);

/* The same cycle on a machine and session of its own, for callers that do not speak the protocol (the
 * Java benchmark): open makes a machine large enough, a session, a reservation of `pages` pages
 * (unless ordinary) and a page set of as many (contiguous frames if asked); NULL if any of it fails. */
typedef struct resmap_sim_request_floor resmap_sim_request_floor;
RESMAP_SIM_API resmap_sim_request_floor *resmap_sim_bench_request_open(uint32_t pages, int32_t ordinary,
                                                                       int32_t contiguous);
RESMAP_SIM_API int32_t resmap_sim_bench_request_run(resmap_sim_request_floor *f, uint32_t iterations);
RESMAP_SIM_API void resmap_sim_bench_request_close(resmap_sim_request_floor *f);

/* The bare host floor of a map + unmap of `pages` pages in runs of `run_pages` consecutive memfd pages:
 * one mmap(MAP_FIXED | MAP_SHARED) per run and one anonymous PROT_NONE mmap(MAP_FIXED) over the range,
 * inside a larger PROT_NONE arena. open returns NULL if the host refuses; run returns 0 or a status. */
typedef struct resmap_sim_host_floor resmap_sim_host_floor;
RESMAP_SIM_API resmap_sim_host_floor *resmap_sim_bench_host_open(uint32_t pages, uint32_t run_pages);
RESMAP_SIM_API int32_t resmap_sim_bench_host_run(resmap_sim_host_floor *h, uint32_t iterations);
RESMAP_SIM_API void resmap_sim_bench_host_close(resmap_sim_host_floor *h);

#ifdef __cplusplus
}
#endif

#endif /* RESMAP_SIM_H */
