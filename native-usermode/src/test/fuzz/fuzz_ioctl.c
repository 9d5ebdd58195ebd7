/*
 * fuzz_ioctl.c - a libFuzzer harness over resmap_sim_ioctl: the driver core behind the simulated I/O
 * manager, fed sequences of requests on several sessions of one machine, with faults injected.
 *
 * One input is one simulated machine. Its first byte picks the Windows build (bits 0..1: the default
 * build, 10 1507 or 8.1, both without MmAllocateMappingAddressEx, the last with header-based
 * reservations) and the number of sessions (bit 2: two or three). The rest is a sequence of records:
 *
 *   byte 0      operation: low 4 bits index kIoctls; 13 injects a fault, 14 closes and reopens the
 *               session, 15 sends IOCTL_RESMAP_BENCH if bit 4 is set, else a code the device does not
 *               know
 *   byte 1      bits 0..1: the session (modulo the number open); bits 6..7 == 3: a raw request, else a
 *               structured one
 *   then        structured: the fields of the request struct, read from the input, with handles
 *               chosen among the objects the session holds (or, now and then, one of another session
 *               or a stale one), sizes kept to a few pages, lengths right;
 *               raw: input length, output length (2 bytes each), the input bytes, with an object's
 *               handle written over the first 8 bytes
 *
 * After every request the harness fails (abort, so libFuzzer saves the input) if the machine
 * bugchecked, if the status is not one the protocol allows (STATUS_UNSUCCESSFUL, the protocol's own
 * sign of a validation gap, is not allowed), if more bytes came back than the output holds or any
 * after an error, if a reply holds an address of the machine's system address space, if a failed
 * request changed anything (the session's GET_INFO and the machine's counters are compared before and
 * after; a successful BENCH must change nothing either), or if a READ returns other bytes than were
 * written there (the harness keeps a copy of every
 * allocated page set's contents; a locked user buffer is compared with the buffer itself). After the
 * input, closing every session must give back every resource.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wdm.h>

#include "resmap_protocol.h"
#include "resmap_sim.h"
/* The reply check reads where the simulated system address space lies. */
#include "sim_machine.h"

#define USER_BUFFER_BYTES (16u * PAGE_SIZE)
#define MAX_SESSIONS 3
#define MAX_OBJECTS 24u
#define MAX_PAGES 8u
#define MAX_OUTPUT (RESMAP_MAX_TRANSFER + 64u)
#define OP_FAULT 13u
#define OP_REOPEN 14u
#define OP_OTHER 15u            /* with bit 4 of the operation byte: OP_BENCH; without: an unknown code */
#define OP_BENCH 16u
/* Iterations of a BENCH the harness sends: a few, so that an input runs in microseconds (the bounds
 * themselves are the C tests' business; an out-of-range count is still sent now and then). */
#define BENCH_ITERATIONS 4u

static const uint32_t kIoctls[] = {
    IOCTL_RESMAP_GET_INFO,       IOCTL_RESMAP_RESERVE,          IOCTL_RESMAP_FREE_RESERVATION,
    IOCTL_RESMAP_ALLOCATE_PAGES, IOCTL_RESMAP_LOCK_USER_BUFFER, IOCTL_RESMAP_RELEASE_PAGES,
    IOCTL_RESMAP_MAP_RESERVED,   IOCTL_RESMAP_UNMAP_RESERVED,   IOCTL_RESMAP_MAP_ORDINARY,
    IOCTL_RESMAP_UNMAP_ORDINARY, IOCTL_RESMAP_READ,             IOCTL_RESMAP_WRITE,
    IOCTL_RESMAP_QUERY,
};
#define IOCTL_COUNT (sizeof(kIoctls) / sizeof(kIoctls[0]))

/* The statuses resmap_protocol.h says the device completes requests with, less STATUS_UNSUCCESSFUL:
 * the core returns that only when the kernel refused what validation let through, a gap to report. */
