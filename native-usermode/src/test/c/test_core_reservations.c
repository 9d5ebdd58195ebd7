/*
 * test_core_reservations.c - IOCTL_RESMAP_RESERVE and IOCTL_RESMAP_FREE_RESERVATION through the
 * simulated I/O manager: what succeeds, what each refusal returns, and that a refusal never reaches
 * the kernel (the simulator's count of reservation attempts does not move).
 */
#include "test_core_client.h"

static uint64_t reservation_attempts(resmap_sim_machine *m)
{
    return resmap_sim_allocations(m, RESMAP_SIM_FAULT_RESERVATION);
}

static void reserve_rounds_up_to_whole_pages_and_free_returns_them(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT out;
    RESMAP_QUERY_OUT q;
    resmap_sim_counters c;

    CHECK_STATUS(reserve(f.s, 1, TAG_A, 0, &out), STATUS_SUCCESS);
    CHECK(out.Bytes == PAGE && out.Pages == 1 && out.Offset == 0 && out.Reserved == 0,
          "Bytes %llu Pages %u Offset %llu", (unsigned long long)out.Bytes, out.Pages,
          (unsigned long long)out.Offset);
    CHECK((out.Handle >> 56) == RESMAP_OBJECT_RESERVATION, "handle type byte 0x%llx",
          (unsigned long long)(out.Handle >> 56));
    resmap_sim_get_counters(f.m, &c);
    CHECK(c.reservations == f.before.reservations + 1, "reservations %llu", (unsigned long long)c.reservations);

    CHECK_STATUS(query(f.s, out.Handle, &q), STATUS_SUCCESS);
    CHECK(q.Type == RESMAP_OBJECT_RESERVATION && q.State == RESMAP_STATE_RESERVED, "Type %u State %u", q.Type,
          q.State);
    CHECK(q.Bytes == PAGE && q.Pages == 1 && q.PoolTag == TAG_A && q.Flags == 0 && q.MappingCount == 0,
          "Bytes %llu Pages %u PoolTag 0x%x Flags %u", (unsigned long long)q.Bytes, q.Pages, q.PoolTag, q.Flags);

    CHECK_STATUS(reserve(f.s, 3 * PAGE + 1, TAG_B, 0, &out), STATUS_SUCCESS);
    CHECK(out.Bytes == 4 * PAGE && out.Pages == 4, "Bytes %llu Pages %u", (unsigned long long)out.Bytes, out.Pages);
    CHECK_STATUS(free_reservation(f.s, out.Handle, TAG_B), STATUS_SUCCESS);
    CHECK_STATUS(query(f.s, out.Handle, &q), STATUS_INVALID_HANDLE);
    CHECK_STATUS(free_reservation(f.s, out.Handle, TAG_B), STATUS_INVALID_HANDLE);
    fixture_close(&f);
}

static void reserve_refuses_bad_fields_before_any_kernel_call(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT out;
    uint64_t attempts = reservation_attempts(f.m);

    CHECK_STATUS(reserve(f.s, 0, TAG_A, 0, &out), STATUS_INVALID_PARAMETER);        /* 0xDA/0x100 */
    CHECK_STATUS(reserve(f.s, PAGE, 0, 0, &out), STATUS_INVALID_PARAMETER);         /* tag 0 */
    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0x2, &out), STATUS_INVALID_PARAMETER);   /* unknown flag */
    CHECK_STATUS(reserve(f.s, UINT64_MAX, TAG_A, 0, &out), STATUS_INTEGER_OVERFLOW);
    CHECK_STATUS(reserve(f.s, UINT64_MAX - PAGE + 2, TAG_A, 0, &out), STATUS_INTEGER_OVERFLOW);
    CHECK_STATUS(reserve(f.s, 1ull << 63, TAG_A, 0, &out), STATUS_QUOTA_EXCEEDED);
    CHECK_STATUS(reserve(f.s, RESMAP_MAX_RESERVED_BYTES + 1, TAG_A, 0, &out), STATUS_QUOTA_EXCEEDED);
    CHECK(out.Handle == 0, "a refused request wrote a handle 0x%llx", (unsigned long long)out.Handle);
    CHECK(reservation_attempts(f.m) == attempts, "%llu kernel reservation calls were made",
          (unsigned long long)(reservation_attempts(f.m) - attempts));
    fixture_close(&f);
}

static void reserve_quota_counts_reserved_bytes(void)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .system_ptes = 32768 };
    fixture f = fixture_open_config(&cfg);
    RESMAP_OBJECT_OUT big;
    RESMAP_OBJECT_OUT out;
    RESMAP_INFO info;

    CHECK_STATUS(reserve(f.s, RESMAP_MAX_RESERVED_BYTES - PAGE, TAG_A, 0, &big), STATUS_SUCCESS);
    CHECK_STATUS(reserve(f.s, 1, TAG_A, 0, &out), STATUS_SUCCESS);
    CHECK_STATUS(reserve(f.s, 1, TAG_A, 0, &out), STATUS_QUOTA_EXCEEDED);
    CHECK_STATUS(get_info(f.s, &info), STATUS_SUCCESS);
    CHECK(info.ReservedBytes == RESMAP_MAX_RESERVED_BYTES && info.LiveReservations == 2,
          "ReservedBytes %llu LiveReservations %u", (unsigned long long)info.ReservedBytes, info.LiveReservations);

    /* The quota is per session: another session still has all of its own. */
    {
        resmap_sim_session *other = resmap_sim_open(f.m);
        CHECK_STATUS(reserve(other, PAGE, TAG_A, 0, &out), STATUS_SUCCESS);
        resmap_sim_close(other);
    }

    CHECK_STATUS(free_reservation(f.s, big.Handle, TAG_A), STATUS_SUCCESS);
    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &out), STATUS_SUCCESS);
    fixture_close(&f);
}

