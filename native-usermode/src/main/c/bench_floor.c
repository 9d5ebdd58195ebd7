/*
 * bench_floor.c - the C floors the Java benchmarks compare with (benchmarks/, docs/benchmarks.md).
 *
 * resmap_sim_bench_cycles drives the very map and unmap IOCTLs the Java API sends, through
 * resmap_sim_ioctl, in a C loop, so the difference between the two is what the Java side adds (JNA,
 * codec, object bookkeeping) and nothing else. The request and reply buffers live on the stack and are
 * reused, as a careful C client would do.
 *
 * The host floor is what any map + unmap must cost at least on this host: one
 * mmap(MAP_FIXED | MAP_SHARED) of each run of memfd pages and one anonymous PROT_NONE mmap back over
 * the range, inside a larger PROT_NONE arena (as a reservation lies inside the system PTE arena), so
 * that the host splits and merges its mappings as it does for the simulator.
 */
#define _GNU_SOURCE
#include <wdm.h>

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "resmap_protocol.h"
#include "resmap_sim.h"

/* The caching type Java's Reservation.map passes for a page set allocated as MmCached. */
#define BENCH_CACHING_TYPE 1u
/* The pool tag of the floor's own reservations. */
#define RESMAP_BENCH_TAG 'BnCh'
/* Pages of arena on each side of the host floor's mapping (the two header PTEs in front). */
#define HOST_MARGIN 2u

RESMAP_SIM_API int32_t
resmap_sim_bench_cycles(resmap_sim_session *s, int32_t ordinary, uint64_t reservation, uint64_t page_set,
                        uint32_t pool_tag, uint32_t iterations)
{
    RESMAP_MAP_IN map_in;
    RESMAP_OBJECT_OUT map_out;
    RESMAP_TAGGED_IN unmap_reserved;
    RESMAP_HANDLE_IN unmap_ordinary;
    uint32_t returned;
    int32_t status;

    memset(&map_in, 0, sizeof(map_in));
    map_in.PageSet = page_set;
    map_in.Reservation = ordinary ? 0 : reservation;
    map_in.PoolTag = ordinary ? 0 : pool_tag;
    map_in.CachingType = BENCH_CACHING_TYPE;
    memset(&unmap_reserved, 0, sizeof(unmap_reserved));
    unmap_reserved.PoolTag = pool_tag;
    memset(&unmap_ordinary, 0, sizeof(unmap_ordinary));

    for (uint32_t i = 0; i < iterations; i++) {
        status = resmap_sim_ioctl(s, ordinary ? IOCTL_RESMAP_MAP_ORDINARY : IOCTL_RESMAP_MAP_RESERVED, &map_in,
                                  sizeof(map_in), &map_out, sizeof(map_out), &returned);
        if (status != STATUS_SUCCESS) {
            return status;
        }
        if (ordinary) {
            unmap_ordinary.Handle = map_out.Handle;
            status = resmap_sim_ioctl(s, IOCTL_RESMAP_UNMAP_ORDINARY, &unmap_ordinary, sizeof(unmap_ordinary),
                                      NULL, 0, &returned);
        } else {
            unmap_reserved.Handle = map_out.Handle;
            status = resmap_sim_ioctl(s, IOCTL_RESMAP_UNMAP_RESERVED, &unmap_reserved, sizeof(unmap_reserved),
                                      NULL, 0, &returned);
        }
        if (status != STATUS_SUCCESS) {
            return status;
        }
    }
    return STATUS_SUCCESS;
}

/* The reserved cycle alone, as the first benchmarks called it. */
RESMAP_SIM_API int32_t
resmap_sim_bench_map_unmap(resmap_sim_session *s, uint64_t reservation, uint64_t page_set, uint32_t pool_tag,
                           uint32_t iterations)
{
    return resmap_sim_bench_cycles(s, 0, reservation, page_set, pool_tag, iterations);
}

struct resmap_sim_request_floor {
    resmap_sim_machine *machine;
    resmap_sim_session *session;
    int32_t ordinary;
    uint64_t reservation, page_set;
};

static uint64_t create_object(resmap_sim_session *s, uint32_t code, const void *in, uint32_t len)
{
    RESMAP_OBJECT_OUT out;
    uint32_t returned = 0;
    memset(&out, 0, sizeof(out));
    return resmap_sim_ioctl(s, code, in, len, &out, sizeof(out), &returned) == STATUS_SUCCESS ? out.Handle : 0;
}

