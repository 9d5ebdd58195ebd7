/*
 * test_core_transfers.c - IOCTL_RESMAP_READ and IOCTL_RESMAP_WRITE: bounded by the mapping, by
 * RESMAP_MAX_TRANSFER and by the buffers the caller passed.
 */
#include "test_core_client.h"

typedef struct transfer_fixture {
    fixture f;
    RESMAP_OBJECT_OUT page_set;
    RESMAP_OBJECT_OUT mapping;
} transfer_fixture;

/* 17 pages allocated and mapped ordinarily: more than RESMAP_MAX_TRANSFER. */
static transfer_fixture open_mapped(void)
{
    transfer_fixture t;

    t.f = fixture_open();
    CHECK_STATUS(allocate_pages(t.f.s, 17 * PAGE, MmCached, 0, &t.page_set), STATUS_SUCCESS);
    CHECK_STATUS(map_ordinary(t.f.s, t.page_set.Handle, 0, 0, &t.mapping), STATUS_SUCCESS);
    return t;
}

static void the_largest_transfer_round_trips(void)
{
    transfer_fixture t = open_mapped();
    static uint8_t data[RESMAP_MAX_TRANSFER];
    static uint8_t back[RESMAP_MAX_TRANSFER];
    uint32_t returned = 0;
    RESMAP_TRANSFER_IN in = { .Mapping = t.mapping.Handle, .Offset = PAGE, .Bytes = RESMAP_MAX_TRANSFER };

    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i ^ (i >> 8));
    }
    CHECK_STATUS(write_bytes(t.f.s, t.mapping.Handle, PAGE, data, RESMAP_MAX_TRANSFER), STATUS_SUCCESS);
    CHECK_STATUS(resmap_sim_ioctl(t.f.s, IOCTL_RESMAP_READ, &in, sizeof(in), back, sizeof(back), &returned),
                 STATUS_SUCCESS);
    CHECK(returned == RESMAP_MAX_TRANSFER, "bytes_returned %u", returned);
    CHECK(memcmp(data, back, sizeof(data)) == 0, "read back differs%s", "");
    fixture_close(&t.f);
}

static void transfers_outside_the_mapping_or_the_limits_are_refused(void)
{
    transfer_fixture t = open_mapped();
    uint64_t h = t.mapping.Handle;
    uint8_t byte = 0x5A;
    uint8_t back[16];

    CHECK_STATUS(read_bytes(t.f.s, h, 0, back, 0), STATUS_INVALID_PARAMETER);
    {
        static uint8_t request[sizeof(RESMAP_TRANSFER_IN) + RESMAP_MAX_TRANSFER + 1];
        RESMAP_TRANSFER_IN in = { .Mapping = h, .Bytes = RESMAP_MAX_TRANSFER + 1 };
        memcpy(request, &in, sizeof(in));
        CHECK_STATUS(call_ioctl(t.f.s, IOCTL_RESMAP_WRITE, request, sizeof(request), NULL, 0),
                     STATUS_INVALID_PARAMETER);
    }
    CHECK_STATUS(read_bytes(t.f.s, h, 17 * PAGE, back, 1), STATUS_END_OF_FILE);
    CHECK_STATUS(read_bytes(t.f.s, h, 17 * PAGE - 1, back, 2), STATUS_END_OF_FILE);
    CHECK_STATUS(read_bytes(t.f.s, h, 17 * PAGE - 1, back, 1), STATUS_SUCCESS);
    CHECK_STATUS(write_bytes(t.f.s, h, UINT64_MAX, &byte, 1), STATUS_INTEGER_OVERFLOW);
    CHECK_STATUS(read_bytes(t.f.s, t.page_set.Handle, 0, back, 1), STATUS_INVALID_HANDLE);
    {
        RESMAP_TRANSFER_IN in = { .Mapping = h, .Bytes = 1, .Reserved = 1 };
        CHECK_STATUS(call_ioctl(t.f.s, IOCTL_RESMAP_READ, &in, sizeof(in), back, sizeof(back)),
                     STATUS_INVALID_PARAMETER);
    }
    check_alive(t.f.m);
    fixture_close(&t.f);
}

