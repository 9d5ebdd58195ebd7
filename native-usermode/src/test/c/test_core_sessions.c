/*
 * test_core_sessions.c - what holds for every request and every session: buffer lengths and unknown
 * codes, handles (stale, foreign, wrong type), the object quota, teardown of whatever a session holds,
 * what replies never disclose, concurrency on one session, allocation failures at every step, and a
 * machine that has bugchecked.
 */
#include <pthread.h>
#include <stdio.h>

#include "test_core_client.h"
/* The disclosure check reads the simulated kernel's records directly, to know what a reply must not hold. */
#include "sim_machine.h"

static const uint32_t all_codes[] = {
    IOCTL_RESMAP_GET_INFO, IOCTL_RESMAP_RESERVE, IOCTL_RESMAP_FREE_RESERVATION, IOCTL_RESMAP_ALLOCATE_PAGES,
    IOCTL_RESMAP_LOCK_USER_BUFFER, IOCTL_RESMAP_RELEASE_PAGES, IOCTL_RESMAP_MAP_RESERVED,
    IOCTL_RESMAP_UNMAP_RESERVED, IOCTL_RESMAP_MAP_ORDINARY, IOCTL_RESMAP_UNMAP_ORDINARY, IOCTL_RESMAP_READ,
    IOCTL_RESMAP_WRITE, IOCTL_RESMAP_QUERY, IOCTL_RESMAP_BENCH,
};

/* The minimum input and output lengths of each code above, as resmap_protocol.h states them. */
static const uint32_t min_in[] = { 0, 16, 16, 16, 24, 8, 48, 16, 48, 8, 24, 24, 8, 64 };
static const uint32_t min_out[] = { 72, 32, 0, 32, 32, 0, 32, 0, 32, 0, 0, 0, 64, 80 };

static void unknown_codes_and_short_buffers_are_refused_and_return_nothing(void)
{
    fixture f = fixture_open();
    uint8_t in[128];
    uint8_t out[128];
    uint32_t returned;

    memset(in, 0, sizeof(in));
    for (size_t i = 0; i < sizeof(all_codes) / sizeof(all_codes[0]); i++) {
        if (min_in[i] > 0) {
            returned = 99;
            memset(out, 0xEE, sizeof(out));
            CHECK_STATUS(resmap_sim_ioctl(f.s, all_codes[i], in, min_in[i] - 1, out, sizeof(out), &returned),
                         STATUS_BUFFER_TOO_SMALL);
            CHECK(returned == 0 && out[0] == 0xEE, "code 0x%x: bytes_returned %u", all_codes[i], returned);
        }
        if (min_out[i] > 0) {
            returned = 99;
            CHECK_STATUS(resmap_sim_ioctl(f.s, all_codes[i], in, sizeof(in), out, min_out[i] - 1, &returned),
                         STATUS_BUFFER_TOO_SMALL);
            CHECK(returned == 0, "code 0x%x: bytes_returned %u", all_codes[i], returned);
        }
    }
    CHECK_STATUS(call_ioctl(f.s, 0, in, sizeof(in), out, sizeof(out)), STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_BENCH + 4, in, sizeof(in), out, sizeof(out)),
                 STATUS_INVALID_DEVICE_REQUEST);
    /* The same function number with another method or access is another code. */
    CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_GET_INFO | 3, NULL, 0, out, sizeof(out)),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_GET_INFO, NULL, 0, NULL, 72), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(call_ioctl(NULL, IOCTL_RESMAP_GET_INFO, NULL, 0, out, 72), STATUS_INVALID_PARAMETER);
    fixture_close(&f);
}

