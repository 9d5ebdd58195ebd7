/*
 * test_core_client.h - a small client of the resmap device for the driver-core tests: one function
 * per IOCTL, going through resmap_sim_ioctl exactly as the Java transport does, plus the fixture
 * (a fresh machine and session per scenario) and the leak check every scenario ends with.
 */
#ifndef TEST_CORE_CLIENT_H
#define TEST_CORE_CLIENT_H

#include <wdm.h>

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "resmap_protocol.h"
#include "resmap_sim.h"

#define TAG_A 0x41414141u   /* 'AAAA' */
#define TAG_B 0x42424242u   /* 'BBBB' */
#define PAGE 4096u

/* ------------------------------------------------------------------ requests */

static inline int32_t call_ioctl(resmap_sim_session *s, uint32_t code, const void *in, uint32_t in_len,
                                 void *out, uint32_t out_len)
{
    uint32_t returned = 0;
    return resmap_sim_ioctl(s, code, in, in_len, out, out_len, &returned);
}

static inline int32_t get_info(resmap_sim_session *s, RESMAP_INFO *info)
{
    memset(info, 0, sizeof(*info));
    return call_ioctl(s, IOCTL_RESMAP_GET_INFO, NULL, 0, info, sizeof(*info));
}

static inline int32_t reserve(resmap_sim_session *s, uint64_t bytes, uint32_t tag, uint32_t flags,
                              RESMAP_OBJECT_OUT *out)
{
    RESMAP_RESERVE_IN in = { .Bytes = bytes, .PoolTag = tag, .Flags = flags };
    memset(out, 0, sizeof(*out));
    return call_ioctl(s, IOCTL_RESMAP_RESERVE, &in, sizeof(in), out, sizeof(*out));
}

static inline int32_t free_reservation(resmap_sim_session *s, uint64_t handle, uint32_t tag)
{
    RESMAP_TAGGED_IN in = { .Handle = handle, .PoolTag = tag };
    return call_ioctl(s, IOCTL_RESMAP_FREE_RESERVATION, &in, sizeof(in), NULL, 0);
}

static inline int32_t allocate_pages(resmap_sim_session *s, uint64_t bytes, uint32_t caching, uint32_t flags,
                                     RESMAP_OBJECT_OUT *out)
{
    RESMAP_ALLOCATE_IN in = { .Bytes = bytes, .CachingType = caching, .Flags = flags };
    memset(out, 0, sizeof(*out));
    return call_ioctl(s, IOCTL_RESMAP_ALLOCATE_PAGES, &in, sizeof(in), out, sizeof(*out));
}

static inline int32_t lock_buffer(resmap_sim_session *s, const void *address, uint64_t bytes, uint32_t access,
                                  RESMAP_OBJECT_OUT *out)
{
    RESMAP_LOCK_IN in = { .Address = (uint64_t)(uintptr_t)address, .Bytes = bytes, .Access = access };
    memset(out, 0, sizeof(*out));
    return call_ioctl(s, IOCTL_RESMAP_LOCK_USER_BUFFER, &in, sizeof(in), out, sizeof(*out));
}

static inline int32_t release_pages(resmap_sim_session *s, uint64_t handle)
{
    RESMAP_HANDLE_IN in = { .Handle = handle };
    return call_ioctl(s, IOCTL_RESMAP_RELEASE_PAGES, &in, sizeof(in), NULL, 0);
}

static inline int32_t map_reserved(resmap_sim_session *s, uint64_t page_set, uint64_t offset, uint64_t bytes,
                                   uint64_t reservation, uint64_t reservation_offset, uint32_t tag,
                                   RESMAP_OBJECT_OUT *out)
{
    RESMAP_MAP_IN in = { .PageSet = page_set, .Offset = offset, .Bytes = bytes, .Reservation = reservation,
                         .ReservationOffset = reservation_offset, .PoolTag = tag, .CachingType = MmCached };
    memset(out, 0, sizeof(*out));
    return call_ioctl(s, IOCTL_RESMAP_MAP_RESERVED, &in, sizeof(in), out, sizeof(*out));
}

static inline int32_t unmap_reserved(resmap_sim_session *s, uint64_t mapping, uint32_t tag)
{
    RESMAP_TAGGED_IN in = { .Handle = mapping, .PoolTag = tag };
    return call_ioctl(s, IOCTL_RESMAP_UNMAP_RESERVED, &in, sizeof(in), NULL, 0);
}

static inline int32_t map_ordinary(resmap_sim_session *s, uint64_t page_set, uint64_t offset, uint64_t bytes,
                                   RESMAP_OBJECT_OUT *out)
{
    RESMAP_MAP_IN in = { .PageSet = page_set, .Offset = offset, .Bytes = bytes, .CachingType = MmCached };
    memset(out, 0, sizeof(*out));
    return call_ioctl(s, IOCTL_RESMAP_MAP_ORDINARY, &in, sizeof(in), out, sizeof(*out));
}

static inline int32_t unmap_ordinary(resmap_sim_session *s, uint64_t mapping)
{
    RESMAP_HANDLE_IN in = { .Handle = mapping };
    return call_ioctl(s, IOCTL_RESMAP_UNMAP_ORDINARY, &in, sizeof(in), NULL, 0);
}

