/*
 * test_core_bench.c - IOCTL_RESMAP_BENCH: the in-driver timing of reserved and ordinary map + unmap
 * cycles. What is checked is the contract, never a timing: the calls made (by the trace), the
 * bounds, the early stop on the time budget, every refusal a map request would meet, a map failing
 * in the middle of the loop, quotas, and that the session is exactly as before after every call.
 */
#include "test_core_client.h"

#define BOTH (RESMAP_BENCH_RESERVED | RESMAP_BENCH_ORDINARY)

/* What a bench must leave as it found: the session's info, the two objects' queries, the counters. */
typedef struct snapshot {
    RESMAP_INFO info;
    RESMAP_QUERY_OUT reservation;
    RESMAP_QUERY_OUT page_set;
    resmap_sim_counters counters;
} snapshot;

static snapshot take(fixture *f, uint64_t reservation, uint64_t page_set)
{
    snapshot x;

    memset(&x, 0, sizeof(x));
    CHECK_STATUS(get_info(f->s, &x.info), STATUS_SUCCESS);
    if (reservation != 0) {
        CHECK_STATUS(query(f->s, reservation, &x.reservation), STATUS_SUCCESS);
    }
    CHECK_STATUS(query(f->s, page_set, &x.page_set), STATUS_SUCCESS);
    resmap_sim_get_counters(f->m, &x.counters);
    return x;
}

static void check_unchanged(fixture *f, const snapshot *before, uint64_t reservation, uint64_t page_set)
{
    snapshot now = take(f, reservation, page_set);

    CHECK(memcmp(&now.info, &before->info, sizeof(now.info)) == 0, "GET_INFO changed (live reserved mappings %u, "
          "ordinary %u)", now.info.LiveReservedMappings, now.info.LiveOrdinaryMappings);
    CHECK(memcmp(&now.reservation, &before->reservation, sizeof(now.reservation)) == 0,
          "reservation State %u MappingCount %u", now.reservation.State, now.reservation.MappingCount);
    CHECK(memcmp(&now.page_set, &before->page_set, sizeof(now.page_set)) == 0, "page set State %u MappingCount %u",
          now.page_set.State, now.page_set.MappingCount);
    check_counters_equal(f->m, &before->counters);
    check_alive(f->m);
}

/* Counts the trace lines that start with a call's name and "(". */
static unsigned calls_in(const char *trace, const char *name)
{
    unsigned n = 0;
    size_t len = strlen(name);

    for (const char *line = trace; *line != '\0';) {
        const char *end = strchr(line, '\n');
        if (strncmp(line, name, len) == 0 && line[len] == '(') {
            n++;
        }
        if (end == NULL) {
            break;
        }
        line = end + 1;
    }
    return n;
}

