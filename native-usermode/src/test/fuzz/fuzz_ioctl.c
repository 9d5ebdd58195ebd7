/*
 * fuzz_ioctl.c - a libFuzzer harness over resmap_sim_ioctl: the driver core behind the simulated I/O
 * manager, fed sequences of arbitrary requests on one session.
 *
 * One input is one session on a fresh simulated machine. Its first byte picks the machine (the
 * default Windows build, or one without MmAllocateMappingAddressEx); the rest is a sequence of
 * records, one request each:
 *
 *   byte 0      operation: low 4 bits index kIoctls (13..15: a code the device does not know)
 *   byte 1      handle patches: low 4 bits, the remembered handle written over input bytes 0..7;
 *               high 4 bits, the one written over bytes 24..31 (MAP_IN.Reservation); 15 = none.
 *               For LOCK_USER_BUFFER, a low nibble other than 15 instead moves Address into the
 *               machine's simulated user buffer (Address modulo its size), so locks can succeed.
 *   bytes 2..3  input length, little-endian
 *   bytes 4..5  output length, little-endian
 *   then        the input bytes (zero-padded if the data runs out)
 *
 * Every handle a successful request returns is remembered (the last 15), so later records can name
 * real objects: that is what makes map, unmap, release and free reachable, and handles reused after
 * their object is gone.
 *
 * After every request the harness aborts (a crash libFuzzer reports, with the input saved) if the
 * machine bugchecked, if the status is not one the protocol allows, if more bytes came back than the
 * output buffer holds, or if a reply holds an address of the simulated system address space. After
 * the input, closing the session must give back every resource (simulator counters as before it
 * opened). AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer watch the rest.
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

#define USER_BUFFER_BYTES (8u * PAGE_SIZE)
#define REMEMBERED 15u
#define NO_PATCH 15u
#define RECORD_HEADER 6u
#define MAX_OUTPUT (RESMAP_MAX_TRANSFER + 64u)

static const uint32_t kIoctls[] = {
    IOCTL_RESMAP_GET_INFO,       IOCTL_RESMAP_RESERVE,          IOCTL_RESMAP_FREE_RESERVATION,
    IOCTL_RESMAP_ALLOCATE_PAGES, IOCTL_RESMAP_LOCK_USER_BUFFER, IOCTL_RESMAP_RELEASE_PAGES,
    IOCTL_RESMAP_MAP_RESERVED,   IOCTL_RESMAP_UNMAP_RESERVED,   IOCTL_RESMAP_MAP_ORDINARY,
    IOCTL_RESMAP_UNMAP_ORDINARY, IOCTL_RESMAP_READ,             IOCTL_RESMAP_WRITE,
    IOCTL_RESMAP_QUERY,
};
#define IOCTL_COUNT (sizeof(kIoctls) / sizeof(kIoctls[0]))

/* The statuses resmap_protocol.h says the device completes requests with, and nothing else. */
static const int32_t kAllowedStatuses[] = {
    STATUS_SUCCESS,          STATUS_INVALID_DEVICE_REQUEST, STATUS_BUFFER_TOO_SMALL,
    STATUS_INVALID_PARAMETER, STATUS_INTEGER_OVERFLOW,      STATUS_INVALID_HANDLE,
    STATUS_ACCESS_DENIED,    STATUS_CONFLICTING_ADDRESSES,  STATUS_INVALID_DEVICE_STATE,
    STATUS_SHARING_VIOLATION, STATUS_END_OF_FILE,           STATUS_ALLOTTED_SPACE_EXCEEDED,
    STATUS_QUOTA_EXCEEDED,   STATUS_INSUFFICIENT_RESOURCES, STATUS_NOT_SUPPORTED,
    STATUS_ACCESS_VIOLATION, STATUS_UNSUCCESSFUL,
};

typedef struct run {
    resmap_sim_machine *m;
    resmap_sim_session *s;
    uint8_t *user_buffer;
    uint64_t handles[REMEMBERED];
    uint32_t handle_count;
    uint8_t in[RESMAP_MAX_TRANSFER + 64u];
    uint8_t out[MAX_OUTPUT];
} run;

static run r;

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

static void remember_handle(uint32_t code, int32_t status, uint32_t returned)
{
    RESMAP_OBJECT_OUT object;

    if (status != STATUS_SUCCESS || returned < sizeof(object)) {
        return;
    }
    if (code != IOCTL_RESMAP_RESERVE && code != IOCTL_RESMAP_ALLOCATE_PAGES &&
        code != IOCTL_RESMAP_LOCK_USER_BUFFER && code != IOCTL_RESMAP_MAP_RESERVED &&
        code != IOCTL_RESMAP_MAP_ORDINARY) {
        return;
    }
    memcpy(&object, r.out, sizeof(object));
    r.handles[r.handle_count % REMEMBERED] = object.Handle;
    r.handle_count++;
}

static void patch_handle(uint32_t slot, uint32_t at, uint32_t in_len)
{
    if (slot == NO_PATCH || at + 8 > in_len) {
        return;
    }
    memcpy(r.in + at, &r.handles[slot % REMEMBERED], 8);
}