static void free_refuses_a_tag_other_than_the_reservations(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT out;
    RESMAP_QUERY_OUT q;
    RESMAP_TAGGED_IN in;

    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &out), STATUS_SUCCESS);
    CHECK_STATUS(free_reservation(f.s, out.Handle, TAG_B), STATUS_ACCESS_DENIED);      /* 0xDA/0x101 */
    /* All 32 bits count, bit 0 included (header-based kernels ignore it; newer ones do not). */
    CHECK_STATUS(free_reservation(f.s, out.Handle, TAG_A ^ 1u), STATUS_ACCESS_DENIED);
    in = (RESMAP_TAGGED_IN){ .Handle = out.Handle, .PoolTag = TAG_A, .Reserved = 1 };
    CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_FREE_RESERVATION, &in, sizeof(in), NULL, 0), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(query(f.s, out.Handle, &q), STATUS_SUCCESS);
    CHECK(q.State == RESMAP_STATE_RESERVED, "State %u", q.State);
    check_alive(f.m);
    fixture_close(&f);
}

static void divisible_reservations_exist_only_from_windows_10_2004(void)
{
    fixture win81 = fixture_open_build(RESMAP_SIM_BUILD_WIN81);
    fixture old = fixture_open_build(RESMAP_SIM_BUILD_WIN10_1507);
    fixture now = fixture_open_build(RESMAP_SIM_BUILD_WIN10_2004);
    RESMAP_INFO info;
    RESMAP_OBJECT_OUT out;
    RESMAP_QUERY_OUT q;

    CHECK_STATUS(get_info(win81.s, &info), STATUS_SUCCESS);
    CHECK((info.Capabilities & RESMAP_CAP_DIVISIBLE) == 0, "Capabilities 0x%x on build 9600", info.Capabilities);
    CHECK_STATUS(reserve(win81.s, 2 * PAGE, TAG_A, RESMAP_RESERVE_DIVISIBLE, &out), STATUS_NOT_SUPPORTED);
    CHECK(reservation_attempts(win81.m) == 0, "%llu kernel reservation calls were made",
          (unsigned long long)reservation_attempts(win81.m));

    CHECK_STATUS(get_info(old.s, &info), STATUS_SUCCESS);
    CHECK((info.Capabilities & RESMAP_CAP_DIVISIBLE) == 0, "Capabilities 0x%x on build 10240", info.Capabilities);
    CHECK_STATUS(reserve(old.s, 2 * PAGE, TAG_A, RESMAP_RESERVE_DIVISIBLE, &out), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(reserve(old.s, 2 * PAGE, TAG_A, 0, &out), STATUS_SUCCESS);

    CHECK_STATUS(get_info(now.s, &info), STATUS_SUCCESS);
    CHECK((info.Capabilities & RESMAP_CAP_DIVISIBLE) != 0, "Capabilities 0x%x on build 19041", info.Capabilities);
    CHECK_STATUS(reserve(now.s, 2 * PAGE, TAG_A, RESMAP_RESERVE_DIVISIBLE, &out), STATUS_SUCCESS);
    CHECK_STATUS(query(now.s, out.Handle, &q), STATUS_SUCCESS);
    CHECK(q.Flags == RESMAP_RESERVE_DIVISIBLE && q.Pages == 2, "Flags %u Pages %u", q.Flags, q.Pages);
    fixture_close(&win81);
    fixture_close(&old);
    fixture_close(&now);
}

static void a_kernel_refusal_is_insufficient_resources_and_leaks_nothing(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT out;
    resmap_sim_counters before;

    resmap_sim_get_counters(f.m, &before);
    resmap_sim_fail_nth(f.m, RESMAP_SIM_FAULT_RESERVATION, 1);
    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &out), STATUS_INSUFFICIENT_RESOURCES);
    check_counters_equal(f.m, &before);
    resmap_sim_fail_nth(f.m, RESMAP_SIM_FAULT_POOL, 1);
    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &out), STATUS_INSUFFICIENT_RESOURCES);
    check_counters_equal(f.m, &before);
    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &out), STATUS_SUCCESS);
    fixture_close(&f);
}

int main(void)
{
    RUN(reserve_rounds_up_to_whole_pages_and_free_returns_them);
    RUN(reserve_refuses_bad_fields_before_any_kernel_call);
    RUN(reserve_quota_counts_reserved_bytes);
    RUN(free_refuses_a_tag_other_than_the_reservations);
    RUN(divisible_reservations_exist_only_from_windows_10_2004);
    RUN(a_kernel_refusal_is_insufficient_resources_and_leaks_nothing);
    return CHECK_DONE();
}
