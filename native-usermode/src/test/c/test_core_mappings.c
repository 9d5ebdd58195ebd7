/*
 * test_core_mappings.c - IOCTL_RESMAP_MAP_RESERVED / UNMAP_RESERVED and the ordinary baseline
 * (MAP_ORDINARY / UNMAP_ORDINARY): sub-ranges, the ring buffer on a divisible reservation, every
 * refusal that stands in for a bugcheck, and system PTE exhaustion.
 */
#include "test_core_client.h"

typedef struct mapped {
    RESMAP_OBJECT_OUT reservation;
    RESMAP_OBJECT_OUT page_set;
    RESMAP_OBJECT_OUT mapping;
} mapped;

/* A reservation of reserve_pages and a page set of set_pages, not yet mapped. */
static mapped reserve_and_allocate(resmap_sim_session *s, uint32_t reserve_pages, uint32_t set_pages,
                                   uint32_t flags)
{
    mapped x;

    memset(&x, 0, sizeof(x));
    CHECK_STATUS(reserve(s, (uint64_t)reserve_pages * PAGE, TAG_A, flags, &x.reservation), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(s, (uint64_t)set_pages * PAGE, MmCached, 0, &x.page_set), STATUS_SUCCESS);
    return x;
}

static void a_whole_page_set_maps_reads_writes_and_unmaps(void)
{
    fixture f = fixture_open();
    mapped x = reserve_and_allocate(f.s, 2, 2, 0);
    uint8_t pattern[2 * PAGE];
    uint8_t back[2 * PAGE];
    RESMAP_QUERY_OUT q;
    resmap_sim_counters c;

    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, 0, x.reservation.Handle, 0, TAG_A, &x.mapping),
                 STATUS_SUCCESS);
    CHECK(x.mapping.Bytes == 2 * PAGE && x.mapping.Pages == 2 && x.mapping.Offset == 0,
          "Bytes %llu Pages %u Offset %llu", (unsigned long long)x.mapping.Bytes, x.mapping.Pages,
          (unsigned long long)x.mapping.Offset);
    resmap_sim_get_counters(f.m, &c);
    CHECK(c.reserved_mapped_pages == f.before.reserved_mapped_pages + 2, "reserved_mapped_pages %llu",
          (unsigned long long)c.reserved_mapped_pages);

    /* Allocated pages are zeroed: nothing from before is readable. */
    CHECK_STATUS(read_bytes(f.s, x.mapping.Handle, 0, back, sizeof(back)), STATUS_SUCCESS);
    CHECK(back[0] == 0 && memcmp(back, back + 1, sizeof(back) - 1) == 0, "first byte 0x%x", back[0]);

    for (size_t i = 0; i < sizeof(pattern); i++) {
        pattern[i] = (uint8_t)(i * 7 + 3);
    }
    CHECK_STATUS(write_bytes(f.s, x.mapping.Handle, 0, pattern, sizeof(pattern)), STATUS_SUCCESS);
    CHECK_STATUS(read_bytes(f.s, x.mapping.Handle, 0, back, sizeof(back)), STATUS_SUCCESS);
    CHECK(memcmp(pattern, back, sizeof(back)) == 0, "read back differs at byte %d", 0);

    CHECK_STATUS(query(f.s, x.mapping.Handle, &q), STATUS_SUCCESS);
    CHECK(q.Type == RESMAP_OBJECT_RESERVED_MAPPING && q.State == RESMAP_STATE_MAPPED, "Type %u State %u", q.Type,
          q.State);
    CHECK(q.Parent == x.page_set.Handle && q.Reservation == x.reservation.Handle && q.PoolTag == TAG_A,
          "Parent 0x%llx Reservation 0x%llx PoolTag 0x%x", (unsigned long long)q.Parent,
          (unsigned long long)q.Reservation, q.PoolTag);
    CHECK_STATUS(query(f.s, x.reservation.Handle, &q), STATUS_SUCCESS);
    CHECK(q.State == RESMAP_STATE_MAPPED && q.MappingCount == 1, "reservation State %u MappingCount %u", q.State,
          q.MappingCount);
    CHECK_STATUS(query(f.s, x.page_set.Handle, &q), STATUS_SUCCESS);
    CHECK(q.State == RESMAP_STATE_MAPPED && q.MappingCount == 1, "page set State %u MappingCount %u", q.State,
          q.MappingCount);

    CHECK_STATUS(unmap_reserved(f.s, x.mapping.Handle, TAG_A), STATUS_SUCCESS);
    CHECK_STATUS(query(f.s, x.reservation.Handle, &q), STATUS_SUCCESS);
    CHECK(q.State == RESMAP_STATE_RESERVED && q.MappingCount == 0, "after unmap State %u MappingCount %u", q.State,
          q.MappingCount);
    CHECK_STATUS(read_bytes(f.s, x.mapping.Handle, 0, back, 1), STATUS_INVALID_HANDLE);

    /* The same range maps again after an unmap, and the pages kept what was written. */
    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, 0, x.reservation.Handle, 0, TAG_A, &x.mapping),
                 STATUS_SUCCESS);
    CHECK_STATUS(read_bytes(f.s, x.mapping.Handle, 0, back, sizeof(back)), STATUS_SUCCESS);
    CHECK(memcmp(pattern, back, sizeof(back)) == 0, "second mapping reads other bytes%s", "");
    CHECK_STATUS(unmap_reserved(f.s, x.mapping.Handle, TAG_A), STATUS_SUCCESS);
    CHECK_STATUS(release_pages(f.s, x.page_set.Handle), STATUS_SUCCESS);
    CHECK_STATUS(free_reservation(f.s, x.reservation.Handle, TAG_A), STATUS_SUCCESS);
    fixture_close(&f);
}