RESMAP_SIM_API resmap_sim_request_floor *resmap_sim_bench_request_open(uint32_t pages, int32_t ordinary,
                                                                       int32_t contiguous)
{
    resmap_sim_config cfg;
    RESMAP_RESERVE_IN reserve;
    RESMAP_ALLOCATE_IN allocate;
    resmap_sim_request_floor *f;
    if (pages == 0 || pages > 8192) {
        return NULL;
    }
    f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return NULL;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.struct_size = sizeof(cfg);
    cfg.physical_pages = 2 * pages + 64;   /* room for scattered frames */
    cfg.system_ptes = pages + 64;
    f->ordinary = ordinary;
    f->machine = resmap_sim_create(&cfg);
    f->session = f->machine == NULL ? NULL : resmap_sim_open(f->machine);
    if (f->session != NULL) {
        memset(&reserve, 0, sizeof(reserve));
        reserve.Bytes = (uint64_t)pages * PAGE_SIZE;
        reserve.PoolTag = RESMAP_BENCH_TAG;
        memset(&allocate, 0, sizeof(allocate));
        allocate.Bytes = (uint64_t)pages * PAGE_SIZE;
        allocate.CachingType = BENCH_CACHING_TYPE;
        allocate.Flags = contiguous ? RESMAP_ALLOCATE_PREFER_CONTIGUOUS : 0;
        f->reservation = ordinary ? 0 : create_object(f->session, IOCTL_RESMAP_RESERVE, &reserve, sizeof(reserve));
        f->page_set = create_object(f->session, IOCTL_RESMAP_ALLOCATE_PAGES, &allocate, sizeof(allocate));
    }
    if (f->page_set == 0 || (!ordinary && f->reservation == 0)) {
        resmap_sim_bench_request_close(f);
        return NULL;
    }
    return f;
}

RESMAP_SIM_API int32_t resmap_sim_bench_request_run(resmap_sim_request_floor *f, uint32_t iterations)
{
    if (f == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return resmap_sim_bench_cycles(f->session, f->ordinary, f->reservation, f->page_set, RESMAP_BENCH_TAG,
                                   iterations);
}

RESMAP_SIM_API void resmap_sim_bench_request_close(resmap_sim_request_floor *f)
{
    if (f == NULL) {
        return;
    }
    if (f->session != NULL) {
        resmap_sim_close(f->session);
    }
    resmap_sim_destroy(f->machine);
    free(f);
}

struct resmap_sim_host_floor {
    int memfd;
    uint8_t *arena;
    size_t pages, run_pages;
};

RESMAP_SIM_API resmap_sim_host_floor *resmap_sim_bench_host_open(uint32_t pages, uint32_t run_pages)
{
    resmap_sim_host_floor *h;
    size_t span;
    if (pages == 0 || run_pages == 0 || pages > (1u << 20)) {
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return NULL;
    }
    h->pages = pages;
    h->run_pages = run_pages < pages ? run_pages : pages;
    span = pages + 2 * HOST_MARGIN;
    h->memfd = memfd_create("resmap-bench-host", MFD_CLOEXEC);
    /* Room for the one-frame gaps that scattered runs leave between them. */
    if (h->memfd < 0 || ftruncate(h->memfd, (off_t)(2 * pages * PAGE_SIZE)) != 0) {
        if (h->memfd >= 0) {
            close(h->memfd);
        }
        free(h);
        return NULL;
    }
    h->arena = mmap(NULL, span * PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (h->arena == MAP_FAILED) {
        close(h->memfd);
        free(h);
        return NULL;
    }
    return h;
}

RESMAP_SIM_API int32_t resmap_sim_bench_host_run(resmap_sim_host_floor *h, uint32_t iterations)
{
    uint8_t *at;
    if (h == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    at = h->arena + HOST_MARGIN * PAGE_SIZE;
    for (uint32_t k = 0; k < iterations; k++) {
        for (size_t first = 0, run = 0; first < h->pages; first += h->run_pages, run++) {
            size_t len = h->pages - first < h->run_pages ? h->pages - first : h->run_pages;
            off_t frame = (off_t)(first + (h->run_pages < h->pages ? run : 0));
            if (mmap(at + first * PAGE_SIZE, len * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                     h->memfd, frame * PAGE_SIZE) == MAP_FAILED) {
                return STATUS_INSUFFICIENT_RESOURCES;
            }
        }
        if (mmap(at, h->pages * PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
                 -1, 0) == MAP_FAILED) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    return STATUS_SUCCESS;
}

RESMAP_SIM_API void resmap_sim_bench_host_close(resmap_sim_host_floor *h)
{
    if (h == NULL) {
        return;
    }
    munmap(h->arena, (h->pages + 2 * HOST_MARGIN) * PAGE_SIZE);
    close(h->memfd);
    free(h);
}
