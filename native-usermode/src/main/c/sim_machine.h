/*
 * sim_machine.h - the state of one simulated machine and the helpers the simulated kernel calls share.
 *
 * Internal to libresmap-sim. Everything a machine owns hangs off struct resmap_sim_machine; the only
 * process-wide state is thread-local (the calling thread's current machine and its stack of guarded
 * calls, in sim_machine.c and sim_bugcheck.c).
 *
 * Locking: m->lock protects every field below but the thread records (thread-local, no lock). Kernel functions take it in sim_enter and drop it in
 * sim_leave; helpers named sim_*_locked expect it held. A bugcheck is raised only with the lock
 * released (it may unwind the stack with longjmp), and no host mutex is held while driver code runs.
 * The host mmap calls of a map or unmap run with the lock released, so that other sessions' work goes
 * on meanwhile: the reservation or ordinary mapping is marked busy for that time (its bookkeeping
 * already says what the host is about to show), and whatever would act on it or read through it
 * waits for host_idle first (sim_wait_idle_locked).
 */
#ifndef SIM_MACHINE_H
#define SIM_MACHINE_H

#include <wdm.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

#include "resmap_sim.h"
#include "sim_bugcodes.h"

/* ------------------------------------------------------------------ system PTEs */
enum sim_pte_kind {
    SIM_PTE_FREE = 0,
    SIM_PTE_HEADER,     /* one of the two extra PTEs in front of a reservation */
    SIM_PTE_RESERVED,   /* a page of a reservation */
    SIM_PTE_ORDINARY    /* a page of an MmMapLockedPagesSpecifyCache mapping */
};

#define SIM_NO_FRAME ((PFN_NUMBER)~(PFN_NUMBER)0)

/* Filled PTEs are kept as runs, not page by page: PTEs [pte, pte + pages) map frames [frame, frame +
 * pages). One map call of contiguous frames is one run, so its cost does not grow with its length. */
struct sim_pte_run {
    size_t pte;
    PFN_NUMBER frame;
    size_t pages;
    int8_t cache;           /* MEMORY_CACHING_TYPE the map call gave */
};

/* A run of consecutive frames found in a PFN array, on its way to being mapped. */
struct sim_frame_run {
    PFN_NUMBER first;
    size_t pages;
};

/* The filled PTEs of one reservation or one ordinary mapping, in no particular order. */
struct sim_runs {
    struct sim_pte_run *run;
    size_t count, capacity;
    size_t pages;           /* sum of the runs' pages */
};

struct sim_reservation {
    struct sim_reservation *next;
    uint64_t host_charge;   /* host mappings charged for it (sim_host.c) */
    size_t first_pte;       /* the first usable page; its two header PTEs precede it */
    size_t pages;
    ULONG tag;
    int divisible;
    int busy;               /* a host call on its PTEs is running with the machine lock released */
    struct sim_runs mapped;
};

struct sim_ordinary_mapping {
    struct sim_ordinary_mapping *next, *prev;
    uint64_t host_charge;
    size_t first_pte;
    size_t pages;
    PMDL mdl;               /* compared, never dereferenced: the MDL may be gone */
    int busy;               /* its host mmap is running with the machine lock released */
    struct sim_runs mapped;
};

/* ------------------------------------------------------------------ physical frames */
enum sim_frame_use {
    SIM_FRAME_FREE = 0,
    SIM_FRAME_ALLOCATED,    /* held by an MmAllocatePagesForMdlEx MDL */
    SIM_FRAME_USER,         /* backs simulated user memory */
    SIM_FRAME_ORPHANED,     /* freed by MmFreePagesFromMdl while still mapped: free once unmapped */
    SIM_FRAME_POOL          /* behind a page of the pool arena (sim_pool_arena.c), for the machine's life */
};

struct sim_user_buffer {
    struct sim_user_buffer *next;
    uint64_t host_charge;
    size_t first_page;      /* page index in the user arena */
    size_t pages;
    PFN_NUMBER *frames;
    uint32_t process;       /* the simulated process whose memory it is */
};