static void a_byte_sub_range_maps_at_its_byte_offset_and_shares_the_frames(void)
{
    fixture f = fixture_open();
    mapped x = reserve_and_allocate(f.s, 4, 3, 0);
    RESMAP_OBJECT_OUT whole;
    const char text[] = "through the sub-range";
    char back[sizeof(text)];

    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, PAGE + 100, 5000, x.reservation.Handle, 0, TAG_A,
                              &x.mapping), STATUS_SUCCESS);
    CHECK(x.mapping.Bytes == 5000 && x.mapping.Pages == 2 && x.mapping.Offset == 100,
          "Bytes %llu Pages %u Offset %llu", (unsigned long long)x.mapping.Bytes, x.mapping.Pages,
          (unsigned long long)x.mapping.Offset);

    /* An ordinary mapping of the whole set sees what the sub-range mapping wrote, PAGE + 100 further on. */
    CHECK_STATUS(map_ordinary(f.s, x.page_set.Handle, 0, 0, &whole), STATUS_SUCCESS);
    CHECK(whole.Bytes == 3 * PAGE && whole.Offset == 0, "Bytes %llu Offset %llu", (unsigned long long)whole.Bytes,
          (unsigned long long)whole.Offset);
    CHECK_STATUS(write_bytes(f.s, x.mapping.Handle, 10, text, sizeof(text)), STATUS_SUCCESS);
    CHECK_STATUS(read_bytes(f.s, whole.Handle, PAGE + 110, back, sizeof(back)), STATUS_SUCCESS);
    CHECK(memcmp(text, back, sizeof(text)) == 0, "read \"%.*s\"", (int)sizeof(back), back);

    /* The transfer is bounded by the mapping's 5000 bytes, not by the pages under it. */
    CHECK_STATUS(write_bytes(f.s, x.mapping.Handle, 4999, text, 1), STATUS_SUCCESS);
    CHECK_STATUS(write_bytes(f.s, x.mapping.Handle, 5000, text, 1), STATUS_END_OF_FILE);
    fixture_close(&f);
}