static void both_paths_run_n_cycles_and_report_ticks_but_no_address(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT reservation, page_set;
    RESMAP_BENCH_OUT out;
    snapshot before;
    static char trace[64 * 1024];

    CHECK_STATUS(reserve(f.s, 16 * PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, 16 * PAGE, MmCached, 0, &page_set), STATUS_SUCCESS);
    before = take(&f, reservation.Handle, page_set.Handle);

    resmap_sim_trace_enable(f.m, 1);
    CHECK_STATUS(bench(f.s, page_set.Handle, reservation.Handle, TAG_A, 5, BOTH, 0, &out), STATUS_SUCCESS);
    resmap_sim_trace_read(f.m, trace, sizeof(trace));
    resmap_sim_trace_enable(f.m, 0);

    /* Every cycle really calls the kernel: one map and one unmap per path and cycle. */
    CHECK(calls_in(trace, "MmMapLockedPagesWithReservedMapping") == 5, "%u reserved maps",
          calls_in(trace, "MmMapLockedPagesWithReservedMapping"));
    CHECK(calls_in(trace, "MmUnmapReservedMapping") == 5, "%u reserved unmaps", calls_in(trace, "MmUnmapReservedMapping"));
    CHECK(calls_in(trace, "MmMapLockedPagesSpecifyCache") == 5, "%u ordinary maps",
          calls_in(trace, "MmMapLockedPagesSpecifyCache"));
    CHECK(calls_in(trace, "MmUnmapLockedPages") == 5, "%u ordinary unmaps", calls_in(trace, "MmUnmapLockedPages"));
    /* One partial MDL per path for the whole loop, freed at its end. */
    CHECK(calls_in(trace, "IoAllocateMdl") == 2 && calls_in(trace, "IoFreeMdl") == 2, "IoAllocateMdl %u IoFreeMdl %u",
          calls_in(trace, "IoAllocateMdl"), calls_in(trace, "IoFreeMdl"));

    /* Every field is a count or a tick total of a known relation: there is no room for an address. */
    CHECK(out.Frequency == 10000000u, "Frequency %llu", (unsigned long long)out.Frequency);
    CHECK(out.Cycles == 5 && out.Pages == 16 && out.Flags == BOTH && out.Reserved == 0, "Cycles %u Pages %u Flags 0x%x "
          "Reserved %u", out.Cycles, out.Pages, out.Flags, out.Reserved);
    CHECK(out.ReservedMinTicks <= out.ReservedMaxTicks && out.ReservedMaxTicks <= out.ReservedTotalTicks &&
          out.ReservedMinTicks * 5 <= out.ReservedTotalTicks && out.ReservedMaxTicks > 0,
          "reserved min %llu max %llu total %llu", (unsigned long long)out.ReservedMinTicks,
          (unsigned long long)out.ReservedMaxTicks, (unsigned long long)out.ReservedTotalTicks);
    CHECK(out.OrdinaryMinTicks <= out.OrdinaryMaxTicks && out.OrdinaryMaxTicks <= out.OrdinaryTotalTicks &&
          out.OrdinaryMinTicks * 5 <= out.OrdinaryTotalTicks && out.OrdinaryMaxTicks > 0,
          "ordinary min %llu max %llu total %llu", (unsigned long long)out.OrdinaryMinTicks,
          (unsigned long long)out.OrdinaryMaxTicks, (unsigned long long)out.OrdinaryTotalTicks);
    CHECK(out.ReservedTotalTicks + out.OrdinaryTotalTicks <= out.ElapsedTicks &&
          out.ElapsedTicks < 10u * out.Frequency, "elapsed %llu", (unsigned long long)out.ElapsedTicks);

    check_unchanged(&f, &before, reservation.Handle, page_set.Handle);
    fixture_close(&f);
}

static void one_path_alone_runs_only_that_path(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT reservation, page_set;
    RESMAP_BENCH_OUT out;
    snapshot before;
    static char trace[16 * 1024];

    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &page_set), STATUS_SUCCESS);
    before = take(&f, reservation.Handle, page_set.Handle);

    resmap_sim_trace_enable(f.m, 1);
    CHECK_STATUS(bench(f.s, page_set.Handle, 0, 0, 3, RESMAP_BENCH_ORDINARY, 0, &out), STATUS_SUCCESS);
    resmap_sim_trace_read(f.m, trace, sizeof(trace));
    CHECK(calls_in(trace, "MmMapLockedPagesSpecifyCache") == 3 && calls_in(trace, "MmMapLockedPagesWithReservedMapping") == 0,
          "ordinary alone: %u ordinary, %u reserved maps", calls_in(trace, "MmMapLockedPagesSpecifyCache"),
          calls_in(trace, "MmMapLockedPagesWithReservedMapping"));
    CHECK(calls_in(trace, "IoAllocateMdl") == 1 && calls_in(trace, "IoFreeMdl") == 1, "ordinary alone: %u MDLs",
          calls_in(trace, "IoAllocateMdl"));
    CHECK(out.Flags == RESMAP_BENCH_ORDINARY && out.ReservedTotalTicks == 0 && out.ReservedMinTicks == 0 &&
          out.ReservedMaxTicks == 0 && out.Cycles == 3, "Flags 0x%x reserved total %llu Cycles %u", out.Flags,
          (unsigned long long)out.ReservedTotalTicks, out.Cycles);

    CHECK_STATUS(bench(f.s, page_set.Handle, reservation.Handle, TAG_A, 3, RESMAP_BENCH_RESERVED, 0, &out), STATUS_SUCCESS);
    resmap_sim_trace_read(f.m, trace, sizeof(trace));
    resmap_sim_trace_enable(f.m, 0);
    CHECK(calls_in(trace, "MmMapLockedPagesWithReservedMapping") == 3 && calls_in(trace, "MmMapLockedPagesSpecifyCache") == 0,
          "reserved alone: %u reserved, %u ordinary maps", calls_in(trace, "MmMapLockedPagesWithReservedMapping"),
          calls_in(trace, "MmMapLockedPagesSpecifyCache"));
    CHECK(out.Flags == RESMAP_BENCH_RESERVED && out.OrdinaryTotalTicks == 0 && out.OrdinaryMinTicks == 0 &&
          out.Pages == 1, "Flags 0x%x ordinary total %llu Pages %u", out.Flags,
          (unsigned long long)out.OrdinaryTotalTicks, out.Pages);

    check_unchanged(&f, &before, reservation.Handle, page_set.Handle);
    fixture_close(&f);
}