static void a_short_buffer_for_the_data_is_buffer_too_small(void)
{
    transfer_fixture t = open_mapped();
    RESMAP_TRANSFER_IN in = { .Mapping = t.mapping.Handle, .Offset = 0, .Bytes = 16 };
    uint8_t request[sizeof(in) + 16];
    uint8_t back[16];
    uint32_t returned = 99;

    /* READ: an output shorter than Bytes. */
    memset(back, 0xEE, sizeof(back));
    CHECK_STATUS(resmap_sim_ioctl(t.f.s, IOCTL_RESMAP_READ, &in, sizeof(in), back, 15, &returned),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK(returned == 0 && back[0] == 0xEE, "bytes_returned %u, first byte 0x%x", returned, back[0]);

    /* WRITE: fewer data bytes after the request than Bytes says; nothing is written. */
    memcpy(request, &in, sizeof(in));
    memset(request + sizeof(in), 0x77, 16);
    CHECK_STATUS(call_ioctl(t.f.s, IOCTL_RESMAP_WRITE, request, sizeof(request) - 1, NULL, 0),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(read_bytes(t.f.s, t.mapping.Handle, 0, back, 16), STATUS_SUCCESS);
    CHECK(back[0] == 0 && back[15] == 0, "bytes 0x%x..0x%x were written", back[0], back[15]);
    CHECK_STATUS(call_ioctl(t.f.s, IOCTL_RESMAP_WRITE, request, sizeof(request), NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(read_bytes(t.f.s, t.mapping.Handle, 0, back, 16), STATUS_SUCCESS);
    CHECK(back[0] == 0x77 && back[15] == 0x77, "bytes 0x%x..0x%x", back[0], back[15]);
    fixture_close(&t.f);
}

/* A buffer locked for reading only (IoReadAccess) reads through any mapping, reserved or ordinary,
 * but WRITE through either is STATUS_MEDIA_WRITE_PROTECTED and leaves the buffer as it was; QUERY
 * shows the page set read-only; its ordinary mapping is asked for with MdlMappingNoWrite (the trace
 * shows the Priority), its reserved one cannot be (the call has no such parameter). The same buffer
 * locked read-write takes the write. */
static void a_buffer_locked_for_reading_refuses_writes_through_every_mapping(void)
{
    fixture f = fixture_open();
    uint8_t *buffer = resmap_sim_user_alloc(f.m, PAGE);
    RESMAP_OBJECT_OUT reservation, reading, writing, reserved, ordinary, other;
    RESMAP_QUERY_OUT q;
    char back[8];
    char trace[4096];

    memcpy(buffer + 16, "caller", 7);
    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
    CHECK_STATUS(lock_buffer(f.s, buffer, PAGE, RESMAP_ACCESS_READ, &reading), STATUS_SUCCESS);
    CHECK_STATUS(query(f.s, reading.Handle, &q), STATUS_SUCCESS);
    CHECK(q.Flags == (RESMAP_PAGE_SET_USER_BUFFER | RESMAP_PAGE_SET_READ_ONLY), "flags 0x%X", q.Flags);
    CHECK_STATUS(map_reserved(f.s, reading.Handle, 0, 0, reservation.Handle, 0, TAG_A, &reserved), STATUS_SUCCESS);
    resmap_sim_trace_enable(f.m, 1);
    CHECK_STATUS(map_ordinary(f.s, reading.Handle, 0, 0, &ordinary), STATUS_SUCCESS);
    resmap_sim_trace_read(f.m, trace, sizeof(trace));
    resmap_sim_trace_enable(f.m, 0);
    CHECK(strstr(trace, "FALSE, 0xC0000010)") != NULL,
          "Priority not NormalPagePriority | MdlMappingNoExecute | MdlMappingNoWrite: %s", trace);
    CHECK_STATUS(write_bytes(f.s, reserved.Handle, 16, "driver", 7), STATUS_MEDIA_WRITE_PROTECTED);
    CHECK_STATUS(write_bytes(f.s, ordinary.Handle, 16, "driver", 7), STATUS_MEDIA_WRITE_PROTECTED);
    CHECK(memcmp(buffer + 16, "caller", 7) == 0, "the buffer holds \"%.6s\"", (char *)buffer + 16);
    CHECK_STATUS(read_bytes(f.s, reserved.Handle, 16, back, 7), STATUS_SUCCESS);
    CHECK(memcmp(back, "caller", 7) == 0, "read \"%.6s\"", back);
    CHECK_STATUS(read_bytes(f.s, ordinary.Handle, 16, back, 7), STATUS_SUCCESS);
    CHECK(memcmp(back, "caller", 7) == 0, "read \"%.6s\"", back);

    CHECK_STATUS(lock_buffer(f.s, buffer, PAGE, RESMAP_ACCESS_READ_WRITE, &writing), STATUS_SUCCESS);
    CHECK_STATUS(query(f.s, writing.Handle, &q), STATUS_SUCCESS);
    CHECK(q.Flags == RESMAP_PAGE_SET_USER_BUFFER, "flags 0x%X", q.Flags);
    CHECK_STATUS(map_ordinary(f.s, writing.Handle, 0, 0, &other), STATUS_SUCCESS);
    CHECK_STATUS(write_bytes(f.s, other.Handle, 16, "driver", 7), STATUS_SUCCESS);
    CHECK(memcmp(buffer + 16, "driver", 7) == 0, "the buffer holds \"%.6s\"", (char *)buffer + 16);
    fixture_close(&f);
}

int main(void)
{
    RUN(a_buffer_locked_for_reading_refuses_writes_through_every_mapping);
    RUN(the_largest_transfer_round_trips);
    RUN(transfers_outside_the_mapping_or_the_limits_are_refused);
    RUN(a_short_buffer_for_the_data_is_buffer_too_small);
    return CHECK_DONE();
}