static void get_info_reports_limits_and_this_sessions_usage(void)
{
    fixture f = fixture_open();
    RESMAP_INFO info;
    RESMAP_OBJECT_OUT out;
    uint32_t returned = 0;

    CHECK_STATUS(reserve(f.s, 3 * PAGE, TAG_A, 0, &out), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &out), STATUS_SUCCESS);
    CHECK_STATUS(map_ordinary(f.s, out.Handle, 0, 0, &out), STATUS_SUCCESS);
    CHECK_STATUS(resmap_sim_ioctl(f.s, IOCTL_RESMAP_GET_INFO, NULL, 0, &info, sizeof(info), &returned),
                 STATUS_SUCCESS);
    CHECK(returned == sizeof(info), "bytes_returned %u", returned);
    CHECK(info.ProtocolVersion == RESMAP_PROTOCOL_VERSION && info.DriverVersion == 0x10000 && info.PageSize == PAGE,
          "ProtocolVersion %u DriverVersion 0x%x PageSize %u", info.ProtocolVersion, info.DriverVersion,
          info.PageSize);
    CHECK(info.MaxTransfer == RESMAP_MAX_TRANSFER && info.MaxObjects == RESMAP_MAX_OBJECTS &&
          info.MaxReservedBytes == RESMAP_MAX_RESERVED_BYTES && info.MaxPageSetBytes == RESMAP_MAX_PAGE_SET_BYTES,
          "limits %u %u", info.MaxTransfer, info.MaxObjects);
    CHECK(info.LiveReservations == 1 && info.LivePageSets == 1 && info.LiveReservedMappings == 0 &&
          info.LiveOrdinaryMappings == 1, "live %u %u %u %u", info.LiveReservations, info.LivePageSets,
          info.LiveReservedMappings, info.LiveOrdinaryMappings);
    CHECK(info.ReservedBytes == 3 * PAGE && info.PageSetBytes == PAGE, "ReservedBytes %llu PageSetBytes %llu",
          (unsigned long long)info.ReservedBytes, (unsigned long long)info.PageSetBytes);

    /* Another session's usage is its own. */
    CHECK_STATUS(get_info(f.keeper, &info), STATUS_SUCCESS);
    CHECK(info.LiveReservations == 0 && info.ReservedBytes == 0, "keeper sees %u reservations",
          info.LiveReservations);
    fixture_close(&f);
}

static void stale_malformed_and_wrong_type_handles_are_invalid(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT first;
    RESMAP_OBJECT_OUT second;
    RESMAP_QUERY_OUT q;

    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &first), STATUS_SUCCESS);
    CHECK_STATUS(free_reservation(f.s, first.Handle, TAG_A), STATUS_SUCCESS);
    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &second), STATUS_SUCCESS);
    /* The slot is reused under a new generation: the old handle stays dead. */
    CHECK(second.Handle != first.Handle, "handle 0x%llx reused", (unsigned long long)second.Handle);
    CHECK_STATUS(query(f.s, first.Handle, &q), STATUS_INVALID_HANDLE);
    CHECK_STATUS(free_reservation(f.s, first.Handle, TAG_A), STATUS_INVALID_HANDLE);

    CHECK_STATUS(query(f.s, 0, &q), STATUS_INVALID_HANDLE);
    CHECK_STATUS(query(f.s, UINT64_MAX, &q), STATUS_INVALID_HANDLE);
    /* The same index and generation with another type byte. */
    CHECK_STATUS(query(f.s, (second.Handle & ~(0xFFull << 56)) | (2ull << 56), &q), STATUS_INVALID_HANDLE);
    CHECK_STATUS(release_pages(f.s, second.Handle), STATUS_INVALID_HANDLE);
    CHECK_STATUS(unmap_ordinary(f.s, second.Handle), STATUS_INVALID_HANDLE);
    CHECK_STATUS(query(f.s, second.Handle, &q), STATUS_SUCCESS);
    fixture_close(&f);
}

static void a_session_cannot_use_another_sessions_handles(void)
{
    fixture f = fixture_open();
    resmap_sim_session *other = resmap_sim_open(f.m);
    RESMAP_OBJECT_OUT mine_r, mine_p, theirs_r, theirs_p, out;
    RESMAP_QUERY_OUT q;

    /* Both sessions make the same objects in the same order, so the table slots coincide. */
    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &mine_r), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &mine_p), STATUS_SUCCESS);
    CHECK_STATUS(reserve(other, PAGE, TAG_A, 0, &theirs_r), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(other, PAGE, MmCached, 0, &theirs_p), STATUS_SUCCESS);
    CHECK(mine_r.Handle != theirs_r.Handle, "two sessions handed out the same handle 0x%llx",
          (unsigned long long)mine_r.Handle);

    CHECK_STATUS(query(other, mine_r.Handle, &q), STATUS_INVALID_HANDLE);
    CHECK_STATUS(free_reservation(other, mine_r.Handle, TAG_A), STATUS_INVALID_HANDLE);
    CHECK_STATUS(release_pages(other, mine_p.Handle), STATUS_INVALID_HANDLE);
    CHECK_STATUS(map_reserved(other, theirs_p.Handle, 0, 0, mine_r.Handle, 0, TAG_A, &out), STATUS_INVALID_HANDLE);
    CHECK_STATUS(map_reserved(other, mine_p.Handle, 0, 0, theirs_r.Handle, 0, TAG_A, &out), STATUS_INVALID_HANDLE);
    CHECK_STATUS(map_reserved(f.s, mine_p.Handle, 0, 0, mine_r.Handle, 0, TAG_A, &out), STATUS_SUCCESS);
    CHECK_STATUS(unmap_reserved(other, out.Handle, TAG_A), STATUS_INVALID_HANDLE);
    CHECK_STATUS(read_bytes(other, out.Handle, 0, &q, 1), STATUS_INVALID_HANDLE);

    /* Closing one session leaves the other's objects alone. */
    resmap_sim_close(other);
    CHECK_STATUS(query(f.s, mine_r.Handle, &q), STATUS_SUCCESS);
    CHECK(q.State == RESMAP_STATE_MAPPED, "State %u", q.State);
    fixture_close(&f);
}