static void every_request_that_would_bugcheck_is_refused_with_its_own_status(void)
{
    fixture f = fixture_open();
    mapped x = reserve_and_allocate(f.s, 2, 2, 0);
    RESMAP_OBJECT_OUT other_set;
    RESMAP_OBJECT_OUT out;
    RESMAP_QUERY_OUT q;
    uint64_t r = x.reservation.Handle;
    uint64_t p = x.page_set.Handle;

    CHECK_STATUS(allocate_pages(f.s, 3 * PAGE, MmCached, 0, &other_set), STATUS_SUCCESS);

    /* Refused before mapping. */
    CHECK_STATUS(map_reserved(f.s, p, 0, 0, r, 0, TAG_B, &out), STATUS_ACCESS_DENIED);              /* 0x104 */
    CHECK_STATUS(map_reserved(f.s, other_set.Handle, 0, 0, r, 0, TAG_A, &out),
                 STATUS_ALLOTTED_SPACE_EXCEEDED);                                                  /* NULL */
    CHECK_STATUS(map_reserved(f.s, p, 0, 0, r, PAGE, TAG_A, &out), STATUS_INVALID_PARAMETER);     /* not divisible */
    CHECK_STATUS(map_reserved(f.s, p, 2 * PAGE, 0, r, 0, TAG_A, &out), STATUS_END_OF_FILE);
    CHECK_STATUS(map_reserved(f.s, p, PAGE, PAGE + 1, r, 0, TAG_A, &out), STATUS_END_OF_FILE);
    CHECK_STATUS(map_reserved(f.s, p, 2, UINT64_MAX - 1, r, 0, TAG_A, &out), STATUS_INTEGER_OVERFLOW);
    CHECK_STATUS(map_reserved(f.s, r, 0, 0, r, 0, TAG_A, &out), STATUS_INVALID_HANDLE);
    CHECK_STATUS(map_reserved(f.s, p, 0, 0, p, 0, TAG_A, &out), STATUS_INVALID_HANDLE);
    {
        RESMAP_MAP_IN in = { .PageSet = p, .Reservation = r, .PoolTag = TAG_A, .CachingType = 3 };
        CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_MAP_RESERVED, &in, sizeof(in), &out, sizeof(out)),
                     STATUS_INVALID_PARAMETER);
    }

    CHECK_STATUS(map_reserved(f.s, p, 0, 0, r, 0, TAG_A, &x.mapping), STATUS_SUCCESS);

    /* Refused while mapped. */
    CHECK_STATUS(map_reserved(f.s, p, 0, PAGE, r, 0, TAG_A, &out), STATUS_CONFLICTING_ADDRESSES);  /* 0x107 */
    CHECK_STATUS(free_reservation(f.s, r, TAG_A), STATUS_INVALID_DEVICE_STATE);                   /* 0x103 */
    CHECK_STATUS(release_pages(f.s, p), STATUS_SHARING_VIOLATION);                                /* 0x4E */
    CHECK_STATUS(unmap_reserved(f.s, x.mapping.Handle, TAG_B), STATUS_ACCESS_DENIED);             /* 0x108 */
    CHECK_STATUS(unmap_ordinary(f.s, x.mapping.Handle), STATUS_INVALID_HANDLE);
    CHECK_STATUS(unmap_reserved(f.s, p, TAG_A), STATUS_INVALID_HANDLE);
    {
        RESMAP_TAGGED_IN in = { .Handle = x.mapping.Handle, .PoolTag = TAG_A, .Reserved = 7 };
        CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_UNMAP_RESERVED, &in, sizeof(in), NULL, 0),
                     STATUS_INVALID_PARAMETER);
    }

    /* Nothing changed: still mapped once, and the machine never bugchecked. */
    CHECK_STATUS(query(f.s, r, &q), STATUS_SUCCESS);
    CHECK(q.State == RESMAP_STATE_MAPPED && q.MappingCount == 1, "State %u MappingCount %u", q.State,
          q.MappingCount);
    check_alive(f.m);

    /* Closing with the mapping in place unmaps before it frees. */
    fixture_close(&f);
}

static void a_ring_buffer_maps_the_same_pages_twice_back_to_back(void)
{
    fixture f = fixture_open();
    const uint32_t n = 4;
    mapped x = reserve_and_allocate(f.s, 2 * n, n, RESMAP_RESERVE_DIVISIBLE);
    RESMAP_OBJECT_OUT second;
    RESMAP_OBJECT_OUT out;
    RESMAP_QUERY_OUT q;
    const char text[] = "wraps without a seam";
    char back[sizeof(text)];

    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, 0, x.reservation.Handle, 0, TAG_A, &x.mapping),
                 STATUS_SUCCESS);
    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, 0, x.reservation.Handle, (uint64_t)n * PAGE, TAG_A,
                              &second), STATUS_SUCCESS);
    CHECK(x.mapping.Offset == 0 && second.Offset == (uint64_t)n * PAGE, "offsets %llu and %llu",
          (unsigned long long)x.mapping.Offset, (unsigned long long)second.Offset);

    /* Written through the first view, read through the second at the same place. */
    CHECK_STATUS(write_bytes(f.s, x.mapping.Handle, (uint64_t)n * PAGE - 8, text, 8), STATUS_SUCCESS);
    CHECK_STATUS(write_bytes(f.s, second.Handle, 0, text + 8, sizeof(text) - 8), STATUS_SUCCESS);
    CHECK_STATUS(read_bytes(f.s, second.Handle, (uint64_t)n * PAGE - 8, back, 8), STATUS_SUCCESS);
    CHECK_STATUS(read_bytes(f.s, x.mapping.Handle, 0, back + 8, sizeof(back) - 8), STATUS_SUCCESS);
    CHECK(memcmp(text, back, sizeof(text)) == 0, "read \"%.*s\"", (int)sizeof(back), back);

    CHECK_STATUS(query(f.s, x.page_set.Handle, &q), STATUS_SUCCESS);
    CHECK(q.MappingCount == 2, "page set MappingCount %u", q.MappingCount);
    CHECK_STATUS(query(f.s, x.reservation.Handle, &q), STATUS_SUCCESS);
    CHECK(q.MappingCount == 2 && q.State == RESMAP_STATE_MAPPED, "reservation MappingCount %u", q.MappingCount);

    /* Overlaps, misalignment and running off the end of a divisible reservation are refused. */
    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, PAGE, x.reservation.Handle, PAGE, TAG_A, &out),
                 STATUS_CONFLICTING_ADDRESSES);
    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, PAGE, x.reservation.Handle, 100, TAG_A, &out),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(unmap_reserved(f.s, second.Handle, TAG_A), STATUS_SUCCESS);
    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, 0, x.reservation.Handle, (uint64_t)(n + 1) * PAGE, TAG_A,
                              &out), STATUS_ALLOTTED_SPACE_EXCEEDED);
    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, 0, x.reservation.Handle, (uint64_t)2 * n * PAGE, TAG_A,
                              &out), STATUS_ALLOTTED_SPACE_EXCEEDED);
    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, PAGE, x.reservation.Handle, (uint64_t)(2 * n - 1) * PAGE,
                              TAG_A, &out), STATUS_SUCCESS);
    check_alive(f.m);
    fixture_close(&f);
}