static const int32_t kAllowedStatuses[] = {
    STATUS_SUCCESS,          STATUS_INVALID_DEVICE_REQUEST, STATUS_BUFFER_TOO_SMALL,
    STATUS_INVALID_PARAMETER, STATUS_INTEGER_OVERFLOW,      STATUS_INVALID_HANDLE,
    STATUS_ACCESS_DENIED,    STATUS_CONFLICTING_ADDRESSES,  STATUS_INVALID_DEVICE_STATE,
    STATUS_SHARING_VIOLATION, STATUS_END_OF_FILE,           STATUS_ALLOTTED_SPACE_EXCEEDED,
    STATUS_QUOTA_EXCEEDED,   STATUS_INSUFFICIENT_RESOURCES, STATUS_NOT_SUPPORTED,
    STATUS_ACCESS_VIOLATION, STATUS_MEDIA_WRITE_PROTECTED,
};

/* What the harness knows of an object a session made. */
typedef struct object {
    uint64_t handle;
    uint32_t type;
    uint64_t bytes;
    uint8_t *shadow;        /* allocated page set: its expected contents */
    uint8_t *user;          /* locked page set: where its bytes are in the user buffer */
    int parent;             /* mapping: index of its page set */
    uint64_t parent_offset; /* mapping: where it starts within the page set */
    int live;
} object;

typedef struct session {
    resmap_sim_session *s;
    object objects[MAX_OBJECTS];
    uint32_t count;         /* objects ever recorded (the table wraps) */
} session;

typedef struct cursor {
    const uint8_t *data;
    size_t size;
    size_t at;
} cursor;

static struct {
    resmap_sim_machine *m;
    session sessions[MAX_SESSIONS];
    int session_count;
    uint8_t *user_buffer;
    uint64_t stale_handle;  /* a handle of an object already gone */
    uint8_t in[RESMAP_MAX_TRANSFER + 64u];
    uint8_t out[MAX_OUTPUT];
} r;

static void fail(const char *what, uint32_t code, int32_t status)
{
    uint32_t bug = 0;
    uint64_t p[4] = { 0, 0, 0, 0 };

    resmap_sim_bugcheck(r.m, &bug, p);
    fprintf(stderr, "fuzz_ioctl: %s (IOCTL 0x%08x, status 0x%08x, bugcheck 0x%x 0x%llx 0x%llx 0x%llx 0x%llx)\n",
            what, code, (unsigned)status, bug, (unsigned long long)p[0], (unsigned long long)p[1],
            (unsigned long long)p[2], (unsigned long long)p[3]);
    abort();
}

static uint8_t next8(cursor *c)
{
    return c->at < c->size ? c->data[c->at++] : 0;
}

static uint64_t next_bytes(cursor *c, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)next8(c) << (8 * i);
    }
    return v;
}

static int status_allowed(int32_t status)
{
    for (size_t i = 0; i < sizeof(kAllowedStatuses) / sizeof(kAllowedStatuses[0]); i++) {
        if (status == kAllowedStatuses[i]) {
            return 1;
        }
    }
    return 0;
}

static void check_reply(uint32_t code, const uint8_t *reply, uint32_t length)
{
    uint64_t low = (uint64_t)(uintptr_t)r.m->sysva;
    uint64_t high = low + r.m->ptes_total * PAGE_SIZE;

    /* READ returns mapped memory, which the harness itself may have written anything into. */
    if (code == IOCTL_RESMAP_READ) {
        return;
    }
    for (uint32_t at = 0; at + 8 <= length; at++) {
        uint64_t value;
        memcpy(&value, reply + at, sizeof(value));
        if (value >= low && value < high) {
            fail("a reply holds a system address", code, STATUS_SUCCESS);
        }
    }
}

/* ------------------------------------------------------------------ the objects a session holds */

