/*
 * test_core_page_sets.c - IOCTL_RESMAP_ALLOCATE_PAGES, IOCTL_RESMAP_LOCK_USER_BUFFER and
 * IOCTL_RESMAP_RELEASE_PAGES: sizes, flags, quotas, the caller's own buffer, and clean failures.
 */
#include "test_core_client.h"

static void allocated_pages_are_whole_pages_and_come_back_on_release(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT out;
    RESMAP_QUERY_OUT q;
    resmap_sim_counters c;

    CHECK_STATUS(allocate_pages(f.s, 5000, MmWriteCombined, RESMAP_ALLOCATE_PREFER_CONTIGUOUS, &out),
                 STATUS_SUCCESS);
    CHECK(out.Bytes == 2 * PAGE && out.Pages == 2 && out.Offset == 0 && out.Reserved == 0,
          "Bytes %llu Pages %u Offset %llu", (unsigned long long)out.Bytes, out.Pages, (unsigned long long)out.Offset);
    CHECK((out.Handle >> 56) == RESMAP_OBJECT_PAGE_SET, "handle type byte 0x%llx",
          (unsigned long long)(out.Handle >> 56));
    resmap_sim_get_counters(f.m, &c);
    CHECK(c.frames_allocated == f.before.frames_allocated + 2, "frames_allocated %llu",
          (unsigned long long)c.frames_allocated);

    CHECK_STATUS(query(f.s, out.Handle, &q), STATUS_SUCCESS);
    CHECK(q.Type == RESMAP_OBJECT_PAGE_SET && q.State == RESMAP_STATE_LOCKED, "Type %u State %u", q.Type, q.State);
    CHECK(q.Flags == RESMAP_PAGE_SET_ALLOCATED && q.CachingType == MmWriteCombined && q.PoolTag == 0,
          "Flags %u CachingType %u PoolTag 0x%x", q.Flags, q.CachingType, q.PoolTag);

    CHECK_STATUS(release_pages(f.s, out.Handle), STATUS_SUCCESS);
    resmap_sim_get_counters(f.m, &c);
    CHECK(c.frames_allocated == f.before.frames_allocated, "frames_allocated %llu after release",
          (unsigned long long)c.frames_allocated);
    CHECK_STATUS(release_pages(f.s, out.Handle), STATUS_INVALID_HANDLE);
    fixture_close(&f);
}

static void allocate_refuses_bad_fields_before_any_kernel_call(void)
{
    fixture f = fixture_open();
    RESMAP_OBJECT_OUT out;
    uint64_t attempts = resmap_sim_allocations(f.m, RESMAP_SIM_FAULT_PAGES);

    CHECK_STATUS(allocate_pages(f.s, 0, MmCached, 0, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(allocate_pages(f.s, PAGE, RESMAP_CACHING_MAX + 1, 0, &out), STATUS_INVALID_PARAMETER);
    /* MM_DONT_ZERO_ALLOCATION would let READ disclose what the frames held before. */
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0x1, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0x4, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(allocate_pages(f.s, UINT64_MAX, MmCached, 0, &out), STATUS_INTEGER_OVERFLOW);
    CHECK_STATUS(allocate_pages(f.s, RESMAP_MAX_PAGE_SET_BYTES + 1, MmCached, 0, &out), STATUS_QUOTA_EXCEEDED);
    CHECK(resmap_sim_allocations(f.m, RESMAP_SIM_FAULT_PAGES) == attempts, "%llu kernel page allocations made",
          (unsigned long long)(resmap_sim_allocations(f.m, RESMAP_SIM_FAULT_PAGES) - attempts));
    fixture_close(&f);
}

static void page_set_quota_counts_allocated_and_locked_bytes(void)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .physical_pages = 20000 };
    fixture f = fixture_open_config(&cfg);
    RESMAP_OBJECT_OUT big;
    RESMAP_OBJECT_OUT out;
    uint8_t *buffer = resmap_sim_user_alloc(f.m, PAGE);

    CHECK(buffer != NULL, "resmap_sim_user_alloc returned NULL%s", "");
    CHECK_STATUS(allocate_pages(f.s, RESMAP_MAX_PAGE_SET_BYTES - PAGE, MmCached, 0, &big), STATUS_SUCCESS);
    CHECK_STATUS(lock_buffer(f.s, buffer, 1, RESMAP_ACCESS_READ, &out), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, 1, MmCached, 0, &out), STATUS_QUOTA_EXCEEDED);
    CHECK_STATUS(lock_buffer(f.s, buffer, 1, RESMAP_ACCESS_READ, &out), STATUS_QUOTA_EXCEEDED);
    CHECK_STATUS(release_pages(f.s, big.Handle), STATUS_SUCCESS);
    CHECK_STATUS(allocate_pages(f.s, 1, MmCached, 0, &out), STATUS_SUCCESS);
    fixture_close(&f);
}