static void the_object_quota_is_quota_exceeded(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT out;
    RESMAP_OBJECT_OUT first;
    uint32_t made = 0;

    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &first), STATUS_SUCCESS);
    made++;
    while (made < RESMAP_MAX_OBJECTS && reserve(f.s, PAGE, TAG_A, 0, &out) == STATUS_SUCCESS) {
        made++;
    }
    CHECK(made == RESMAP_MAX_OBJECTS, "only %u objects were allowed", made);
    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &out), STATUS_QUOTA_EXCEEDED);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &out), STATUS_QUOTA_EXCEEDED);
    CHECK_STATUS(free_reservation(f.s, first.Handle, TAG_A), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &out), STATUS_SUCCESS);
    fixture_close(&f);
}

/* The statuses of a run of requests: how many failed, and whether any failed in an unexpected way. */
typedef struct tally {
    int failed;
    int unexpected;
} tally;

/* A request that may fail only because the kernel refused an allocation (or, after such a refusal,
 * because the object it names was never made). */
static void count(tally *t, int32_t status)
{
    if (status != STATUS_SUCCESS) {
        t->failed++;
        if (status != STATUS_INSUFFICIENT_RESOURCES && status != STATUS_INVALID_HANDLE) {
            t->unexpected++;
            fprintf(stderr, "  unexpected status 0x%08x\n", (unsigned)status);
        }
    }
}

/* Makes every kind of object, in every state, and leaves them all for session cleanup. */
static tally make_one_of_everything(resmap_sim_machine *m, resmap_sim_session *s)
{
    RESMAP_OBJECT_OUT r1, r2, ring, p1, p2, user, out;
    uint8_t *buffer = resmap_sim_user_alloc(m, 3 * PAGE);
    tally t = { 0, 0 };

    CHECK(buffer != NULL, "resmap_sim_user_alloc returned NULL%s", "");
    count(&t, reserve(s, 4 * PAGE, TAG_A, 0, &r1));
    count(&t, reserve(s, 3 * PAGE, TAG_B, 0, &r2));
    count(&t, reserve(s, 8 * PAGE, TAG_B, RESMAP_RESERVE_DIVISIBLE, &ring));
    count(&t, reserve(s, PAGE, TAG_A, 0, &out));
    count(&t, allocate_pages(s, 4 * PAGE, MmCached, 0, &p1));
    count(&t, allocate_pages(s, 2 * PAGE, MmNonCached, 0, &p2));
    count(&t, allocate_pages(s, PAGE, MmCached, 0, &out));
    count(&t, lock_buffer(s, buffer + 10, 2 * PAGE, RESMAP_ACCESS_READ_WRITE, &user));
    count(&t, lock_buffer(s, buffer, PAGE, RESMAP_ACCESS_READ, &out));
    count(&t, map_reserved(s, p1.Handle, 0, 0, r1.Handle, 0, TAG_A, &out));
    count(&t, map_reserved(s, user.Handle, 0, 0, r2.Handle, 0, TAG_B, &out));
    count(&t, map_reserved(s, p1.Handle, 0, 0, ring.Handle, 0, TAG_B, &out));
    count(&t, map_reserved(s, p1.Handle, 0, 0, ring.Handle, 4 * PAGE, TAG_B, &out));
    count(&t, map_ordinary(s, p1.Handle, PAGE, PAGE, &out));
    count(&t, map_ordinary(s, user.Handle, 0, 0, &out));
    count(&t, map_ordinary(s, p2.Handle, 0, 0, &out));
    return t;
}