static object *pick(session *se, uint8_t choice, uint32_t type)
{
    /* Mostly a live object of the wanted type; sometimes any slot, whatever it holds. */
    uint32_t n = se->count < MAX_OBJECTS ? se->count : MAX_OBJECTS;
    if (n == 0) {
        return NULL;
    }
    if ((choice & 0xE0) != 0xE0) {
        for (uint32_t i = 0; i < n; i++) {
            object *o = &se->objects[(choice + i) % n];
            if (o->live && (type == 0 || o->type == type ||
                            (type == RESMAP_OBJECT_ORDINARY_MAPPING && o->type == RESMAP_OBJECT_RESERVED_MAPPING))) {
                return o;
            }
        }
    }
    return &se->objects[choice % n];
}

/* A handle for a request: usually the picked object's, now and then another session's, a stale one,
 * or garbage. */
static uint64_t handle_for(session *se, uint8_t choice, uint32_t type, object **named)
{
    object *o = pick(se, choice, type);
    *named = NULL;
    switch (choice & 0x1F) {
    case 0x1D: {
        session *other = &r.sessions[(se - r.sessions + 1) % r.session_count];
        object *foreign = pick(other, choice >> 2, type);
        return foreign != NULL ? foreign->handle : 0;
    }
    case 0x1E:
        return r.stale_handle;
    case 0x1F:
        return 0x0123456789ABCDEFull;
    default:
        *named = o;
        return o != NULL ? o->handle : 0;
    }
}

static void forget(object *o)
{
    if (o->live) {
        r.stale_handle = o->handle;
    }
    free(o->shadow);
    memset(o, 0, sizeof(*o));
}

static object *remember(session *se, uint64_t handle, uint32_t type, uint64_t bytes)
{
    object *o = &se->objects[se->count % MAX_OBJECTS];
    if (o->live && o->type == RESMAP_OBJECT_PAGE_SET) {
        /* The slot's page set is still alive in the core; drop its shadow, never check it again. */
        for (uint32_t i = 0; i < MAX_OBJECTS; i++) {
            if (se->objects[i].live && se->objects[i].parent == (int)(o - se->objects) + 1) {
                se->objects[i].parent = 0;
            }
        }
    }
    forget(o);
    se->count++;
    o->handle = handle;
    o->type = type;
    o->bytes = bytes;
    o->live = 1;
    return o;
}

static object *parent_of(session *se, const object *mapping)
{
    return mapping->parent > 0 ? &se->objects[mapping->parent - 1] : NULL;
}

/* Where the bytes at `offset` of a mapping are expected: the shadow or the user buffer; NULL if the
 * harness no longer follows its page set. */
static uint8_t *expected_at(session *se, const object *mapping, uint64_t offset)
{
    object *ps = parent_of(se, mapping);
    if (ps == NULL || !ps->live) {
        return NULL;
    }
    if (ps->shadow != NULL) {
        return ps->shadow + mapping->parent_offset + offset;
    }
    return ps->user != NULL ? ps->user + mapping->parent_offset + offset : NULL;
}

/* ------------------------------------------------------------------ one request */

typedef struct request {
    uint32_t code;
    uint32_t in_len;
    uint32_t out_len;
    object *named;          /* the object the first handle names, if the harness knows it */
    object *second;         /* MAP_RESERVED: the reservation */
    uint64_t a, b;          /* fields the bookkeeping needs (offsets, sizes, access) */
} request;

static uint64_t small_bytes(cursor *c)
{
    /* Mostly whole pages or a little less or more, up to MAX_PAGES pages; sometimes anything. */
    uint8_t shape = next8(c);
    if (shape >= 0xF8) {
        return next_bytes(c, 8);
    }
    return (uint64_t)(shape % MAX_PAGES + 1) * PAGE_SIZE - (shape & 0x40 ? next8(c) : 0);
}

static uint32_t code_of(uint8_t op, cursor *c)
{
    return op < IOCTL_COUNT ? kIoctls[op] : op == OP_BENCH ? IOCTL_RESMAP_BENCH : 0x8E5A0000u | next8(c);
}

