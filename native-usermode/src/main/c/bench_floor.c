/*
 * bench_floor.c - the C floor for the Java benchmark of a reserved map + unmap cycle.
 *
 * The Java benchmark (benchmarks/, javaReservedMapUnmap) maps one page set into one reservation and
 * unmaps it again through the Java API. This function drives the very same two IOCTLs through
 * resmap_sim_ioctl in a C loop, so the difference between the two is what the Java side adds (JNA,
 * codec, object bookkeeping) and nothing else. The request and reply buffers live on the stack and are
 * reused, as a careful C client would do.
 */
#include <wdm.h>

#include "resmap_protocol.h"
#include "resmap_sim.h"

/* The caching type Java's Reservation.map passes for a page set allocated as MmCached. */
#define BENCH_CACHING_TYPE 1u

RESMAP_SIM_API int32_t
resmap_sim_bench_map_unmap(resmap_sim_session *s, uint64_t reservation, uint64_t page_set,
                           uint32_t pool_tag, uint32_t iterations)
{
    RESMAP_MAP_IN map_in;
    RESMAP_OBJECT_OUT map_out;
    RESMAP_TAGGED_IN unmap_in;
    uint32_t returned;
    int32_t status;
    uint32_t i;

    memset(&map_in, 0, sizeof(map_in));
    map_in.PageSet = page_set;
    map_in.Reservation = reservation;
    map_in.PoolTag = pool_tag;
    map_in.CachingType = BENCH_CACHING_TYPE;

    memset(&unmap_in, 0, sizeof(unmap_in));
    unmap_in.PoolTag = pool_tag;

    for (i = 0; i < iterations; i++) {
        status = resmap_sim_ioctl(s, IOCTL_RESMAP_MAP_RESERVED, &map_in, sizeof(map_in),
                                  &map_out, sizeof(map_out), &returned);
        if (status != STATUS_SUCCESS) {
            return status;
        }
        unmap_in.Handle = map_out.Handle;
        status = resmap_sim_ioctl(s, IOCTL_RESMAP_UNMAP_RESERVED, &unmap_in, sizeof(unmap_in),
                                  NULL, 0, &returned);
        if (status != STATUS_SUCCESS) {
            return status;
        }
    }
    return STATUS_SUCCESS;
}