static void the_callers_own_buffer_maps_and_writes_land_in_it(void)
{
    fixture f = fixture_open();
    uint8_t *buffer = resmap_sim_user_alloc(f.m, 2 * PAGE);
    RESMAP_OBJECT_OUT reservation;
    RESMAP_OBJECT_OUT page_set;
    RESMAP_OBJECT_OUT mapping;
    const char text[] = "written by the driver";

    CHECK(buffer != NULL, "resmap_sim_user_alloc returned NULL%s", "");
    memcpy(buffer + 300, "left by the caller", 19);
    CHECK_STATUS(reserve(f.s, 2 * PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
    CHECK_STATUS(lock_buffer(f.s, buffer + 200, PAGE, RESMAP_ACCESS_READ_WRITE, &page_set), STATUS_SUCCESS);
    CHECK_STATUS(map_reserved(f.s, page_set.Handle, 0, 0, reservation.Handle, 0, TAG_A, &mapping), STATUS_SUCCESS);
    CHECK(mapping.Offset == 200 && mapping.Bytes == PAGE && mapping.Pages == 2, "Offset %llu Bytes %llu Pages %u",
          (unsigned long long)mapping.Offset, (unsigned long long)mapping.Bytes, mapping.Pages);
    {
        char back[19];
        CHECK_STATUS(read_bytes(f.s, mapping.Handle, 100, back, sizeof(back)), STATUS_SUCCESS);
        CHECK(memcmp(back, "left by the caller", 19) == 0, "read \"%.19s\"", back);
    }
    CHECK_STATUS(write_bytes(f.s, mapping.Handle, 1000, text, sizeof(text)), STATUS_SUCCESS);
    CHECK(memcmp(buffer + 1200, text, sizeof(text)) == 0, "the buffer holds \"%.21s\"", (char *)buffer + 1200);
    fixture_close(&f);
}

static void ordinary_mappings_fail_cleanly_when_system_ptes_run_out_and_reserved_ones_still_map(void)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .system_ptes = 64 };
    fixture f = fixture_open_config(&cfg);
    mapped x = reserve_and_allocate(f.s, 4, 4, 0);
    RESMAP_OBJECT_OUT out;
    RESMAP_MAP_IN bad = { .PageSet = x.page_set.Handle, .Reservation = x.reservation.Handle };
    int mapped_count = 0;
    int32_t status;

    CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_MAP_ORDINARY, &bad, sizeof(bad), &out, sizeof(out)),
                 STATUS_INVALID_PARAMETER);
    while ((status = map_ordinary(f.s, x.page_set.Handle, 0, 0, &out)) == STATUS_SUCCESS && mapped_count < 64) {
        mapped_count++;
    }
    CHECK(status == STATUS_INSUFFICIENT_RESOURCES, "ordinary map %d returned 0x%08x", mapped_count + 1,
          (unsigned)status);
    CHECK(mapped_count > 0, "no ordinary mapping fitted in %u PTEs", 64u);
    check_alive(f.m);

    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, 0, x.reservation.Handle, 0, TAG_A, &x.mapping),
                 STATUS_SUCCESS);
    CHECK_STATUS(write_bytes(f.s, x.mapping.Handle, 0, "ok", 2), STATUS_SUCCESS);
    fixture_close(&f);
}