/* ------------------------------------------------------------------ processes */
/* A simulated process: what the kernel model needs of an EPROCESS. Its address is the PEPROCESS that
 * PsGetCurrentProcess returns and an MDL of its pages names (MDL.Process). Ids are 1-based indexes. */
#define SIM_MAX_PROCESSES 64
struct sim_process {
    int alive;
    uint64_t locked_pages;  /* pages MmProbeAndLockPages locked in it and not yet unlocked */
};

/* ------------------------------------------------------------------ pool */
enum sim_block_kind {
    SIM_BLOCK_POOL = 1,     /* ExAllocatePool2 / ExAllocatePoolWithTag */
    SIM_BLOCK_IO_MDL,       /* IoAllocateMdl */
    SIM_BLOCK_PAGES_MDL     /* MmAllocatePagesForMdlEx */
};

struct sim_block {
    struct sim_block *next;
    struct sim_block *prev;
    void *data;             /* the caller's memory: in the pool arena for pool, right behind this for MDLs */
    enum sim_block_kind kind;
    ULONG tag;
    int paged;
    int holds_frames;       /* pages MDL whose frames MmFreePagesFromMdl has not yet returned */
    uint32_t number;        /* shown as mdl#N or pool#N in the trace */
    size_t bytes;
    /* an MDL follows, 16-byte aligned */
} __attribute__((aligned(16)));

/* One page of the pool arena. A page is free, the first or a later page of one block of a page or
 * more, or a slab of equal slots for blocks smaller than a page; a page holds only paged or only
 * nonpaged blocks, so whether a page can be paged out is a property of the page. */
enum sim_pool_page_state {
    SIM_POOL_PAGE_FREE = 0,
    SIM_POOL_PAGE_LARGE_FIRST,
    SIM_POOL_PAGE_LARGE_REST,
    SIM_POOL_PAGE_SLAB
};

struct sim_pool_page {
    uint8_t state;
    uint8_t paged;
    uint16_t slot_bytes;    /* slab: the size of each slot */
    uint16_t slots, free_slots;
    uint32_t first;         /* a large block's pages: the index of its first page */
    uint32_t pages;         /* the first page of a large block: how many pages it has */
    uint32_t next, prev;    /* slabs with a free slot, per class: page index + 1, 0 for none */
    uint64_t used[4];       /* slab: which slots hold a block (at most 256 slots of 16 bytes) */
};

#define SIM_POOL_CLASSES (PAGE_SIZE / 16)

#define SIM_RECENT_FREES 64

/* ------------------------------------------------------------------ threads */
/* The calling thread's state on one machine. It lives in the thread's own list (thread-local, see
 * sim_machine.c), is freed when the thread ends, and is found by the machine's serial, so no call
 * ever walks a list of all threads and no lock guards it: only its own thread touches it. */
struct sim_thread {
    struct sim_thread *next;
    const resmap_sim_machine *machine;
    uint64_t machine_serial; /* the machine's number, never reused (a new machine may reuse an address) */
    KIRQL irql;
    uint32_t process;       /* the simulated process the thread runs in; 0: the first (id 1) */
    int in_probe_wrapper;   /* inside ResmapProbeAndLockPages: a bad probe is a status, not a crash */
    NTSTATUS probe_status;  /* what the wrapper returns */
};

/* ------------------------------------------------------------------ the machine */
#define SIM_FAULT_KINDS 6   /* RESMAP_SIM_FAULT_* are 1..5 */

struct resmap_sim_machine {
    pthread_mutex_t lock;
    pthread_cond_t host_idle;   /* broadcast when a busy reservation or mapping is idle again */
    uint64_t serial;        /* unique for the life of the process; immutable */
    resmap_sim_config config;
    int verifier;

    /* bugcheck */
    int dead;
    ULONG bug_code;
    ULONG_PTR bug_params[4];