static void iterations_budget_and_flags_outside_their_bounds_are_refused(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT reservation, page_set;
    RESMAP_BENCH_OUT out;
    RESMAP_BENCH_IN in;
    snapshot before;

    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &page_set), STATUS_SUCCESS);
    before = take(&f, reservation.Handle, page_set.Handle);
    uint64_t r = reservation.Handle, p = page_set.Handle;

    CHECK_STATUS(bench(f.s, p, r, TAG_A, 0, BOTH, 0, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(bench(f.s, p, r, TAG_A, RESMAP_MAX_BENCH_ITERATIONS + 1, BOTH, 0, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(bench(f.s, p, r, TAG_A, 1, BOTH, RESMAP_MAX_BENCH_MICROSECONDS + 1, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(bench(f.s, p, r, TAG_A, 1, 0, 0, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(bench(f.s, p, r, TAG_A, 1, BOTH | 0x4, 0, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(bench(f.s, p, r, TAG_A, 1, BOTH | RESMAP_BENCH_BUDGET_SPENT, 0, &out), STATUS_INVALID_PARAMETER);
    /* The ordinary path alone names no reservation, as MAP_ORDINARY. */
    CHECK_STATUS(bench(f.s, p, r, TAG_A, 1, RESMAP_BENCH_ORDINARY, 0, &out), STATUS_INVALID_PARAMETER);
    /* A refused request writes no reply. */
    CHECK(out.Frequency == 0xEEEEEEEEEEEEEEEEull, "reply written on refusal: Frequency %llu",
          (unsigned long long)out.Frequency);

    memset(&in, 0, sizeof(in));
    in.Map.PageSet = p;
    in.Iterations = 1;
    in.Flags = RESMAP_BENCH_ORDINARY;
    in.Reserved = 1;
    CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH, &in, sizeof(in), &out, sizeof(out)), STATUS_INVALID_PARAMETER);
    in.Reserved = 0;
    CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH, &in, sizeof(in) - 1, &out, sizeof(out)), STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH, &in, sizeof(in), &out, sizeof(out) - 1), STATUS_BUFFER_TOO_SMALL);

    /* The largest bounds are accepted (the budget, not the count, then ends the loop). */
    CHECK_STATUS(bench(f.s, p, r, TAG_A, RESMAP_MAX_BENCH_ITERATIONS, BOTH, 2000, &out), STATUS_SUCCESS);
    CHECK_STATUS(bench(f.s, p, r, TAG_A, 1, BOTH, RESMAP_MAX_BENCH_MICROSECONDS, &out), STATUS_SUCCESS);
    CHECK(out.Cycles == 1 && (out.Flags & RESMAP_BENCH_BUDGET_SPENT) == 0, "Cycles %u Flags 0x%x", out.Cycles, out.Flags);

    check_unchanged(&f, &before, r, p);
    fixture_close(&f);
}

static void the_time_budget_ends_the_loop_early_and_says_so(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT reservation, page_set;
    RESMAP_BENCH_OUT out;
    snapshot before;

    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &page_set), STATUS_SUCCESS);
    before = take(&f, reservation.Handle, page_set.Handle);

    /* 1 us cannot hold 100,000 cycles of two host mmap calls each: the budget ends the loop. */
    CHECK_STATUS(bench(f.s, page_set.Handle, reservation.Handle, TAG_A, RESMAP_MAX_BENCH_ITERATIONS, BOTH, 1, &out),
                 STATUS_SUCCESS);
    CHECK((out.Flags & RESMAP_BENCH_BUDGET_SPENT) != 0 && out.Cycles >= 1 && out.Cycles < RESMAP_MAX_BENCH_ITERATIONS,
          "Flags 0x%x Cycles %u", out.Flags, out.Cycles);
    CHECK(out.ElapsedTicks >= 10, "elapsed %llu ticks, under the 1 us budget", (unsigned long long)out.ElapsedTicks);
    /* The cycle that ran is fully accounted for. */
    CHECK(out.ReservedMaxTicks > 0 && out.OrdinaryMaxTicks > 0, "reserved max %llu ordinary max %llu",
          (unsigned long long)out.ReservedMaxTicks, (unsigned long long)out.OrdinaryMaxTicks);

    check_unchanged(&f, &before, reservation.Handle, page_set.Handle);
    fixture_close(&f);
}

static void every_refusal_of_a_map_request_refuses_the_bench_and_changes_nothing(void)
{
    fixture f = fixture_open();
    fixture other = fixture_open();
    RESMAP_OBJECT_OUT small, divisible, page_set, foreign, mapping, two_pages;
    RESMAP_BENCH_OUT out;
    snapshot before;

    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &small), STATUS_SUCCESS);
    CHECK_STATUS(reserve(f.s, 4 * PAGE, TAG_A, RESMAP_RESERVE_DIVISIBLE, &divisible), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, 2 * PAGE, MmCached, 0, &two_pages), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &page_set), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(other.s, PAGE, MmCached, 0, &foreign), STATUS_SUCCESS);
    before = take(&f, small.Handle, two_pages.Handle);

    /* Wrong handles: unknown, of another type, of another session. */
    CHECK_STATUS(bench(f.s, 0, small.Handle, TAG_A, 1, BOTH, 0, &out), STATUS_INVALID_HANDLE);
    CHECK_STATUS(bench(f.s, small.Handle, small.Handle, TAG_A, 1, BOTH, 0, &out), STATUS_INVALID_HANDLE);
    CHECK_STATUS(bench(f.s, two_pages.Handle, two_pages.Handle, TAG_A, 1, BOTH, 0, &out), STATUS_INVALID_HANDLE);
    CHECK_STATUS(bench(f.s, foreign.Handle, small.Handle, TAG_A, 1, BOTH, 0, &out), STATUS_INVALID_HANDLE);
    CHECK_STATUS(bench(f.s, foreign.Handle, 0, 0, 1, RESMAP_BENCH_ORDINARY, 0, &out), STATUS_INVALID_HANDLE);
    /* A tag other than the reservation's. */
    CHECK_STATUS(bench(f.s, page_set.Handle, small.Handle, TAG_B, 1, BOTH, 0, &out), STATUS_ACCESS_DENIED);
    /* A reservation too small for the page set. */
    CHECK_STATUS(bench(f.s, two_pages.Handle, small.Handle, TAG_A, 1, BOTH, 0, &out), STATUS_ALLOTTED_SPACE_EXCEEDED);
    check_unchanged(&f, &before, small.Handle, two_pages.Handle);

    /* A reservation that is mapped now: the bench would map onto mapped pages (0xDA/0x107). */
    CHECK_STATUS(map_reserved(f.s, page_set.Handle, 0, 0, small.Handle, 0, TAG_A, &mapping), STATUS_SUCCESS);
    before = take(&f, small.Handle, page_set.Handle);
    CHECK_STATUS(bench(f.s, page_set.Handle, small.Handle, TAG_A, 1, BOTH, 0, &out), STATUS_CONFLICTING_ADDRESSES);
    /* The ordinary path alone does not touch the reservation, and a mapped page set maps again. */
    CHECK_STATUS(bench(f.s, page_set.Handle, 0, 0, 2, RESMAP_BENCH_ORDINARY, 0, &out), STATUS_SUCCESS);
    check_unchanged(&f, &before, small.Handle, page_set.Handle);
    CHECK_STATUS(unmap_reserved(f.s, mapping.Handle, TAG_A), STATUS_SUCCESS);

    /* A divisible reservation: the mapped pages are refused, the free ones are benched. */
    CHECK_STATUS(map_reserved(f.s, page_set.Handle, 0, 0, divisible.Handle, PAGE, TAG_A, &mapping), STATUS_SUCCESS);
    before = take(&f, divisible.Handle, two_pages.Handle);
    {
        RESMAP_BENCH_IN in = { .Map = { .PageSet = two_pages.Handle, .Reservation = divisible.Handle,
                                        .ReservationOffset = 0, .PoolTag = TAG_A, .CachingType = MmCached },
                               .Iterations = 2, .Flags = BOTH };
        CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH, &in, sizeof(in), &out, sizeof(out)),
                     STATUS_CONFLICTING_ADDRESSES);
        in.Map.ReservationOffset = 2 * PAGE;
        CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH, &in, sizeof(in), &out, sizeof(out)), STATUS_SUCCESS);
        CHECK(out.Cycles == 2 && out.Pages == 2, "Cycles %u Pages %u", out.Cycles, out.Pages);
        in.Map.ReservationOffset = 3 * PAGE;
        CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH, &in, sizeof(in), &out, sizeof(out)),
                     STATUS_ALLOTTED_SPACE_EXCEEDED);
        in.Map.ReservationOffset = PAGE + 1;
        CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH, &in, sizeof(in), &out, sizeof(out)), STATUS_INVALID_PARAMETER);
        /* A sub-range outside the page set. */
        in.Map.ReservationOffset = 2 * PAGE;
        in.Map.Offset = 2 * PAGE;
        CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH, &in, sizeof(in), &out, sizeof(out)), STATUS_END_OF_FILE);
        in.Map.Offset = 0;
        in.Map.CachingType = RESMAP_CACHING_MAX + 1;
        CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH, &in, sizeof(in), &out, sizeof(out)), STATUS_INVALID_PARAMETER);
    }
    check_unchanged(&f, &before, divisible.Handle, two_pages.Handle);
    CHECK_STATUS(unmap_reserved(f.s, mapping.Handle, TAG_A), STATUS_SUCCESS);

    fixture_close(&other);
    fixture_close(&f);
}