static void closing_a_session_releases_every_mix_of_objects(void)
{
    fixture f = fixture_open();
    resmap_sim_counters during;

    tally t = make_one_of_everything(f.m, f.s);
    CHECK(t.failed == 0, "%d requests failed", t.failed);
    resmap_sim_get_counters(f.m, &during);
    CHECK(during.reserved_mapped_pages == f.before.reserved_mapped_pages + 4 + 3 + 8 &&
          during.frames_locked == f.before.frames_locked + 4 && during.ordinary_mappings == f.before.ordinary_mappings + 3,
          "reserved_mapped_pages %llu frames_locked %llu ordinary_mappings %llu",
          (unsigned long long)during.reserved_mapped_pages, (unsigned long long)during.frames_locked,
          (unsigned long long)during.ordinary_mappings);
    /* fixture_close checks that every counter is back where it was and that no bugcheck happened. */
    fixture_close(&f);
}

/* ------------------------------------------------------------------ disclosure */

typedef struct transcript {
    uint8_t bytes[16384];
    size_t used;
} transcript;

static void record(transcript *t, const void *reply, size_t len)
{
    if (t->used + len <= sizeof(t->bytes)) {
        memcpy(t->bytes + t->used, reply, len);
        t->used += len;
    }
}

/* One fixed scenario whose every reply is recorded. */
static void run_scenario(resmap_sim_machine *m, resmap_sim_session *s, transcript *t)
{
    RESMAP_OBJECT_OUT r, ring, p, user, mr, mo, m2;
    RESMAP_QUERY_OUT q;
    RESMAP_INFO info;
    uint8_t *buffer = resmap_sim_user_alloc(m, 2 * PAGE);
    uint8_t data[64];

    CHECK_STATUS(reserve(s, 3 * PAGE, TAG_A, 0, &r), STATUS_SUCCESS);
    record(t, &r, sizeof(r));
    CHECK_STATUS(reserve(s, 4 * PAGE, TAG_B, RESMAP_RESERVE_DIVISIBLE, &ring), STATUS_SUCCESS);
    record(t, &ring, sizeof(ring));
    CHECK_STATUS(allocate_pages(s, 2 * PAGE, MmCached, 0, &p), STATUS_SUCCESS);
    record(t, &p, sizeof(p));
    CHECK_STATUS(lock_buffer(s, buffer + 123, PAGE, RESMAP_ACCESS_READ_WRITE, &user), STATUS_SUCCESS);
    record(t, &user, sizeof(user));
    CHECK_STATUS(map_reserved(s, p.Handle, 100, 5000, r.Handle, 0, TAG_A, &mr), STATUS_SUCCESS);
    record(t, &mr, sizeof(mr));
    CHECK_STATUS(map_reserved(s, user.Handle, 0, 0, ring.Handle, 2 * PAGE, TAG_B, &m2), STATUS_SUCCESS);
    record(t, &m2, sizeof(m2));
    CHECK_STATUS(map_ordinary(s, p.Handle, 0, 0, &mo), STATUS_SUCCESS);
    record(t, &mo, sizeof(mo));
    CHECK_STATUS(read_bytes(s, mr.Handle, 0, data, sizeof(data)), STATUS_SUCCESS);
    record(t, data, sizeof(data));
    CHECK_STATUS(read_bytes(s, m2.Handle, 0, data, sizeof(data)), STATUS_SUCCESS);
    record(t, data, sizeof(data));
    const uint64_t handles[] = { r.Handle, ring.Handle, p.Handle, user.Handle, mr.Handle, m2.Handle, mo.Handle };
    for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++) {
        CHECK_STATUS(query(s, handles[i], &q), STATUS_SUCCESS);
        record(t, &q, sizeof(q));
    }
    CHECK_STATUS(get_info(s, &info), STATUS_SUCCESS);
    record(t, &info, sizeof(info));
    {
        /* The bench's reply: ticks and counts, on the free first half of the ring's reservation. */
        RESMAP_BENCH_IN in = { .Map = { .PageSet = p.Handle, .Reservation = ring.Handle, .PoolTag = TAG_B,
                                        .CachingType = MmCached },
                               .Iterations = 3, .Flags = RESMAP_BENCH_RESERVED | RESMAP_BENCH_ORDINARY };
        RESMAP_BENCH_OUT bench_out;
        CHECK_STATUS(call_ioctl(s, IOCTL_RESMAP_BENCH, &in, sizeof(in), &bench_out, sizeof(bench_out)),
                     STATUS_SUCCESS);
        const uint64_t ticks[] = { bench_out.ElapsedTicks, bench_out.ReservedTotalTicks, bench_out.ReservedMinTicks,
                                   bench_out.ReservedMaxTicks, bench_out.OrdinaryTotalTicks, bench_out.OrdinaryMinTicks,
                                   bench_out.OrdinaryMaxTicks };
        /* Its ticks are timings, which differ between the two machines: each is checked to be a time
         * (under 10 s at the reply's own frequency, far below any address), then left out of the
         * byte-for-byte comparison; everything else in the reply is recorded. */
        for (size_t i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++) {
            CHECK(ticks[i] <= bench_out.ElapsedTicks && bench_out.ElapsedTicks < 10 * bench_out.Frequency,
                  "bench tick field %zu = 0x%llx", i, (unsigned long long)ticks[i]);
        }
        record(t, &bench_out.Frequency, sizeof(bench_out.Frequency));
        record(t, &bench_out.Cycles, sizeof(bench_out) - offsetof(RESMAP_BENCH_OUT, Cycles));
    }
}