static void build_structured(cursor *c, session *se, uint32_t op, request *q)
{
    uint8_t choice = next8(c);

    q->code = code_of((uint8_t)op, c);
    q->out_len = sizeof(RESMAP_OBJECT_OUT);
    switch (q->code) {
    case IOCTL_RESMAP_GET_INFO:
        q->in_len = 0;
        q->out_len = sizeof(RESMAP_INFO);
        break;
    case IOCTL_RESMAP_RESERVE: {
        RESMAP_RESERVE_IN in = { small_bytes(c), (choice & 0x10) ? 0 : 0x41414141u + (choice & 1),
                                 (choice & 0x20) ? RESMAP_RESERVE_DIVISIBLE : (choice >> 6) == 3 ? 0x2u : 0 };
        in.Bytes = (choice & 0x08) ? in.Bytes * 2 : in.Bytes;
        memcpy(r.in, &in, sizeof(in));
        q->in_len = sizeof(in);
        break;
    }
    case IOCTL_RESMAP_ALLOCATE_PAGES: {
        RESMAP_ALLOCATE_IN in = { small_bytes(c), choice % 4, (choice & 0x10) ? RESMAP_ALLOCATE_PREFER_CONTIGUOUS : 0 };
        memcpy(r.in, &in, sizeof(in));
        q->in_len = sizeof(in);
        q->a = in.Bytes;
        break;
    }
    case IOCTL_RESMAP_LOCK_USER_BUFFER: {
        uint64_t offset = next_bytes(c, 2) % USER_BUFFER_BYTES;
        RESMAP_LOCK_IN in = { (uint64_t)(uintptr_t)r.user_buffer + offset, small_bytes(c),
                              (choice & 1) ? RESMAP_ACCESS_READ : RESMAP_ACCESS_READ_WRITE, 0 };
        if ((choice & 0xC0) == 0xC0) {
            in.Address = next_bytes(c, 8);  /* memory that is not the caller's */
        }
        if ((choice & 0x30) == 0x30) {
            in.Access = choice >> 4;
        }
        memcpy(r.in, &in, sizeof(in));
        q->in_len = sizeof(in);
        q->a = in.Address;
        q->b = in.Bytes;
        break;
    }
    case IOCTL_RESMAP_FREE_RESERVATION:
    case IOCTL_RESMAP_UNMAP_RESERVED: {
        uint32_t type = q->code == IOCTL_RESMAP_FREE_RESERVATION ? RESMAP_OBJECT_RESERVATION
                                                                  : RESMAP_OBJECT_RESERVED_MAPPING;
        RESMAP_TAGGED_IN in = { handle_for(se, choice, type, &q->named), 0x41414141u + ((next8(c) & 0x7) == 7),
                                0 };
        memcpy(r.in, &in, sizeof(in));
        q->in_len = sizeof(in);
        q->out_len = 0;
        break;
    }
    case IOCTL_RESMAP_RELEASE_PAGES:
    case IOCTL_RESMAP_UNMAP_ORDINARY:
    case IOCTL_RESMAP_QUERY: {
        uint32_t type = q->code == IOCTL_RESMAP_RELEASE_PAGES ? RESMAP_OBJECT_PAGE_SET
                        : q->code == IOCTL_RESMAP_UNMAP_ORDINARY ? RESMAP_OBJECT_ORDINARY_MAPPING : 0;
        RESMAP_HANDLE_IN in = { handle_for(se, choice, type, &q->named) };
        memcpy(r.in, &in, sizeof(in));
        q->in_len = sizeof(in);
        q->out_len = q->code == IOCTL_RESMAP_QUERY ? sizeof(RESMAP_QUERY_OUT) : 0;
        break;
    }
    case IOCTL_RESMAP_MAP_RESERVED:
    case IOCTL_RESMAP_MAP_ORDINARY: {
        uint8_t second = next8(c);
        uint8_t shape = next8(c);
        RESMAP_MAP_IN in;
        memset(&in, 0, sizeof(in));
        in.PageSet = handle_for(se, choice, RESMAP_OBJECT_PAGE_SET, &q->named);
        in.Offset = (shape & 0x3) == 0 ? 0 : next_bytes(c, 2) % (MAX_PAGES * PAGE_SIZE);
        in.Bytes = (shape & 0xC) == 0 ? 0 : next_bytes(c, 2) % (MAX_PAGES * PAGE_SIZE + 1);
        in.CachingType = shape >> 6;
        if (q->code == IOCTL_RESMAP_MAP_RESERVED) {
            in.Reservation = handle_for(se, second, RESMAP_OBJECT_RESERVATION, &q->second);
            in.ReservationOffset = (shape & 0x30) == 0 ? 0 : (uint64_t)(next8(c) % (2 * MAX_PAGES)) * PAGE_SIZE;
            in.PoolTag = 0x41414141u + ((second & 0x7) == 7);
        } else if ((second & 0xF) == 0xF) {
            in.PoolTag = 1;  /* a reservation field on an ordinary map */
        }
        memcpy(r.in, &in, sizeof(in));
        q->in_len = sizeof(in);
        q->a = in.Offset;
        break;
    }
    case IOCTL_RESMAP_BENCH: {
        uint8_t second = next8(c);
        uint8_t shape = next8(c);
        RESMAP_BENCH_IN in;
        memset(&in, 0, sizeof(in));
        in.Flags = (shape & 0x3) != 0 ? (shape & 0x3) : (shape & 0x80) ? 0x4u : 0;
        in.Map.PageSet = handle_for(se, choice, RESMAP_OBJECT_PAGE_SET, &q->named);
        in.Map.Offset = (shape & 0x4) == 0 ? 0 : next_bytes(c, 2) % (MAX_PAGES * PAGE_SIZE);
        in.Map.Bytes = (shape & 0x8) == 0 ? 0 : next_bytes(c, 2) % (MAX_PAGES * PAGE_SIZE + 1);
        in.Map.CachingType = (shape >> 4) & 0x3;
        if ((in.Flags & RESMAP_BENCH_RESERVED) != 0 || (second & 0xF) == 0xF) {
            in.Map.Reservation = handle_for(se, second, RESMAP_OBJECT_RESERVATION, &q->second);
            in.Map.ReservationOffset = (second & 0x30) == 0 ? 0 : (uint64_t)(next8(c) % (2 * MAX_PAGES)) * PAGE_SIZE;
            in.Map.PoolTag = 0x41414141u + ((second & 0x7) == 7);
        }
        in.Iterations = (shape & 0x40) ? next8(c) % BENCH_ITERATIONS : 1 + (choice >> 6);
        if ((shape & 0xC0) == 0xC0) {
            in.Iterations = RESMAP_MAX_BENCH_ITERATIONS + 1;
        }
        in.BudgetMicroseconds = (second & 0xC0) == 0x40 ? 1 : (second & 0xC0) == 0x80 ? RESMAP_MAX_BENCH_MICROSECONDS + 1 : 0;
        memcpy(r.in, &in, sizeof(in));
        q->in_len = sizeof(in);
        q->out_len = sizeof(RESMAP_BENCH_OUT);
        break;
    }
    case IOCTL_RESMAP_READ:
    case IOCTL_RESMAP_WRITE: {
        uint32_t bytes = (uint32_t)next_bytes(c, 2) % (2 * PAGE_SIZE) + 1;
        RESMAP_TRANSFER_IN in = { handle_for(se, choice, RESMAP_OBJECT_ORDINARY_MAPPING, &q->named),
                                  next_bytes(c, 2) % (MAX_PAGES * PAGE_SIZE), bytes, 0 };
        if ((choice & 0x1C) == 0x1C) {
            in.Bytes = (uint32_t)next_bytes(c, 4);  /* 0, or more than a transfer may be */
        }
        memcpy(r.in, &in, sizeof(in));
        q->in_len = sizeof(in);
        q->out_len = 0;
        q->a = in.Offset;
        q->b = in.Bytes;
        if (q->code == IOCTL_RESMAP_READ) {
            q->out_len = in.Bytes <= MAX_OUTPUT ? in.Bytes : MAX_OUTPUT;
        } else if (in.Bytes <= RESMAP_MAX_TRANSFER) {
            /* The data: a pattern from the input, so that the read check has something to find. */
            uint8_t seed = next8(c);
            for (uint32_t i = 0; i < in.Bytes; i++) {
                r.in[sizeof(in) + i] = (uint8_t)(seed + i * 7);
            }
            q->in_len = sizeof(in) + in.Bytes;
        }
        break;
    }
    default:
        break;
    }
    /* Now and then a length one short or one long: the length check must hold up too. */
    if ((choice & 0x0F) == 0x0B && q->in_len > 0) {
        q->in_len--;
    } else if ((choice & 0x0F) == 0x0C && q->out_len > 0) {
        q->out_len--;
    }
}