static void a_map_failing_mid_loop_is_reported_and_leaves_nothing_mapped(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT reservation, page_set;
    RESMAP_BENCH_OUT out;
    snapshot before;

    CHECK_STATUS(reserve(f.s, 4 * PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, 4 * PAGE, MmCached, 0, &page_set), STATUS_SUCCESS);
    before = take(&f, reservation.Handle, page_set.Handle);

    /* The third ordinary map finds no system PTEs: two full cycles and one reserved map have run. */
    resmap_sim_fail_nth(f.m, RESMAP_SIM_FAULT_MAPPING, 3);
    CHECK_STATUS(bench(f.s, page_set.Handle, reservation.Handle, TAG_A, 10, BOTH, 0, &out),
                 STATUS_INSUFFICIENT_RESOURCES);
    CHECK(out.Frequency == 0xEEEEEEEEEEEEEEEEull, "reply written on failure: Frequency %llu",
          (unsigned long long)out.Frequency);
    check_unchanged(&f, &before, reservation.Handle, page_set.Handle);

    /* No MDL or no pool for either path's preparation: refused before the loop, nothing left (the
     * second failure comes after the first path's MDL and object were made, which must go too). */
    for (uint32_t nth = 1; nth <= 2; nth++) {
        resmap_sim_fail_nth(f.m, RESMAP_SIM_FAULT_MDL, nth);
        CHECK_STATUS(bench(f.s, page_set.Handle, reservation.Handle, TAG_A, 1, BOTH, 0, &out),
                     STATUS_INSUFFICIENT_RESOURCES);
        check_unchanged(&f, &before, reservation.Handle, page_set.Handle);
        resmap_sim_fail_nth(f.m, RESMAP_SIM_FAULT_POOL, nth);
        CHECK_STATUS(bench(f.s, page_set.Handle, reservation.Handle, TAG_A, 1, BOTH, 0, &out),
                     STATUS_INSUFFICIENT_RESOURCES);
        check_unchanged(&f, &before, reservation.Handle, page_set.Handle);
    }

    /* And the bench runs again afterwards. */
    CHECK_STATUS(bench(f.s, page_set.Handle, reservation.Handle, TAG_A, 2, BOTH, 0, &out), STATUS_SUCCESS);
    check_unchanged(&f, &before, reservation.Handle, page_set.Handle);
    fixture_close(&f);
}