    /* physical memory: a memfd; a PFN is a page index in it. Frames [0, frames_total) are the machine's
     * memory; the pool arena's frames follow them, up to frames_all, so that locking pool has frames
     * to lock without changing what the machine's memory counters say. */
    int memfd;
    size_t frames_total;
    size_t frames_all;
    uint8_t *frame_use;
    int8_t *frame_cache;            /* MEMORY_CACHING_TYPE given at allocation; MmNotMapped if none */
    uint32_t *frame_locks;          /* MmProbeAndLockPages references */
    uint8_t *frame_marks;           /* scratch for sim_frames_first_mapped_locked */
    PFN_NUMBER *frame_identity;     /* frame_identity[i] == i: runs are found with memcmp */
    struct sim_frame_run *frame_runs; /* scratch: the runs the last frame check found (ptes_total) */
    size_t frame_hint;
    uint64_t frames_allocated, frames_user, frames_locked;
    uint64_t orphaned_frames;       /* SIM_FRAME_ORPHANED frames: freed while mapped */

    /* system VA: a PROT_NONE arena whose pages are the system PTEs */
    uint8_t *sysva;
    size_t ptes_total, ptes_used;
    uint8_t *pte_kind;
    size_t pte_lowest_free;         /* no PTE below it is free: where a first-fit search starts */
    struct sim_reservation **pte_reservation;          /* every PTE of a reservation, headers included */
    struct sim_ordinary_mapping **pte_ordinary;        /* the first PTE of each ordinary mapping */
    struct sim_reservation *reservations;
    struct sim_ordinary_mapping *ordinary;
    uint64_t reservation_count, reserved_pages, reserved_mapped_pages;
    uint64_t ordinary_count, ordinary_mapped_pages;

    /* simulated processes; processes[0] (id 1) exists from creation on and never exits */
    struct sim_process processes[SIM_MAX_PROCESSES];
    uint32_t process_count;
    void (*io_on_process_exit)(void *state, uint32_t process);

    /* simulated user memory: a PROT_NONE arena into which user buffers map frames */
    uint8_t *userva;
    size_t user_pages;
    uint8_t *user_page_used;
    struct sim_user_buffer *user_buffers;
    uint64_t user_buffer_count;

    /* pool and MDLs */
    uint8_t *pool_va;               /* the pool arena: page k is frame frames_total + k, mapped once */
    size_t pool_pages;
    struct sim_pool_page *pool_page;
    size_t pool_lowest_free;        /* no arena page below it is free */
    uint32_t pool_slabs[2][SIM_POOL_CLASSES]; /* [paged][slot / 16 - 1]: slabs with a free slot, index + 1 */
    struct sim_block pool_head;     /* circular list of live blocks, newest first */
    struct sim_block **block_index; /* the same blocks by address (open addressing), for exact lookups */
    size_t block_index_size, block_index_used;
    uint64_t pool_allocations, pool_bytes, mdl_count;
    uint32_t next_block_number;     /* blocks are shown as pool#N or mdl#N */
    void *recent_frees[SIM_RECENT_FREES];
    unsigned recent_free_next;

    /* host mappings this machine has charged to the process's budget (sim_host.c) */
    uint64_t host_charged;
    int host_leaked;                /* an arena the host would not unmap: its charge is never given back */

    /* fault injection */
    uint64_t attempts[SIM_FAULT_KINDS];
    uint64_t fail_at[SIM_FAULT_KINDS];
    int fail_on[SIM_FAULT_KINDS];   /* persistent: every attempt from fail_at on fails */

    /* counters, trace, I/O manager */
    uint64_t calls;
    uint64_t sessions;
    int tracing;
    char *trace;
    size_t trace_len, trace_cap;
    void *io_state;
    void (*io_on_destroy)(void *state, int dead);
};

/* ------------------------------------------------------------------ one kernel call */
/* What sim_enter and sim_leave share: the trace line being built and a bugcheck to raise once the
 * machine lock is released. */
struct sim_call {
    resmap_sim_machine *m;
    const char *name;
    char args[320];
    char result[96];
    int quiet;              /* not traced: locks and IRQL calls would drown the narration */
    int bugcheck_pending;
    ULONG code;
    ULONG_PTR params[4];
};