/*
 * What no reply may hold, read from the simulated kernel's own records (sim_machine.h): the system
 * address arena (every reservation and every mapping lies in it), the simulated user arena, every
 * pool block (the core's objects and MDLs), and the number of every frame in use.
 */
typedef struct secrets {
    uint64_t ranges[512][2];
    size_t range_count;
    uint64_t frames[256];
    size_t frame_count;
} secrets;

static void add_range(secrets *x, const void *start, size_t bytes)
{
    if (x->range_count < sizeof(x->ranges) / sizeof(x->ranges[0])) {
        x->ranges[x->range_count][0] = (uint64_t)(uintptr_t)start;
        x->ranges[x->range_count][1] = (uint64_t)(uintptr_t)start + bytes;
        x->range_count++;
    }
}

static void collect_secrets(resmap_sim_machine *m, secrets *x)
{
    memset(x, 0, sizeof(*x));
    add_range(x, m->sysva, m->ptes_total * PAGE_SIZE);
    add_range(x, m->userva, m->user_pages * PAGE_SIZE);
    for (struct sim_block *b = m->pool_head.next; b != &m->pool_head; b = b->next) {
        add_range(x, b, sizeof(*b) + b->bytes);
    }
    for (size_t pfn = 0; pfn < m->frames_total; pfn++) {
        if (m->frame_use[pfn] != SIM_FRAME_FREE && x->frame_count < sizeof(x->frames) / sizeof(x->frames[0])) {
            x->frames[x->frame_count++] = pfn;
        }
    }
}

/* Moves the machine's next frame far up (allocates and frees count pages through the kernel), so that
 * the scenario's frame numbers are large, distinctive values rather than ones a size could equal. */
static void push_frames_up(resmap_sim_machine *m, SIZE_T pages)
{
    PHYSICAL_ADDRESS low = { .QuadPart = 0 };
    PHYSICAL_ADDRESS high = { .QuadPart = -1 };
    PHYSICAL_ADDRESS skip = { .QuadPart = 0 };
    PMDL mdl;

    resmap_sim_select(m);
    mdl = MmAllocatePagesForMdlEx(low, high, skip, pages * PAGE, MmCached, 0);
    CHECK(mdl != NULL, "MmAllocatePagesForMdlEx(%zu pages) returned NULL", (size_t)pages);
    if (mdl != NULL) {
        MmFreePagesFromMdl(mdl);
        ExFreePool(mdl);
    }
    resmap_sim_select(NULL);
}

/* Whether the window at byte `at` of t holds one of x's addresses or frame numbers. */
static int window_discloses(const transcript *t, const secrets *x, size_t at, uint64_t *value)
{
    uint32_t narrow;
    uint64_t wide = 0;
    int whole = at + 8 <= t->used;
    int hit = 0;

    memcpy(&narrow, t->bytes + at, sizeof(narrow));
    if (whole) {
        memcpy(&wide, t->bytes + at, sizeof(wide));
    }
    for (size_t i = 0; i < x->frame_count; i++) {
        hit |= narrow == x->frames[i] || (whole && wide == x->frames[i]);
    }
    for (size_t i = 0; whole && i < x->range_count; i++) {
        hit |= wide >= x->ranges[i][0] && wide < x->ranges[i][1];
    }
    *value = whole ? wide : narrow;
    return hit;
}

/*
 * Every 8-byte window of both transcripts, at every alignment, against every range of its machine;
 * every 8- and 4-byte window against every frame number. A window discloses something when it holds
 * a secret of machine a in a's transcript and, at the same place, a secret of machine b in b's: a
 * reply that carried an address or frame carries each machine's own. A value that merely falls inside
 * one machine's ranges by chance (a few bytes of handles and sizes read across a field boundary, which
 * happens when the host puts an arena at a low address, as valgrind does) cannot lie in both, since
 * the two machines' ranges and frame numbers are disjoint. Together with the byte-for-byte comparison
 * of the transcripts this misses no leak a single scan would find: one that shows in only one
 * machine's replies makes the transcripts differ.
 */