static void an_ordinary_mapping_holds_its_page_set_and_is_described_without_a_reservation(void)
{
    fixture f = fixture_open();
    mapped x = reserve_and_allocate(f.s, 2, 2, 0);
    RESMAP_OBJECT_OUT ordinary;
    RESMAP_QUERY_OUT q;

    CHECK_STATUS(map_ordinary(f.s, x.page_set.Handle, 100, 300, &ordinary), STATUS_SUCCESS);
    CHECK((ordinary.Handle >> 56) == RESMAP_OBJECT_ORDINARY_MAPPING && ordinary.Bytes == 300 &&
          ordinary.Pages == 1 && ordinary.Offset == 0, "type byte 0x%llx Bytes %llu Pages %u Offset %llu",
          (unsigned long long)(ordinary.Handle >> 56), (unsigned long long)ordinary.Bytes, ordinary.Pages,
          (unsigned long long)ordinary.Offset);
    CHECK_STATUS(query(f.s, ordinary.Handle, &q), STATUS_SUCCESS);
    CHECK(q.Type == RESMAP_OBJECT_ORDINARY_MAPPING && q.State == RESMAP_STATE_MAPPED &&
          q.Parent == x.page_set.Handle && q.Reservation == 0 && q.PoolTag == 0 && q.CachingType == MmCached,
          "Type %u State %u Reservation 0x%llx PoolTag 0x%x", q.Type, q.State, (unsigned long long)q.Reservation,
          q.PoolTag);

    /* The pages stay while an ordinary mapping uses them, exactly as under a reserved one. */
    CHECK_STATUS(release_pages(f.s, x.page_set.Handle), STATUS_SHARING_VIOLATION);
    CHECK_STATUS(unmap_reserved(f.s, ordinary.Handle, TAG_A), STATUS_INVALID_HANDLE);
    CHECK_STATUS(read_bytes(f.s, ordinary.Handle, 300, &q, 1), STATUS_END_OF_FILE);
    CHECK_STATUS(unmap_ordinary(f.s, ordinary.Handle), STATUS_SUCCESS);
    CHECK_STATUS(unmap_ordinary(f.s, ordinary.Handle), STATUS_INVALID_HANDLE);
    CHECK_STATUS(release_pages(f.s, x.page_set.Handle), STATUS_SUCCESS);
    fixture_close(&f);
}

static void kernel_refusals_while_mapping_leak_nothing(void)
{
    fixture f = fixture_open();
    mapped x = reserve_and_allocate(f.s, 2, 2, 0);
    RESMAP_OBJECT_OUT out;
    resmap_sim_counters before;
    static const int kinds[] = { RESMAP_SIM_FAULT_MDL, RESMAP_SIM_FAULT_POOL };

    resmap_sim_get_counters(f.m, &before);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        resmap_sim_fail_nth(f.m, kinds[i], 1);
        CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, 0, x.reservation.Handle, 0, TAG_A, &out),
                     STATUS_INSUFFICIENT_RESOURCES);
        check_counters_equal(f.m, &before);
        resmap_sim_fail_nth(f.m, kinds[i], 1);
        CHECK_STATUS(map_ordinary(f.s, x.page_set.Handle, 0, 0, &out), STATUS_INSUFFICIENT_RESOURCES);
        check_counters_equal(f.m, &before);
    }
    resmap_sim_fail_nth(f.m, RESMAP_SIM_FAULT_MAPPING, 1);
    CHECK_STATUS(map_ordinary(f.s, x.page_set.Handle, 0, 0, &out), STATUS_INSUFFICIENT_RESOURCES);
    check_counters_equal(f.m, &before);
    CHECK_STATUS(map_reserved(f.s, x.page_set.Handle, 0, 0, x.reservation.Handle, 0, TAG_A, &out), STATUS_SUCCESS);
    fixture_close(&f);
}

int main(void)
{
    RUN(a_whole_page_set_maps_reads_writes_and_unmaps);
    RUN(a_byte_sub_range_maps_at_its_byte_offset_and_shares_the_frames);
    RUN(every_request_that_would_bugcheck_is_refused_with_its_own_status);
    RUN(a_ring_buffer_maps_the_same_pages_twice_back_to_back);
    RUN(the_callers_own_buffer_maps_and_writes_land_in_it);
    RUN(ordinary_mappings_fail_cleanly_when_system_ptes_run_out_and_reserved_ones_still_map);
    RUN(an_ordinary_mapping_holds_its_page_set_and_is_described_without_a_reservation);
    RUN(kernel_refusals_while_mapping_leak_nothing);
    return CHECK_DONE();
}