static inline int32_t write_bytes(resmap_sim_session *s, uint64_t mapping, uint64_t offset, const void *data,
                                  uint32_t bytes)
{
    uint8_t in[sizeof(RESMAP_TRANSFER_IN) + RESMAP_MAX_TRANSFER];
    RESMAP_TRANSFER_IN header = { .Mapping = mapping, .Offset = offset, .Bytes = bytes };
    uint32_t data_len = bytes <= RESMAP_MAX_TRANSFER ? bytes : RESMAP_MAX_TRANSFER;

    memcpy(in, &header, sizeof(header));
    memcpy(in + sizeof(header), data, data_len);
    return call_ioctl(s, IOCTL_RESMAP_WRITE, in, (uint32_t)sizeof(header) + data_len, NULL, 0);
}

static inline int32_t read_bytes(resmap_sim_session *s, uint64_t mapping, uint64_t offset, void *data,
                                 uint32_t bytes)
{
    RESMAP_TRANSFER_IN in = { .Mapping = mapping, .Offset = offset, .Bytes = bytes };
    return call_ioctl(s, IOCTL_RESMAP_READ, &in, sizeof(in), data, bytes);
}

static inline int32_t query(resmap_sim_session *s, uint64_t handle, RESMAP_QUERY_OUT *out)
{
    RESMAP_HANDLE_IN in = { .Handle = handle };
    memset(out, 0, sizeof(*out));
    return call_ioctl(s, IOCTL_RESMAP_QUERY, &in, sizeof(in), out, sizeof(*out));
}

/* IOCTL_RESMAP_BENCH of a whole page set, at the start of the reservation (0 for the ordinary path
 * alone); *out is filled with 0xEE first, so that a refusal's untouched reply shows. */
static inline int32_t bench(resmap_sim_session *s, uint64_t page_set, uint64_t reservation, uint32_t tag,
                            uint32_t iterations, uint32_t flags, uint32_t budget_us, RESMAP_BENCH_OUT *out)
{
    RESMAP_BENCH_IN in = { .Map = { .PageSet = page_set, .Reservation = reservation, .PoolTag = tag,
                                    .CachingType = MmCached },
                           .Iterations = iterations, .Flags = flags, .BudgetMicroseconds = budget_us };
    memset(out, 0xEE, sizeof(*out));
    return call_ioctl(s, IOCTL_RESMAP_BENCH, &in, sizeof(in), out, sizeof(*out));
}

/* ------------------------------------------------------------------ fixture */

/*
 * A fresh machine with two sessions: "keeper", opened first so that the core's per-machine device
 * exists before the counters are taken, and "s", the session a scenario uses. After the scenario,
 * closing s must give back everything it took: the counters must equal those taken before s opened.
 */
typedef struct fixture {
    resmap_sim_machine *m;
    resmap_sim_session *keeper;
    resmap_sim_session *s;
    resmap_sim_counters before;
} fixture;

static inline fixture fixture_open_config(const resmap_sim_config *cfg)
{
    fixture f;

    memset(&f, 0, sizeof(f));
    f.m = resmap_sim_create(cfg);
    CHECK(f.m != NULL, "resmap_sim_create returned NULL%s", "");
    f.keeper = resmap_sim_open(f.m);
    CHECK(f.keeper != NULL, "resmap_sim_open returned NULL%s", "");
    resmap_sim_get_counters(f.m, &f.before);
    f.s = resmap_sim_open(f.m);
    CHECK(f.s != NULL, "resmap_sim_open returned NULL%s", "");
    return f;
}

static inline fixture fixture_open_build(uint32_t windows_build)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .windows_build = windows_build };
    return fixture_open_config(&cfg);
}

static inline fixture fixture_open(void)
{
    return fixture_open_config(NULL);
}

/* The machine must not have bugchecked; prints its bugcheck otherwise. */
static inline void check_alive(resmap_sim_machine *m)
{
    uint32_t code = 0;
    uint64_t params[4] = { 0 };
    int dead = resmap_sim_bugcheck(m, &code, params);

    CHECK(!dead, "bugcheck 0x%x (0x%llx, 0x%llx, 0x%llx, 0x%llx)", code, (unsigned long long)params[0],
          (unsigned long long)params[1], (unsigned long long)params[2], (unsigned long long)params[3]);
}

/* Every resource counter equals its value in *before. */
static inline void check_counters_equal(resmap_sim_machine *m, const resmap_sim_counters *before)
{
    resmap_sim_counters now;

    resmap_sim_get_counters(m, &now);
#define SAME(field) CHECK(now.field == before->field, #field " = %llu, was %llu", \
                          (unsigned long long)now.field, (unsigned long long)before->field)
    SAME(reservations);
    SAME(reserved_pages);
    SAME(reserved_mapped_pages);
    SAME(ordinary_mappings);
    SAME(ordinary_mapped_pages);
    SAME(ptes_used);
    SAME(frames_allocated);
    SAME(frames_locked);
    SAME(mdls);
    SAME(pool_allocations);
    SAME(pool_bytes);
    SAME(sessions);
#undef SAME
}

/* Closes the scenario's session, checks that the machine lives and nothing leaked, and destroys it. */
static inline void fixture_close(fixture *f)
{
    resmap_sim_close(f->s);
    check_alive(f->m);
    check_counters_equal(f->m, &f->before);
    resmap_sim_close(f->keeper);
    resmap_sim_destroy(f->m);
}

#define CHECK_STATUS(expr, expected)                                                               \
    do {                                                                                           \
        int32_t status_ = (expr);                                                                  \
        CHECK(status_ == (int32_t)(expected), "%s = 0x%08x", #expr, (unsigned)status_);           \
    } while (0)

#endif /* TEST_CORE_CLIENT_H */