static void a_session_at_its_object_quota_is_refused_as_a_map_would_be(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT reservation, page_set, mapping;
    RESMAP_BENCH_OUT out;
    RESMAP_INFO info;
    snapshot before;
    uint64_t ordinary[RESMAP_MAX_OBJECTS];
    uint32_t n = 0;

    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &page_set), STATUS_SUCCESS);
    /* Fill the object quota with ordinary mappings (each maps the one page again). */
    while (map_ordinary(f.s, page_set.Handle, 0, 0, &mapping) == STATUS_SUCCESS) {
        ordinary[n++] = mapping.Handle;
    }
    CHECK_STATUS(get_info(f.s, &info), STATUS_SUCCESS);
    CHECK(info.LiveReservations + info.LivePageSets + info.LiveOrdinaryMappings == RESMAP_MAX_OBJECTS,
          "%u objects", info.LiveReservations + info.LivePageSets + info.LiveOrdinaryMappings);
    before = take(&f, reservation.Handle, page_set.Handle);

    CHECK_STATUS(bench(f.s, page_set.Handle, reservation.Handle, TAG_A, 1, BOTH, 0, &out), STATUS_QUOTA_EXCEEDED);
    CHECK_STATUS(bench(f.s, page_set.Handle, 0, 0, 1, RESMAP_BENCH_ORDINARY, 0, &out), STATUS_QUOTA_EXCEEDED);
    check_unchanged(&f, &before, reservation.Handle, page_set.Handle);

    /* One object free: the bench runs, and the slot it held for the call is free again afterwards. */
    CHECK_STATUS(unmap_ordinary(f.s, ordinary[--n]), STATUS_SUCCESS);
    before = take(&f, reservation.Handle, page_set.Handle);
    CHECK_STATUS(bench(f.s, page_set.Handle, reservation.Handle, TAG_A, 3, BOTH, 0, &out), STATUS_SUCCESS);
    check_unchanged(&f, &before, reservation.Handle, page_set.Handle);
    CHECK_STATUS(map_ordinary(f.s, page_set.Handle, 0, 0, &mapping), STATUS_SUCCESS);
    ordinary[n++] = mapping.Handle;

    while (n > 0) {
        CHECK_STATUS(unmap_ordinary(f.s, ordinary[--n]), STATUS_SUCCESS);
    }
    fixture_close(&f);
}