static void build_raw(cursor *c, session *se, request *q, uint8_t op)
{
    uint8_t choice = next8(c);
    object *ignored;
    uint64_t handle = handle_for(se, choice, 0, &ignored);
    q->code = code_of(op, c);
    q->in_len = (uint32_t)next_bytes(c, 2) % (sizeof(r.in) + 1);
    q->out_len = (uint32_t)next_bytes(c, 2) % (MAX_OUTPUT + 1);
    memset(r.in, 0, q->in_len);
    for (uint32_t i = 0; i < q->in_len && c->at < c->size; i++) {
        r.in[i] = next8(c);
    }
    if (q->in_len >= 8 && (choice & 1)) {
        memcpy(r.in, &handle, sizeof(handle));
    }
    if (q->code == IOCTL_RESMAP_BENCH && q->in_len >= sizeof(RESMAP_BENCH_IN)) {
        /* A count the driver accepts is cut to a few cycles; a refused one is sent as it is. */
        RESMAP_BENCH_IN *in = (RESMAP_BENCH_IN *)r.in;
        if (in->Iterations <= RESMAP_MAX_BENCH_ITERATIONS) {
            in->Iterations %= BENCH_ITERATIONS;
        }
    }
}

/* Bookkeeping after a successful request. */
static void record_success(session *se, const request *q, uint32_t returned)
{
    RESMAP_OBJECT_OUT object_out;
    object *o;

    switch (q->code) {
    case IOCTL_RESMAP_RESERVE:
    case IOCTL_RESMAP_ALLOCATE_PAGES:
    case IOCTL_RESMAP_LOCK_USER_BUFFER:
    case IOCTL_RESMAP_MAP_RESERVED:
    case IOCTL_RESMAP_MAP_ORDINARY:
        if (returned < sizeof(object_out)) {
            return;
        }
        memcpy(&object_out, r.out, sizeof(object_out));
        o = remember(se, object_out.Handle, (uint32_t)(object_out.Handle >> 56), object_out.Bytes);
        if (q->code == IOCTL_RESMAP_ALLOCATE_PAGES) {
            o->shadow = calloc(1, object_out.Bytes);  /* allocated pages are zeroed */
        } else if (q->code == IOCTL_RESMAP_LOCK_USER_BUFFER) {
            o->user = (uint8_t *)(uintptr_t)q->a;
        } else if (q->code == IOCTL_RESMAP_MAP_RESERVED || q->code == IOCTL_RESMAP_MAP_ORDINARY) {
            o->parent = q->named != NULL && q->named->live && q->named->handle == ((RESMAP_MAP_IN *)r.in)->PageSet
                            ? (int)(q->named - se->objects) + 1
                            : 0;
            o->parent_offset = q->a;
        }
        break;
    case IOCTL_RESMAP_FREE_RESERVATION:
    case IOCTL_RESMAP_RELEASE_PAGES:
    case IOCTL_RESMAP_UNMAP_RESERVED:
    case IOCTL_RESMAP_UNMAP_ORDINARY:
        if (q->named != NULL && q->named->live) {
            uint32_t slot = (uint32_t)(q->named - se->objects) + 1;
            for (uint32_t i = 0; i < MAX_OBJECTS; i++) {
                if (se->objects[i].parent == (int)slot) {
                    se->objects[i].parent = 0;
                }
            }
            forget(q->named);
        }
        break;
    case IOCTL_RESMAP_WRITE:
        if (q->named != NULL && q->named->live) {
            uint8_t *at = expected_at(se, q->named, q->a);
            if (at != NULL && parent_of(se, q->named)->shadow != NULL) {
                memcpy(at, r.in + sizeof(RESMAP_TRANSFER_IN), (size_t)q->b);
            }
        }
        break;
    case IOCTL_RESMAP_READ:
        if (q->named != NULL && q->named->live) {
            uint8_t *at = expected_at(se, q->named, q->a);
            if (at != NULL && memcmp(at, r.out, (size_t)q->b) != 0) {
                fail("a READ returned other bytes than were written there", q->code, STATUS_SUCCESS);
            }
        }
        break;
    default:
        break;
    }
}