static void check_transcripts_disclose_nothing(const transcript *ta, const secrets *xa, const transcript *tb,
                                               const secrets *xb)
{
    size_t hits = 0;
    size_t first_at = 0;
    uint64_t first_value = 0;

    /* Frame numbers this large are no size, count or offset of the scenario: a match means a leak. */
    CHECK(xa->frame_count > 0 && xa->frames[0] >= 0xE000 && xb->frame_count > 0 && xb->frames[0] >= 0xE000,
          "%zu and %zu frames in use, the first are %llu and %llu", xa->frame_count, xb->frame_count,
          (unsigned long long)(xa->frame_count > 0 ? xa->frames[0] : 0),
          (unsigned long long)(xb->frame_count > 0 ? xb->frames[0] : 0));
    CHECK(xa->range_count > 2 && xb->range_count > 2, "only %zu and %zu address ranges to look for",
          xa->range_count, xb->range_count);
    for (size_t at = 0; at + 4 <= ta->used && at + 4 <= tb->used; at++) {
        uint64_t va, vb;
        if (window_discloses(ta, xa, at, &va) && window_discloses(tb, xb, at, &vb) && hits++ == 0) {
            first_at = at;
            first_value = va;
        }
    }
    CHECK(hits == 0, "%zu windows hold an address or frame number; the first, at byte %zu, holds 0x%llx", hits,
          first_at, (unsigned long long)first_value);
}

static void replies_disclose_no_address_and_no_frame_number(void)
{
    /* The same scenario on two machines whose frames and system addresses differ: the second one has
     * frames and PTEs taken before the scenario starts. Replies must be identical byte for byte: a
     * reply that carried an address or a frame number would differ. */
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .physical_pages = 65536 };
    fixture a = fixture_open_config(&cfg);
    fixture b = fixture_open_config(&cfg);
    static transcript ta, tb;
    static secrets xa, xb;
    RESMAP_OBJECT_OUT filler;
    resmap_sim_session *shift = resmap_sim_open(b.m);

    /* Allocations leave a free frame after every 16 (sim_frames.c), so these move the next frame
     * to about 57,900 and 59,000, above 0xE000. */
    push_frames_up(a.m, 54500);
    push_frames_up(b.m, 55500);
    CHECK(resmap_sim_user_alloc(b.m, 37 * PAGE) != NULL, "user_alloc failed%s", "");
    CHECK_STATUS(reserve(shift, 29 * PAGE, TAG_A, 0, &filler), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(shift, 41 * PAGE, MmCached, 0, &filler), STATUS_SUCCESS);

    run_scenario(a.m, a.s, &ta);
    run_scenario(b.m, b.s, &tb);
    CHECK(ta.used == tb.used && ta.used > 0, "transcripts of %zu and %zu bytes", ta.used, tb.used);
    CHECK(memcmp(ta.bytes, tb.bytes, ta.used) == 0, "replies differ between machines%s", "");

    /* And, while every object of the scenario is still alive, none of their addresses or frames. */
    collect_secrets(a.m, &xa);
    collect_secrets(b.m, &xb);
    check_transcripts_disclose_nothing(&ta, &xa, &tb, &xb);

    resmap_sim_close(shift);
    fixture_close(&a);
    fixture_close(&b);
}

/* ------------------------------------------------------------------ concurrency */

typedef struct worker {
    resmap_sim_machine *m;
    resmap_sim_session *s;
    int failures;
} worker;

static void *work(void *arg)
{
    worker *w = arg;

    resmap_sim_select(w->m);
    for (int round = 0; round < 100; round++) {
        RESMAP_OBJECT_OUT r, p, mapping;
        uint8_t byte = (uint8_t)round;
        uint8_t back = 0;

        w->failures += reserve(w->s, 2 * PAGE, TAG_A, 0, &r) != STATUS_SUCCESS;
        w->failures += allocate_pages(w->s, 2 * PAGE, MmCached, 0, &p) != STATUS_SUCCESS;
        w->failures += map_reserved(w->s, p.Handle, 0, 0, r.Handle, 0, TAG_A, &mapping) != STATUS_SUCCESS;
        w->failures += write_bytes(w->s, mapping.Handle, PAGE, &byte, 1) != STATUS_SUCCESS;
        w->failures += read_bytes(w->s, mapping.Handle, PAGE, &back, 1) != STATUS_SUCCESS;
        w->failures += back != byte;
        w->failures += unmap_reserved(w->s, mapping.Handle, TAG_A) != STATUS_SUCCESS;
        w->failures += release_pages(w->s, p.Handle) != STATUS_SUCCESS;
        w->failures += free_reservation(w->s, r.Handle, TAG_A) != STATUS_SUCCESS;
    }
    return NULL;
}