static void a_read_only_buffer_is_benched_without_write_access(void)
{
    fixture f = fixture_open();
    uint8_t *buffer = resmap_sim_user_alloc(f.m, 2 * PAGE);
    RESMAP_OBJECT_OUT reservation, reading;
    RESMAP_BENCH_OUT out;
    static char trace[16 * 1024];

    CHECK(buffer != NULL, "resmap_sim_user_alloc returned NULL%s", "");
    memcpy(buffer + 16, "caller", 7);
    CHECK_STATUS(reserve(f.s, 2 * PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
    CHECK_STATUS(lock_buffer(f.s, buffer, 2 * PAGE, RESMAP_ACCESS_READ, &reading), STATUS_SUCCESS);
    resmap_sim_trace_enable(f.m, 1);
    CHECK_STATUS(bench(f.s, reading.Handle, reservation.Handle, TAG_A, 2, BOTH, 0, &out), STATUS_SUCCESS);
    resmap_sim_trace_read(f.m, trace, sizeof(trace));
    resmap_sim_trace_enable(f.m, 0);
    /* NormalPagePriority | MdlMappingNoExecute | MdlMappingNoWrite, as MAP_ORDINARY maps such a buffer. */
    CHECK(strstr(trace, "FALSE, 0xC0000010)") != NULL && strstr(trace, "FALSE, 0x40000010)") == NULL,
          "ordinary map of a read-only buffer not NoWrite: %s", trace);
    CHECK(memcmp(buffer + 16, "caller", 7) == 0, "the buffer holds \"%.6s\"", (char *)buffer + 16);
    CHECK_STATUS(release_pages(f.s, reading.Handle), STATUS_SUCCESS);
    CHECK(resmap_sim_user_free(f.m, buffer) == 0, "the buffer is still locked or mapped%s", "");
    fixture_close(&f);
}

int main(void)
{
    RUN(both_paths_run_n_cycles_and_report_ticks_but_no_address);
    RUN(one_path_alone_runs_only_that_path);
    RUN(iterations_budget_and_flags_outside_their_bounds_are_refused);
    RUN(the_time_budget_ends_the_loop_early_and_says_so);
    RUN(every_refusal_of_a_map_request_refuses_the_bench_and_changes_nothing);
    RUN(a_map_failing_mid_loop_is_reported_and_leaves_nothing_mapped);
    RUN(a_session_at_its_object_quota_is_refused_as_a_map_would_be);
    RUN(a_read_only_buffer_is_benched_without_write_access);
    return CHECK_DONE();
}
