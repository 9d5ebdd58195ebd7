/*
 * protocol_layout.c - resmap_sim_protocol_layout(): the wire protocol as this library was compiled
 * with it, one "name=value" line per constant, struct size and field offset of resmap_protocol.h.
 *
 * Other languages mirror the header; comparing their mirror with this text catches any drift. Names
 * are the header's macro names, sizeof(STRUCT) and offsetof(STRUCT,Field). IOCTL codes are written
 * in hexadecimal ("0x8e5ae004"), everything else in decimal.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <wdm.h>

#include "resmap_protocol.h"
#include "resmap_sim.h"

static char layout_text[8192];
static size_t layout_used;
static pthread_once_t layout_once = PTHREAD_ONCE_INIT;

static void emit(const char *format, ...)
{
    va_list args;
    int written;

    va_start(args, format);
    written = vsnprintf(layout_text + layout_used, sizeof(layout_text) - layout_used, format, args);
    va_end(args);
    if (written > 0 && (size_t)written < sizeof(layout_text) - layout_used) {
        layout_used += (size_t)written;
    }
}

#define IOCTL(name)             emit("%s=0x%x\n", #name, (unsigned)(name))
#define VALUE(name)             emit("%s=%llu\n", #name, (unsigned long long)(name))
#define SIZE(type)              emit("sizeof(%s)=%zu\n", #type, sizeof(type))
#define OFFSET(type, field)     emit("offsetof(%s,%s)=%zu\n", #type, #field, offsetof(type, field))

static void build_layout(void)
{
    VALUE(RESMAP_PROTOCOL_VERSION);
    VALUE(RESMAP_DEVICE_TYPE);

    IOCTL(IOCTL_RESMAP_GET_INFO);
    IOCTL(IOCTL_RESMAP_RESERVE);
    IOCTL(IOCTL_RESMAP_FREE_RESERVATION);
    IOCTL(IOCTL_RESMAP_ALLOCATE_PAGES);
    IOCTL(IOCTL_RESMAP_LOCK_USER_BUFFER);
    IOCTL(IOCTL_RESMAP_RELEASE_PAGES);
    IOCTL(IOCTL_RESMAP_MAP_RESERVED);
    IOCTL(IOCTL_RESMAP_UNMAP_RESERVED);
    IOCTL(IOCTL_RESMAP_MAP_ORDINARY);
    IOCTL(IOCTL_RESMAP_UNMAP_ORDINARY);
    IOCTL(IOCTL_RESMAP_READ);
    IOCTL(IOCTL_RESMAP_WRITE);
    IOCTL(IOCTL_RESMAP_QUERY);
    IOCTL(IOCTL_RESMAP_BENCH);

    VALUE(RESMAP_OBJECT_RESERVATION);
    VALUE(RESMAP_OBJECT_PAGE_SET);
    VALUE(RESMAP_OBJECT_RESERVED_MAPPING);
    VALUE(RESMAP_OBJECT_ORDINARY_MAPPING);
    VALUE(RESMAP_STATE_RESERVED);
    VALUE(RESMAP_STATE_MAPPED);
    VALUE(RESMAP_STATE_LOCKED);
    VALUE(RESMAP_RESERVE_DIVISIBLE);
    VALUE(RESMAP_ALLOCATE_PREFER_CONTIGUOUS);
    VALUE(RESMAP_ALLOCATE_VALID_FLAGS);
    VALUE(RESMAP_ACCESS_READ);
    VALUE(RESMAP_ACCESS_READ_WRITE);
    VALUE(RESMAP_CAP_DIVISIBLE);
    VALUE(RESMAP_CACHING_MAX);
    VALUE(RESMAP_MAX_TRANSFER);
    VALUE(RESMAP_MAX_OBJECTS);
    VALUE(RESMAP_MAX_RESERVED_BYTES);
    VALUE(RESMAP_MAX_PAGE_SET_BYTES);
    VALUE(RESMAP_PAGE_SET_ALLOCATED);
    VALUE(RESMAP_PAGE_SET_USER_BUFFER);
    VALUE(RESMAP_PAGE_SET_READ_ONLY);
    VALUE(RESMAP_BENCH_RESERVED);
    VALUE(RESMAP_BENCH_ORDINARY);
    VALUE(RESMAP_BENCH_VALID_FLAGS);
    VALUE(RESMAP_BENCH_BUDGET_SPENT);
    VALUE(RESMAP_MAX_BENCH_ITERATIONS);
    VALUE(RESMAP_MAX_BENCH_MICROSECONDS);

    SIZE(RESMAP_INFO);
    OFFSET(RESMAP_INFO, ProtocolVersion);
    OFFSET(RESMAP_INFO, DriverVersion);
    OFFSET(RESMAP_INFO, Capabilities);
    OFFSET(RESMAP_INFO, PageSize);
    OFFSET(RESMAP_INFO, MaxTransfer);
    OFFSET(RESMAP_INFO, MaxObjects);
    OFFSET(RESMAP_INFO, MaxReservedBytes);
    OFFSET(RESMAP_INFO, MaxPageSetBytes);
    OFFSET(RESMAP_INFO, LiveReservations);
    OFFSET(RESMAP_INFO, LivePageSets);
    OFFSET(RESMAP_INFO, LiveReservedMappings);
    OFFSET(RESMAP_INFO, LiveOrdinaryMappings);
    OFFSET(RESMAP_INFO, ReservedBytes);
    OFFSET(RESMAP_INFO, PageSetBytes);

    SIZE(RESMAP_RESERVE_IN);
    OFFSET(RESMAP_RESERVE_IN, Bytes);
    OFFSET(RESMAP_RESERVE_IN, PoolTag);
    OFFSET(RESMAP_RESERVE_IN, Flags);

    SIZE(RESMAP_ALLOCATE_IN);
    OFFSET(RESMAP_ALLOCATE_IN, Bytes);
    OFFSET(RESMAP_ALLOCATE_IN, CachingType);
    OFFSET(RESMAP_ALLOCATE_IN, Flags);

    SIZE(RESMAP_LOCK_IN);
    OFFSET(RESMAP_LOCK_IN, Address);
    OFFSET(RESMAP_LOCK_IN, Bytes);
    OFFSET(RESMAP_LOCK_IN, Access);
    OFFSET(RESMAP_LOCK_IN, Reserved);

    SIZE(RESMAP_MAP_IN);
    OFFSET(RESMAP_MAP_IN, PageSet);
    OFFSET(RESMAP_MAP_IN, Offset);
    OFFSET(RESMAP_MAP_IN, Bytes);
    OFFSET(RESMAP_MAP_IN, Reservation);
    OFFSET(RESMAP_MAP_IN, ReservationOffset);
    OFFSET(RESMAP_MAP_IN, PoolTag);
    OFFSET(RESMAP_MAP_IN, CachingType);

    SIZE(RESMAP_OBJECT_OUT);
    OFFSET(RESMAP_OBJECT_OUT, Handle);
    OFFSET(RESMAP_OBJECT_OUT, Bytes);
    OFFSET(RESMAP_OBJECT_OUT, Offset);
    OFFSET(RESMAP_OBJECT_OUT, Pages);
    OFFSET(RESMAP_OBJECT_OUT, Reserved);

    SIZE(RESMAP_HANDLE_IN);
    OFFSET(RESMAP_HANDLE_IN, Handle);

    SIZE(RESMAP_TAGGED_IN);
    OFFSET(RESMAP_TAGGED_IN, Handle);
    OFFSET(RESMAP_TAGGED_IN, PoolTag);
    OFFSET(RESMAP_TAGGED_IN, Reserved);

    SIZE(RESMAP_TRANSFER_IN);
    OFFSET(RESMAP_TRANSFER_IN, Mapping);
    OFFSET(RESMAP_TRANSFER_IN, Offset);
    OFFSET(RESMAP_TRANSFER_IN, Bytes);
    OFFSET(RESMAP_TRANSFER_IN, Reserved);

    SIZE(RESMAP_QUERY_OUT);
    OFFSET(RESMAP_QUERY_OUT, Type);
    OFFSET(RESMAP_QUERY_OUT, State);
    OFFSET(RESMAP_QUERY_OUT, Bytes);
    OFFSET(RESMAP_QUERY_OUT, Offset);
    OFFSET(RESMAP_QUERY_OUT, Parent);
    OFFSET(RESMAP_QUERY_OUT, Reservation);
    OFFSET(RESMAP_QUERY_OUT, Pages);
    OFFSET(RESMAP_QUERY_OUT, PoolTag);
    OFFSET(RESMAP_QUERY_OUT, CachingType);
    OFFSET(RESMAP_QUERY_OUT, Flags);
    OFFSET(RESMAP_QUERY_OUT, MappingCount);
    OFFSET(RESMAP_QUERY_OUT, Reserved);

    SIZE(RESMAP_BENCH_IN);
    OFFSET(RESMAP_BENCH_IN, Map);
    OFFSET(RESMAP_BENCH_IN, Iterations);
    OFFSET(RESMAP_BENCH_IN, Flags);
    OFFSET(RESMAP_BENCH_IN, BudgetMicroseconds);
    OFFSET(RESMAP_BENCH_IN, Reserved);

    SIZE(RESMAP_BENCH_OUT);
    OFFSET(RESMAP_BENCH_OUT, Frequency);
    OFFSET(RESMAP_BENCH_OUT, ElapsedTicks);
    OFFSET(RESMAP_BENCH_OUT, ReservedTotalTicks);
    OFFSET(RESMAP_BENCH_OUT, ReservedMinTicks);
    OFFSET(RESMAP_BENCH_OUT, ReservedMaxTicks);
    OFFSET(RESMAP_BENCH_OUT, OrdinaryTotalTicks);
    OFFSET(RESMAP_BENCH_OUT, OrdinaryMinTicks);
    OFFSET(RESMAP_BENCH_OUT, OrdinaryMaxTicks);
    OFFSET(RESMAP_BENCH_OUT, Cycles);
    OFFSET(RESMAP_BENCH_OUT, Pages);
    OFFSET(RESMAP_BENCH_OUT, Flags);
    OFFSET(RESMAP_BENCH_OUT, Reserved);
}

RESMAP_SIM_API const char *resmap_sim_protocol_layout(void)
{
    pthread_once(&layout_once, build_layout);
    return layout_text;
}