static void concurrent_requests_on_one_session_are_safe(void)
{
    fixture f = fixture_open();
    pthread_t threads[4];
    worker workers[4];

    for (int i = 0; i < 4; i++) {
        workers[i] = (worker){ .m = f.m, .s = f.s };
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0, "pthread_create %d failed", i);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].failures == 0, "thread %d saw %d failures", i, workers[i].failures);
    }
    fixture_close(&f);
}

/* Threads that share one reservation and one page set: one maps and unmaps, two read and write
 * through whatever mapping they last heard of, one tries to free and release what the others use.
 * Every request must end in success or in one of the refusals the race allows, never a bugcheck. */
typedef struct shared_objects {
    resmap_sim_machine *m;
    resmap_sim_session *s;
    RESMAP_OBJECT_OUT reservation;
    RESMAP_OBJECT_OUT page_set;
    volatile uint64_t mapping;     /* the last mapping handle the mapper made (may be stale) */
    int unexpected;
} shared_objects;

static void expect_one_of(shared_objects *x, int32_t status, int32_t a, int32_t b, int32_t c)
{
    if (status != STATUS_SUCCESS && status != a && status != b && status != c) {
        __atomic_fetch_add(&x->unexpected, 1, __ATOMIC_RELAXED);
        fprintf(stderr, "  unexpected status 0x%08x\n", (unsigned)status);
    }
}

static void *mapper(void *arg)
{
    shared_objects *x = arg;
    resmap_sim_select(x->m);
    for (int round = 0; round < 300; round++) {
        RESMAP_OBJECT_OUT out;
        int32_t status = map_reserved(x->s, x->page_set.Handle, 0, 0, x->reservation.Handle, 0, TAG_A, &out);
        /* Once the other thread has freed the objects, their handles are simply invalid. */
        expect_one_of(x, status, STATUS_INVALID_HANDLE, STATUS_INVALID_HANDLE, STATUS_INVALID_HANDLE);
        if (status == STATUS_SUCCESS) {
            __atomic_store_n(&x->mapping, out.Handle, __ATOMIC_RELEASE);
            expect_one_of(x, unmap_reserved(x->s, out.Handle, TAG_A), STATUS_INVALID_HANDLE, STATUS_INVALID_HANDLE,
                          STATUS_INVALID_HANDLE);
        }
    }
    return NULL;
}

static void *user(void *arg)
{
    shared_objects *x = arg;
    resmap_sim_select(x->m);
    for (int round = 0; round < 300; round++) {
        uint64_t mapping = __atomic_load_n(&x->mapping, __ATOMIC_ACQUIRE);
        uint8_t byte = (uint8_t)round;
        expect_one_of(x, write_bytes(x->s, mapping, PAGE - 1, &byte, 1), STATUS_INVALID_HANDLE,
                      STATUS_INVALID_HANDLE, STATUS_INVALID_HANDLE);
        expect_one_of(x, read_bytes(x->s, mapping, 0, &byte, 1), STATUS_INVALID_HANDLE, STATUS_INVALID_HANDLE,
                      STATUS_INVALID_HANDLE);
    }
    return NULL;
}

static void *destroyer(void *arg)
{
    shared_objects *x = arg;
    resmap_sim_select(x->m);
    for (int round = 0; round < 300; round++) {
        /* The ordinary mapping made before the threads start keeps the page set in use throughout. */
        int32_t status = release_pages(x->s, x->page_set.Handle);
        if (status != STATUS_SHARING_VIOLATION) {
            __atomic_fetch_add(&x->unexpected, 1, __ATOMIC_RELAXED);
            fprintf(stderr, "  releasing a mapped page set returned 0x%08x\n", (unsigned)status);
        }
        /* Refused while the mapper's mapping exists; once it wins, the others see invalid handles. */
        expect_one_of(x, free_reservation(x->s, x->reservation.Handle, TAG_A), STATUS_INVALID_DEVICE_STATE,
                      STATUS_INVALID_HANDLE, STATUS_INVALID_HANDLE);
    }
    return NULL;
}