static void a_locked_user_buffer_is_described_by_its_own_bytes_and_offset(void)
{
    fixture f = fixture_open();
    uint8_t *buffer = resmap_sim_user_alloc(f.m, 3 * PAGE);
    RESMAP_OBJECT_OUT out;
    RESMAP_QUERY_OUT q;
    resmap_sim_counters c;

    CHECK(buffer != NULL, "resmap_sim_user_alloc returned NULL%s", "");
    CHECK_STATUS(lock_buffer(f.s, buffer + 100, 5000, RESMAP_ACCESS_READ_WRITE, &out), STATUS_SUCCESS);
    CHECK(out.Bytes == 5000 && out.Offset == 100 && out.Pages == 2, "Bytes %llu Offset %llu Pages %u",
          (unsigned long long)out.Bytes, (unsigned long long)out.Offset, out.Pages);
    resmap_sim_get_counters(f.m, &c);
    CHECK(c.frames_locked == f.before.frames_locked + 2, "frames_locked %llu", (unsigned long long)c.frames_locked);
    CHECK(resmap_sim_user_free(f.m, buffer) == -1, "a locked buffer could be freed%s", "");

    CHECK_STATUS(query(f.s, out.Handle, &q), STATUS_SUCCESS);
    CHECK(q.Flags == RESMAP_PAGE_SET_USER_BUFFER && q.State == RESMAP_STATE_LOCKED && q.CachingType == MmCached,
          "Flags %u State %u CachingType %u", q.Flags, q.State, q.CachingType);

    CHECK_STATUS(release_pages(f.s, out.Handle), STATUS_SUCCESS);
    resmap_sim_get_counters(f.m, &c);
    CHECK(c.frames_locked == f.before.frames_locked, "frames_locked %llu after release",
          (unsigned long long)c.frames_locked);
    CHECK(resmap_sim_user_free(f.m, buffer) == 0, "the released buffer could not be freed%s", "");
    fixture_close(&f);
}

static void lock_refuses_bad_fields_and_addresses_that_are_not_the_callers(void)
{
    fixture f = fixture_open();
    uint8_t *buffer = resmap_sim_user_alloc(f.m, PAGE);
    uint8_t host_memory[64];
    RESMAP_OBJECT_OUT out;
    RESMAP_LOCK_IN in = { .Address = (uint64_t)(uintptr_t)buffer, .Bytes = PAGE, .Access = RESMAP_ACCESS_READ,
                          .Reserved = 1 };

    CHECK_STATUS(lock_buffer(f.s, buffer, 0, RESMAP_ACCESS_READ, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(lock_buffer(f.s, buffer, PAGE, 0, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(lock_buffer(f.s, buffer, PAGE, 3, &out), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(call_ioctl(f.s, IOCTL_RESMAP_LOCK_USER_BUFFER, &in, sizeof(in), &out, sizeof(out)),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(lock_buffer(f.s, (void *)(uintptr_t)(UINT64_MAX - 10), 100, RESMAP_ACCESS_READ, &out),
                 STATUS_INTEGER_OVERFLOW);
    CHECK_STATUS(lock_buffer(f.s, buffer, RESMAP_MAX_PAGE_SET_BYTES + 1, RESMAP_ACCESS_READ, &out),
                 STATUS_QUOTA_EXCEEDED);
    /* Not simulated user memory: the probe fails, and that is a status, not a crash. */
    CHECK_STATUS(lock_buffer(f.s, host_memory, sizeof(host_memory), RESMAP_ACCESS_READ, &out),
                 STATUS_ACCESS_VIOLATION);
    CHECK_STATUS(lock_buffer(f.s, (void *)(uintptr_t)0x1000, PAGE, RESMAP_ACCESS_READ, &out),
                 STATUS_ACCESS_VIOLATION);
    /* Runs past the end of the caller's buffer. */
    CHECK_STATUS(lock_buffer(f.s, buffer, 64 * PAGE, RESMAP_ACCESS_READ, &out), STATUS_ACCESS_VIOLATION);
    check_alive(f.m);
    fixture_close(&f);
}

static void kernel_refusals_are_insufficient_resources_and_leak_nothing(void)
{
    fixture f = fixture_open();
    uint8_t *buffer = resmap_sim_user_alloc(f.m, PAGE);
    RESMAP_OBJECT_OUT out;
    resmap_sim_counters before;

    resmap_sim_get_counters(f.m, &before);
    resmap_sim_fail_nth(f.m, RESMAP_SIM_FAULT_PAGES, 1);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &out), STATUS_INSUFFICIENT_RESOURCES);
    check_counters_equal(f.m, &before);
    resmap_sim_fail_nth(f.m, RESMAP_SIM_FAULT_POOL, 1);
    CHECK_STATUS(allocate_pages(f.s, PAGE, MmCached, 0, &out), STATUS_INSUFFICIENT_RESOURCES);
    check_counters_equal(f.m, &before);
    resmap_sim_fail_nth(f.m, RESMAP_SIM_FAULT_MDL, 1);
    CHECK_STATUS(lock_buffer(f.s, buffer, PAGE, RESMAP_ACCESS_READ, &out), STATUS_INSUFFICIENT_RESOURCES);
    check_counters_equal(f.m, &before);
    CHECK_STATUS(lock_buffer(f.s, buffer, PAGE, RESMAP_ACCESS_READ, &out), STATUS_SUCCESS);
    fixture_close(&f);
}

static void more_frames_than_the_machine_has_is_insufficient_resources(void)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .physical_pages = 256 };
    fixture f = fixture_open_config(&cfg);
    RESMAP_OBJECT_OUT out;
    resmap_sim_counters before;

    resmap_sim_get_counters(f.m, &before);
    /* MM_ALLOCATE_FULLY_REQUIRED: a short allocation is refused, never returned. */
    CHECK_STATUS(allocate_pages(f.s, 512 * PAGE, MmCached, 0, &out), STATUS_INSUFFICIENT_RESOURCES);
    check_counters_equal(f.m, &before);
    fixture_close(&f);
}

int main(void)
{
    RUN(allocated_pages_are_whole_pages_and_come_back_on_release);
    RUN(allocate_refuses_bad_fields_before_any_kernel_call);
    RUN(page_set_quota_counts_allocated_and_locked_bytes);
    RUN(a_locked_user_buffer_is_described_by_its_own_bytes_and_offset);
    RUN(lock_refuses_bad_fields_and_addresses_that_are_not_the_callers);
    RUN(kernel_refusals_are_insufficient_resources_and_leak_nothing);
    RUN(more_frames_than_the_machine_has_is_insufficient_resources);
    return CHECK_DONE();
}