/* What a routine's IRQL check raises when it is called above its documented maximum (Driver Verifier
 * on): the code, its parameter 1 and parameters 3 and 4; parameter 2 is always the current IRQL.
 * docs/kernel-facts.md names the code each routine uses. */
struct sim_irql_check {
    KIRQL max;
    ULONG code;
    ULONG_PTR p1, p3, p4;
};

/* Driver Verifier's own code for the routine: 0xC4 with this parameter 1. */
#define SIM_VERIFIER_IRQL(max_irql, sub, p3, p4)                                                   \
    (&(const struct sim_irql_check){ (max_irql), DRIVER_VERIFIER_DETECTED_VIOLATION, (sub),       \
                                     (ULONG_PTR)(p3), (ULONG_PTR)(p4) })
/* Driver Verifier documents no code for the routine: the call is modelled as the kernel's own IRQL
 * fault of code that must not run at this IRQL (Verifier's IRQL checking pages pageable code out), an
 * instruction fetch: 0x0A (the routine's address, IRQL, execute, the routine's address) [S]. */
#define SIM_KERNEL_IRQL_FAULT(max_irql, routine)                                                       \
    (&(const struct sim_irql_check){ (max_irql), IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)(routine),    \
                                     IRQL_FAULT_EXECUTE, (ULONG_PTR)(routine) })

/* Starts a kernel call on the calling thread's current machine: returns it locked, or NULL when no
 * machine is selected, the machine is dead, or (Verifier on) the IRQL is above irql->max (then the
 * bugcheck irql describes has been raised). irql NULL: no IRQL check. The call is counted and, when
 * tracing, will be traced. */
resmap_sim_machine *sim_enter(struct sim_call *call, const char *name,
                              const struct sim_irql_check *irql);
/* A call that only checks its IRQL and is never traced (PAGED_CODE, acquiring a fast mutex): the same
 * outcome as sim_enter + sim_leave of a quiet call, without the machine lock unless the IRQL is
 * wrong. Returns the machine, or NULL as sim_enter does (the violation then raised). */
resmap_sim_machine *sim_check_call(const char *name, const struct sim_irql_check *irql);
/* Ends it: unlocks, writes the trace line, raises the pending bugcheck (which may not return). */
void sim_leave(struct sim_call *call);
/* Records a bugcheck to raise in sim_leave. Only the first one of a call counts. */
void sim_call_bugcheck(struct sim_call *call, ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3,
                       ULONG_PTR p4);