static void racing_requests_on_shared_objects_never_bugcheck(void)
{
    fixture f = fixture_open();
    shared_objects x = { .m = f.m, .s = f.s };
    void *(*roles[])(void *) = { mapper, user, user, destroyer };
    pthread_t threads[4];

    CHECK_STATUS(reserve(f.s, 2 * PAGE, TAG_A, 0, &x.reservation), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, 2 * PAGE, MmCached, 0, &x.page_set), STATUS_SUCCESS);
    /* A mapping that stays throughout: the page set can never be released under the others. */
    {
        RESMAP_OBJECT_OUT ordinary;
        CHECK_STATUS(map_ordinary(f.s, x.page_set.Handle, 0, 0, &ordinary), STATUS_SUCCESS);
        x.mapping = ordinary.Handle;
    }
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_create(&threads[i], NULL, roles[i], &x) == 0, "pthread_create %d failed", i);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
    }
    CHECK(x.unexpected == 0, "%d requests ended in a status the race does not allow", x.unexpected);
    check_alive(f.m);
    fixture_close(&f);
}

/* ------------------------------------------------------------------ allocation failures everywhere */

static void every_allocation_failure_is_clean(void)
{
    static const int kinds[] = { RESMAP_SIM_FAULT_POOL, RESMAP_SIM_FAULT_MDL, RESMAP_SIM_FAULT_PAGES,
                                 RESMAP_SIM_FAULT_RESERVATION, RESMAP_SIM_FAULT_MAPPING };

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (uint32_t n = 1; n < 64; n++) {
            fixture f = fixture_open();
            uint64_t attempts_before = resmap_sim_allocations(f.m, kinds[k]);
            uint64_t attempts;
            tally t;

            resmap_sim_fail_nth(f.m, kinds[k], n);
            t = make_one_of_everything(f.m, f.s);
            attempts = resmap_sim_allocations(f.m, kinds[k]) - attempts_before;
            resmap_sim_fail_nth(f.m, kinds[k], 0);
            CHECK(t.unexpected == 0, "kind %d, allocation %u: %d unexpected statuses", kinds[k], n, t.unexpected);
            CHECK(attempts < n || t.failed > 0, "kind %d, allocation %u failed but every request succeeded",
                  kinds[k], n);
            check_alive(f.m);
            /* Whatever was made before and after the failure, closing frees it all (fixture_close). */
            fixture_close(&f);
            if (attempts < n) {
                break;  /* the n-th allocation never happened: every failure point has been tried */
            }
        }
    }
}

/* ------------------------------------------------------------------ a dead machine */

static void a_bugchecked_machine_refuses_every_request_and_still_closes(void)
{
    resmap_sim_machine *m = resmap_sim_create(NULL);
    resmap_sim_session *s = resmap_sim_open(m);
    RESMAP_OBJECT_OUT out;
    uint8_t value;
    uint32_t code = 0;

    CHECK_STATUS(reserve(s, PAGE, TAG_A, 0, &out), STATUS_SUCCESS);
    /* Kernel code touching an address nothing maps: 0x50, and the machine is dead. */
    CHECK(resmap_sim_touch(m, (const void *)(uintptr_t)0x1000, &value) == -1, "touch succeeded%s", "");
    CHECK(resmap_sim_bugcheck(m, &code, NULL) == 1 && code == 0x50, "bugcheck code 0x%x", code);
    CHECK_STATUS(reserve(s, PAGE, TAG_A, 0, &out), RESMAP_SIM_STATUS_BUGCHECKED);
    CHECK_STATUS(free_reservation(s, out.Handle, TAG_A), RESMAP_SIM_STATUS_BUGCHECKED);
    CHECK(resmap_sim_open(m) == NULL, "a dead machine opened a session%s", "");
    resmap_sim_close(s);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(unknown_codes_and_short_buffers_are_refused_and_return_nothing);
    RUN(get_info_reports_limits_and_this_sessions_usage);
    RUN(stale_malformed_and_wrong_type_handles_are_invalid);
    RUN(a_session_cannot_use_another_sessions_handles);
    RUN(the_object_quota_is_quota_exceeded);
    RUN(closing_a_session_releases_every_mix_of_objects);
    RUN(replies_disclose_no_address_and_no_frame_number);
    RUN(concurrent_requests_on_one_session_are_safe);
    RUN(racing_requests_on_shared_objects_never_bugcheck);
    RUN(every_allocation_failure_is_clean);
    RUN(a_bugchecked_machine_refuses_every_request_and_still_closes);
    return CHECK_DONE();
}