/* Reads one record at data; returns how many bytes it took (0: nothing left to do). */
static size_t one_request(const uint8_t *data, size_t size)
{
    uint32_t code;
    uint32_t patches;
    uint32_t in_len;
    uint32_t out_len;
    uint32_t returned = 0xFFFFFFFFu;
    size_t data_len;
    int32_t status;

    if (size < RECORD_HEADER) {
        return 0;
    }
    code = (data[0] & 0xF) < IOCTL_COUNT ? kIoctls[data[0] & 0xF] : 0x8E5A0000u | data[0];
    patches = data[1];
    in_len = (uint32_t)data[2] | (uint32_t)data[3] << 8;
    out_len = (uint32_t)data[4] | (uint32_t)data[5] << 8;
    if (in_len > sizeof(r.in)) {
        in_len = sizeof(r.in);
    }
    data_len = size - RECORD_HEADER < in_len ? size - RECORD_HEADER : in_len;
    memset(r.in, 0, in_len);
    memcpy(r.in, data + RECORD_HEADER, data_len);

    if (code == IOCTL_RESMAP_LOCK_USER_BUFFER && (patches & 0xF) != NO_PATCH && in_len >= 8) {
        uint64_t address;
        memcpy(&address, r.in, sizeof(address));
        address = (uint64_t)(uintptr_t)r.user_buffer + address % USER_BUFFER_BYTES;
        memcpy(r.in, &address, sizeof(address));
    } else {
        patch_handle(patches & 0xF, 0, in_len);
    }
    patch_handle(patches >> 4, 24, in_len);

    /* The output buffer is poisoned so that a reply byte the core never wrote would show. */
    memset(r.out, 0xCD, out_len);
    status = resmap_sim_ioctl(r.s, code, r.in, in_len, r.out, out_len, &returned);
    if (status == RESMAP_SIM_STATUS_BUGCHECKED || resmap_sim_bugcheck(r.m, NULL, NULL)) {
        fail("the machine bugchecked", code, status);
    }
    if (!status_allowed(status)) {
        fail("a status the protocol does not allow", code, status);
    }
    if (returned > out_len || (status != STATUS_SUCCESS && returned != 0)) {
        fail("bytes returned exceed the output buffer or follow an error", code, status);
    }
    check_reply(code, r.out, returned);
    remember_handle(code, status, returned);
    return RECORD_HEADER + data_len;
}

static int counters_equal(const resmap_sim_counters *a, const resmap_sim_counters *b)
{
    return a->reservations == b->reservations && a->reserved_pages == b->reserved_pages &&
           a->reserved_mapped_pages == b->reserved_mapped_pages && a->ordinary_mappings == b->ordinary_mappings &&
           a->ordinary_mapped_pages == b->ordinary_mapped_pages && a->ptes_used == b->ptes_used &&
           a->frames_allocated == b->frames_allocated && a->frames_locked == b->frames_locked &&
           a->mdls == b->mdls && a->pool_allocations == b->pool_allocations && a->pool_bytes == b->pool_bytes &&
           a->sessions == b->sessions;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    resmap_sim_config cfg;
    resmap_sim_counters before;
    resmap_sim_counters after;
    resmap_sim_session *keeper;
    size_t at = 1;
    size_t step;

    if (size == 0) {
        return 0;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.struct_size = sizeof(cfg);
    cfg.windows_build = (data[0] & 1) != 0 ? RESMAP_SIM_BUILD_WIN10_1507 : RESMAP_SIM_BUILD_DEFAULT;
    cfg.physical_pages = 2048;
    cfg.system_ptes = 512;

    r.handle_count = 0;
    memset(r.handles, 0, sizeof(r.handles));
    r.m = resmap_sim_create(&cfg);
    if (r.m == NULL) {
        fail("resmap_sim_create failed", 0, 0);
    }
    r.user_buffer = resmap_sim_user_alloc(r.m, USER_BUFFER_BYTES);
    /* The keeper session makes the core's device exist before the counters are taken. */
    keeper = resmap_sim_open(r.m);
    resmap_sim_get_counters(r.m, &before);
    r.s = resmap_sim_open(r.m);
    if (r.user_buffer == NULL || keeper == NULL || r.s == NULL) {
        fail("setting up the machine failed", 0, 0);
    }

    while ((step = one_request(data + at, size - at)) != 0) {
        at += step;
    }

    resmap_sim_close(r.s);
    if (resmap_sim_bugcheck(r.m, NULL, NULL)) {
        fail("closing the session bugchecked", 0, 0);
    }
    resmap_sim_get_counters(r.m, &after);
    if (!counters_equal(&before, &after)) {
        fprintf(stderr, "fuzz_ioctl: after close: reservations %llu, mapped %llu, ordinary %llu, frames %llu, "
                "locked %llu, mdls %llu, pool %llu\n", (unsigned long long)after.reservations,
                (unsigned long long)after.reserved_mapped_pages, (unsigned long long)after.ordinary_mappings,
                (unsigned long long)after.frames_allocated, (unsigned long long)after.frames_locked,
                (unsigned long long)after.mdls, (unsigned long long)after.pool_allocations);
        fail("closing the session left resources behind", 0, 0);
    }
    resmap_sim_close(keeper);
    resmap_sim_destroy(r.m);
    return 0;
}