static void get_info(session *se, RESMAP_INFO *info)
{
    uint32_t returned;
    memset(info, 0, sizeof(*info));
    if (resmap_sim_ioctl(se->s, IOCTL_RESMAP_GET_INFO, NULL, 0, info, sizeof(*info), &returned) != STATUS_SUCCESS) {
        fail("GET_INFO failed", IOCTL_RESMAP_GET_INFO, 0);
    }
}

static int counters_equal(const resmap_sim_counters *a, const resmap_sim_counters *b)
{
    return a->reservations == b->reservations && a->reserved_pages == b->reserved_pages &&
           a->reserved_mapped_pages == b->reserved_mapped_pages && a->ordinary_mappings == b->ordinary_mappings &&
           a->ordinary_mapped_pages == b->ordinary_mapped_pages && a->ptes_used == b->ptes_used &&
           a->frames_allocated == b->frames_allocated && a->frames_locked == b->frames_locked &&
           a->frames_user == b->frames_user && a->mdls == b->mdls && a->pool_allocations == b->pool_allocations &&
           a->pool_bytes == b->pool_bytes && a->sessions == b->sessions && a->user_buffers == b->user_buffers;
}

static void one_request(cursor *c, uint8_t op, session *se, int raw)
{
    request q;
    RESMAP_INFO info_before, info_after;
    resmap_sim_counters before, after;
    uint32_t returned = 0xFFFFFFFFu;
    int32_t status;

    memset(&q, 0, sizeof(q));
    if (raw || (op >= IOCTL_COUNT && op != OP_BENCH)) {
        build_raw(c, se, &q, op);
    } else {
        build_structured(c, se, op, &q);
    }
    get_info(se, &info_before);
    resmap_sim_get_counters(r.m, &before);

    /* The output buffer is poisoned so that a reply byte the core never wrote would show. */
    memset(r.out, 0xCD, q.out_len);
    status = resmap_sim_ioctl(se->s, q.code, r.in, q.in_len, r.out, q.out_len, &returned);
    if (status == RESMAP_SIM_STATUS_BUGCHECKED || resmap_sim_bugcheck(r.m, NULL, NULL)) {
        fail("the machine bugchecked", q.code, status);
    }
    if (!status_allowed(status)) {
        fail("a status the protocol does not allow", q.code, status);
    }
    if (returned > q.out_len || (status != STATUS_SUCCESS && returned != 0)) {
        fail("bytes returned exceed the output buffer or follow an error", q.code, status);
    }
    check_reply(q.code, r.out, returned);
    if (status != STATUS_SUCCESS || q.code == IOCTL_RESMAP_BENCH) {
        resmap_sim_get_counters(r.m, &after);
        get_info(se, &info_after);
        if (!counters_equal(&before, &after) || memcmp(&info_before, &info_after, sizeof(info_after)) != 0) {
            fail("a failed request or a bench changed the session or the machine", q.code, status);
        }
        return;
    }
    record_success(se, &q, returned);
}