void sim_call_args(struct sim_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_call_result(struct sim_call *call, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Marks m dead with this bugcheck (the first one wins) and, inside a guarded call of m, abandons it.
 * Called without m->lock. */
void sim_bugcheck(resmap_sim_machine *m, ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3,
                  ULONG_PTR p4);
/* Inside a guarded call of a dead machine: abandons it. Otherwise returns. */
void sim_unwind_if_dead(resmap_sim_machine *m);

/* The calling thread's record on m (created on first use; NULL only if the host is out of memory).
 * Thread-local: needs no lock. */
struct sim_thread *sim_thread(const resmap_sim_machine *m);
KIRQL sim_irql(const resmap_sim_machine *m);
/* How many such records all threads hold between them (the tests check that ended threads hold none). */
uint64_t sim_thread_records_live(void);

/* Fault injection: counts an attempt of this kind and says whether it must fail. */
int sim_fault_locked(resmap_sim_machine *m, int kind);

/* Trace helpers: append a line; format an address, MDL or tag as the trace shows them. */
void sim_trace_line_locked(resmap_sim_machine *m, const char *line);
void sim_format_address_locked(resmap_sim_machine *m, const void *va, char *buf, size_t len);
void sim_format_mdl_locked(resmap_sim_machine *m, const MDL *mdl, char *buf, size_t len);
void sim_format_tag(ULONG tag, char *buf, size_t len);
/* A bugcheck parameter: like an address or MDL when it points into the machine, else in hex. */
void sim_format_param_locked(resmap_sim_machine *m, ULONG_PTR value, char *buf, size_t len);
/* The trace line of a bugcheck: "<prefix>0x<code> (<p1>, <p2>, <p3>, <p4>)\n". */
void sim_format_bugcheck_locked(resmap_sim_machine *m, const char *prefix, ULONG code,
                                const ULONG_PTR params[4], char *buf, size_t len);
const char *sim_cache_name(MEMORY_CACHING_TYPE type);

/* The pool arena (sim_pool_arena.c): frame-backed pages for pool blocks. sim_pool_take returns room
 * for `bytes` (16-byte aligned; within one page below PAGE_SIZE, page-aligned from PAGE_SIZE on) or
 * NULL when the arena has none; sim_pool_give_back returns it. */
/* The arena's pages for a pool limit; sim_frames_init gives them frames, sim_pool_arena_init maps them. */
size_t sim_pool_arena_pages(size_t pool_bytes);
int sim_pool_arena_init(resmap_sim_machine *m);
void sim_pool_arena_destroy(resmap_sim_machine *m);
void *sim_pool_take_locked(resmap_sim_machine *m, size_t bytes, int paged);
void sim_pool_give_back_locked(resmap_sim_machine *m, void *p, size_t bytes);
/* The frame behind an arena page that holds a live block, or SIM_NO_FRAME; *paged (may be NULL)
 * says whether the page is paged pool. */
PFN_NUMBER sim_pool_frame_locked(const resmap_sim_machine *m, const void *va, int *paged);
/* Whether a frame is one of the pool arena's, and whether it is resident without a lock (a frame
 * of nonpaged pool). */
int sim_pool_frame_is_pool(const resmap_sim_machine *m, PFN_NUMBER pfn);
int sim_pool_frame_nonpaged_locked(const resmap_sim_machine *m, PFN_NUMBER pfn);
/* The start of the slot or pages that hold va, or NULL outside the arena or on a free page. */
void *sim_pool_room_start_locked(const resmap_sim_machine *m, const void *va);

/* Pool blocks (sim_pool.c). */
void *sim_block_alloc_locked(resmap_sim_machine *m, enum sim_block_kind kind, size_t bytes, ULONG tag,
                             int paged);
struct sim_block *sim_block_find_locked(resmap_sim_machine *m, const void *p);
void sim_block_free_locked(resmap_sim_machine *m, struct sim_block *b);
void sim_block_free_all_locked(resmap_sim_machine *m);
struct sim_block *sim_block_containing_locked(resmap_sim_machine *m, const void *p);

/* Physical frames (sim_frames.c). */
int sim_frames_init(resmap_sim_machine *m);
void sim_frames_destroy(resmap_sim_machine *m);
/* Takes up to count free frames whose addresses lie in [low, high], not always contiguous unless
 * contiguous is set; zeroes them if zero is set. Returns how many it took. */
size_t sim_frames_take_locked(resmap_sim_machine *m, PFN_NUMBER *out, size_t count, uint64_t low,
                              uint64_t high, int contiguous, int zero, enum sim_frame_use use);
/* Takes whole chunks of `chunk` contiguous free frames, each starting at a multiple of `align` frames,
 * until `count` frames are taken or no chunk is left. Returns how many frames it took. */
size_t sim_frames_take_chunks_locked(resmap_sim_machine *m, PFN_NUMBER *out, size_t count, size_t chunk,
                                     size_t align, uint64_t low, uint64_t high, int zero,
                                     enum sim_frame_use use);
void sim_frames_release_locked(resmap_sim_machine *m, const PFN_NUMBER *frames, size_t count);
/* Frees the frames MmFreePagesFromMdl left orphaned (freed while mapped) that nothing maps any more. */
void sim_frames_free_orphans_locked(resmap_sim_machine *m);
/* Index of the first of frames[0..count) that the machine does not hold (free or beyond its memory),
 * or count if it holds them all. Checked run by run; the runs are left in m->frame_runs for the map
 * that follows, *runs saying how many (or (size_t)-1 if there were more than the ptes_total that fit:
 * more than any mapping can have). */
size_t sim_frames_first_invalid_locked(resmap_sim_machine *m, const PFN_NUMBER *frames, size_t count,
                                       size_t *runs);
/* Index of the first of frames[0..count) that some system PTE maps, or count if none is mapped; every
 * mapped frame is left marked in m->frame_marks. */
size_t sim_frames_first_mapped_locked(resmap_sim_machine *m, const PFN_NUMBER *frames, size_t count);

/* Mapping frames at real addresses (sim_frames.c). The host mappings this needs must have been
 * charged (sim_machine_charge_locked) by the caller. writable = 0 maps them PROT_READ, so a write
 * through the mapping faults for real. A host refusal is a host fault (the machine is stopped) and
 * -1; nothing is then left mapped. */
int sim_map_frames(resmap_sim_machine *m, void *va, const PFN_NUMBER *frames, size_t count, int writable);
/* One run: pages consecutive frames from `first` at va (one host mmap; a refusal is a host fault). */
int sim_map_run(resmap_sim_machine *m, void *va, PFN_NUMBER first, size_t pages, int writable);
/* The host calls alone, which need no lock: 0, or the host's errno (nothing recorded). */
int sim_host_map_run(int memfd, void *va, PFN_NUMBER first, size_t pages, int writable);
int sim_host_unmap_to_reserved(void *va, size_t pages);
/* A PROT_NONE arena of this many pages, reserved but backed by nothing (the system PTEs, user memory),
 * charged as one host mapping; NULL if the budget or the host refused. sim_arena_release gives it
 * back to the host. */
void *sim_arena_reserve(resmap_sim_machine *m, size_t pages);
void sim_arena_release(resmap_sim_machine *m, void *arena, size_t pages);
/* Puts pages back to reserved (PROT_NONE); a host refusal is a host fault and -1. */
int sim_unmap_to_reserved(resmap_sim_machine *m, void *va, size_t pages);

/* The host mapping budget (sim_host.c): charge fails (-1) when the process's simulator mappings
 * would pass the budget; the machine variants keep m->host_charged, given back at destroy. */
int sim_host_charge(uint64_t mappings);
void sim_host_uncharge(uint64_t mappings);
int sim_machine_charge_locked(resmap_sim_machine *m, uint64_t mappings);
void sim_machine_uncharge_locked(resmap_sim_machine *m, uint64_t mappings);
/* Host mappings that mapping these frames in order may add: 2 per run of consecutive frames. */
uint64_t sim_runs(const PFN_NUMBER *frames, size_t count);
#define SIM_HOST_MAPPINGS_PER_RUN 2u
/* Records the host's refusal of an mmap (errno `error`) as the machine's stop code SIM_HOST_FAULT. */
void sim_host_fault_locked(resmap_sim_machine *m, const char *what, const void *va, size_t pages, int error);

/* System PTEs (sim_ptes.c). */
int sim_ptes_init(resmap_sim_machine *m);
void sim_ptes_destroy(resmap_sim_machine *m);
/* First fit of count free PTEs; returns the first index or (size_t)-1. */
size_t sim_ptes_take_locked(resmap_sim_machine *m, size_t count, enum sim_pte_kind kind);
void sim_ptes_release_locked(resmap_sim_machine *m, size_t first, size_t count);
/* PTE index of a system address, or (size_t)-1 outside the arena. */
size_t sim_pte_index(const resmap_sim_machine *m, const void *va);
void *sim_pte_address(const resmap_sim_machine *m, size_t index);
/* Maps the first `runs` runs of m->frame_runs (as sim_mdl_check_frames_locked left them) into PTEs
 * from `first` on with a caching type, one host mmap per run, and records them in `into`; -1 if the
 * host refused (nothing then mapped). With busy non-NULL the runs are recorded first and the host calls
 * made with m->lock released and *busy set (see "Locking" above). */
int sim_ptes_map_locked(resmap_sim_machine *m, struct sim_runs *into, size_t first, size_t runs,
                        MEMORY_CACHING_TYPE cache, int writable, int *busy);
/* Empties PTEs [first, first + count) of `from` (one host call) and forgets their runs; with busy
 * non-NULL the host call is made with m->lock released and *busy set. */
void sim_ptes_unmap_locked(resmap_sim_machine *m, struct sim_runs *from, size_t first, size_t count,
                           int *busy);
/* The ordinary mapping system PTE i belongs to, or NULL (found by a walk of the ordinary mappings:
 * only their first PTE is indexed). */
struct sim_ordinary_mapping *sim_ordinary_of_pte_locked(resmap_sim_machine *m, size_t i);
/* Whether system PTE i belongs to a reservation or mapping whose host call is in flight. */
int sim_pte_busy_locked(resmap_sim_machine *m, size_t i);
/* Waits (m->lock released meanwhile) until some busy reservation or mapping is idle again; whatever
 * the caller looked up before may have changed, so it looks again. */
void sim_wait_idle_locked(resmap_sim_machine *m);
/* How many of PTEs [first, first + count) the runs fill. */
size_t sim_runs_pages_in(const struct sim_runs *runs, size_t first, size_t count);
void sim_runs_free(struct sim_runs *runs);
/* The frame system PTE i maps, or SIM_NO_FRAME; *cache (may be NULL) gets its caching type. */
PFN_NUMBER sim_pte_frame_locked(resmap_sim_machine *m, size_t i, int *cache);

/* What MmMapLockedPagesSpecifyCache and MmMapLockedPagesWithReservedMapping both ask of an MDL
 * (sim_mdl.c), in the order they ask it. Each check returns 0, or -1 with the bugcheck recorded on
 * call: the MDL is mappable (Verifier only: its flags say locked, and for an ordinary mapping it has no
 * system mapping yet), and the frames of its first `pages` pages are locked (Verifier 0x85, else
 * 0x1A/0x1233; *runs then says how many runs of them m->frame_runs holds for sim_ptes_map_locked).
 * sim_mdl_mark_mapped sets the flags a successful system mapping leaves on the MDL. */
int sim_mdl_check_mappable_locked(struct sim_call *call, PMDL mdl, size_t pages, int ordinary);
int sim_mdl_check_frames_locked(struct sim_call *call, PMDL mdl, size_t pages, size_t *runs);
void sim_mdl_mark_mapped(PMDL mdl);

/* Ordinary mappings (sim_ordinary.c): releases the one at va made for mdl; -1 if there is none. With
 * unlocked_host_call set the host call runs with m->lock released (the caller then keeps no state
 * it looked up across the call). */
int sim_ordinary_release_locked(resmap_sim_machine *m, const void *va, const MDL *mdl,
                                int unlocked_host_call);

/* Simulated user memory (sim_user.c): the frame behind a user address, or SIM_NO_FRAME; the second
 * counts only an address of that process's memory (another process does not have the address). */
PFN_NUMBER sim_user_frame_locked(resmap_sim_machine *m, const void *va);
PFN_NUMBER sim_user_frame_of_process_locked(resmap_sim_machine *m, const void *va, uint32_t process);
/* Frees every buffer of a process that nothing locks or maps; returns how many are left. */
size_t sim_user_free_process_locked(resmap_sim_machine *m, uint32_t process);

/* Simulated processes (sim_process.c). */
void sim_process_init(resmap_sim_machine *m);
uint32_t sim_current_process_id_locked(resmap_sim_machine *m);
struct sim_process *sim_process_locked(resmap_sim_machine *m, uint32_t id);
int sim_user_init(resmap_sim_machine *m);
void sim_user_destroy(resmap_sim_machine *m);

/* How many of the n bytes from p equal value: the per-frame tables (uses, caching types) are asked
 * this along every run a map call has (sim_frames.c). */
size_t sim_byte_span(const void *p, size_t n, uint8_t value);

/* Pages that hold this many bytes, without overflowing near SIZE_MAX. */
#define SIM_PAGES(bytes) (((bytes) >> PAGE_SHIFT) + (((bytes) & (PAGE_SIZE - 1)) != 0))

#endif /* SIM_MACHINE_H */