static void forget_session(session *se)
{
    for (uint32_t i = 0; i < MAX_OBJECTS; i++) {
        forget(&se->objects[i]);
    }
    se->count = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t builds[] = { RESMAP_SIM_BUILD_DEFAULT, RESMAP_SIM_BUILD_WIN10_1507, RESMAP_SIM_BUILD_WIN81,
                                       RESMAP_SIM_BUILD_DEFAULT };
    resmap_sim_config cfg;
    resmap_sim_counters before, after;
    resmap_sim_session *keeper;
    cursor c = { data, size, 1 };

    if (size == 0) {
        return 0;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.struct_size = sizeof(cfg);
    cfg.windows_build = builds[data[0] & 3];
    cfg.physical_pages = 2048;
    cfg.system_ptes = 512;

    memset(r.sessions, 0, sizeof(r.sessions));
    r.stale_handle = 0;
    r.m = resmap_sim_create(&cfg);
    if (r.m == NULL) {
        fail("resmap_sim_create failed", 0, 0);
    }
    r.user_buffer = resmap_sim_user_alloc(r.m, USER_BUFFER_BYTES);
    /* The keeper session makes the core's device exist before the counters are taken. */
    keeper = resmap_sim_open(r.m);
    resmap_sim_get_counters(r.m, &before);
    r.session_count = (data[0] & 4) ? 3 : 2;
    for (int i = 0; i < r.session_count; i++) {
        r.sessions[i].s = resmap_sim_open(r.m);
        if (r.sessions[i].s == NULL) {
            fail("opening a session failed", 0, 0);
        }
    }
    if (r.user_buffer == NULL || keeper == NULL) {
        fail("setting up the machine failed", 0, 0);
    }

    while (c.at + 2 <= c.size) {
        uint8_t op_byte = next8(&c);
        uint8_t op = op_byte & 0xF;
        uint8_t how = next8(&c);
        if (op == OP_OTHER && (op_byte & 0x10) != 0) {
            op = OP_BENCH;
        }
        session *se = &r.sessions[(how & 3) % r.session_count];
        if (op == OP_FAULT) {
            /* The n-th next allocation of a kind fails, inside whatever request comes. */
            uint8_t fault = next8(&c);
            resmap_sim_fail_nth(r.m, 1 + fault % 5, 1 + (fault >> 4) % 4);
        } else if (op == OP_REOPEN) {
            /* Closing a session with whatever it holds; it must tear it all down. */
            resmap_sim_close(se->s);
            forget_session(se);
            resmap_sim_fail_nth(r.m, RESMAP_SIM_FAULT_POOL, 0);
            se->s = resmap_sim_open(r.m);
            if (se->s == NULL || resmap_sim_bugcheck(r.m, NULL, NULL)) {
                fail("closing and reopening a session failed", 0, 0);
            }
        } else {
            one_request(&c, op, se, (how >> 6) == 3);
        }
    }

    for (int kind = 1; kind <= 5; kind++) {
        resmap_sim_fail_nth(r.m, kind, 0);
    }
    for (int i = 0; i < r.session_count; i++) {
        resmap_sim_close(r.sessions[i].s);
        forget_session(&r.sessions[i]);
    }
    if (resmap_sim_bugcheck(r.m, NULL, NULL)) {
        fail("closing the sessions bugchecked", 0, 0);
    }
    resmap_sim_get_counters(r.m, &after);
    if (!counters_equal(&before, &after)) {
        fprintf(stderr, "fuzz_ioctl: after close: reservations %llu, mapped %llu, ordinary %llu, frames %llu, "
                "locked %llu, mdls %llu, pool %llu\n", (unsigned long long)after.reservations,
                (unsigned long long)after.reserved_mapped_pages, (unsigned long long)after.ordinary_mappings,
                (unsigned long long)after.frames_allocated, (unsigned long long)after.frames_locked,
                (unsigned long long)after.mdls, (unsigned long long)after.pool_allocations);
        fail("closing the sessions left resources behind", 0, 0);
    }
    resmap_sim_close(keeper);
    resmap_sim_destroy(r.m);
    return 0;
}
