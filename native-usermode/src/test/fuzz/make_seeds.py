#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ioctl: valid request sequences, one file each, in the record format
that fuzz_ioctl.c describes (operation, handle patches, input length, output length, input bytes).

    make_seeds.py DIR

Each IOCTL has at least one seed in which it succeeds; the longer ones run whole lifecycles so that
the fuzzer starts from inputs that reach deep states (mapped reservations, ring buffers, locked user
buffers) and mutates from there.
"""
import os
import struct
import sys

# Index of each IOCTL in fuzz_ioctl.c's kIoctls.
GET_INFO, RESERVE, FREE, ALLOCATE, LOCK, RELEASE, MAP_RESERVED, UNMAP_RESERVED, MAP_ORDINARY, \
    UNMAP_ORDINARY, READ, WRITE, QUERY = range(13)
NONE = 15
PAGE = 4096
TAG = 0x41414141
DIVISIBLE = 1
CACHED = 1


def record(op, data=b"", out_len=0, first=NONE, second=NONE):
    """One request; first/second name remembered handles (0 = the first object this input made)."""
    return struct.pack("<BBHH", op, first | second << 4, len(data), out_len) + data


def reserve(pages, flags=0):
    return record(RESERVE, struct.pack("<QII", pages * PAGE, TAG, flags), 32)


def allocate(pages):
    return record(ALLOCATE, struct.pack("<QII", pages * PAGE, CACHED, 0), 32)


def lock(offset, size):
    # first != NONE: the harness moves Address into its simulated user buffer.
    return record(LOCK, struct.pack("<QQII", offset, size, 2, 0), 32, first=0)


def map_reserved(page_set, reservation, offset=0, size=0, at=0):
    body = struct.pack("<QQQQQII", 0, offset, size, 0, at, TAG, CACHED)
    return record(MAP_RESERVED, body, 32, first=page_set, second=reservation)


def map_ordinary(page_set, offset=0, size=0):
    return record(MAP_ORDINARY, struct.pack("<QQQQQII", 0, offset, size, 0, 0, 0, CACHED), 32, first=page_set)


def tagged(op, handle):
    return record(op, struct.pack("<QII", 0, TAG, 0), 0, first=handle)


def by_handle(op, handle, out_len=0):
    return record(op, struct.pack("<Q", 0), out_len, first=handle)


def write(mapping, offset, payload):
    return record(WRITE, struct.pack("<QQII", 0, offset, len(payload), 0) + payload, 0, first=mapping)


def read(mapping, offset, size):
    return record(READ, struct.pack("<QQII", 0, offset, size, 0), size, first=mapping)


SEEDS = {
    "get_info": [record(GET_INFO, b"", 72)],
    "reserve_query_free": [reserve(1), by_handle(QUERY, 0, 64), tagged(FREE, 0)],
    "allocate_release": [allocate(2), by_handle(QUERY, 0, 64), by_handle(RELEASE, 0)],
    "lock_release": [lock(100, 5000), by_handle(QUERY, 0, 64), by_handle(RELEASE, 0)],
    "map_reserved_lifecycle": [
        reserve(2), allocate(2), map_reserved(1, 0), write(2, 10, b"resmap"), read(2, 0, 32),
        by_handle(QUERY, 2, 64), tagged(UNMAP_RESERVED, 2), by_handle(RELEASE, 1), tagged(FREE, 0),
    ],
    "map_ordinary_lifecycle": [
        allocate(3), map_ordinary(0, PAGE + 100, 5000), write(1, 0, b"x" * 64), read(1, 4990, 10),
        by_handle(UNMAP_ORDINARY, 1), by_handle(RELEASE, 0),
    ],
    "ring_buffer": [
        reserve(8, DIVISIBLE), allocate(4), map_reserved(1, 0), map_reserved(1, 0, at=4 * PAGE),
        write(2, 4 * PAGE - 4, b"wrap"), read(3, 4 * PAGE - 4, 8), record(GET_INFO, b"", 72),
    ],
    "user_buffer_mapped": [reserve(3), lock(10, 2 * PAGE), map_reserved(1, 0), read(2, 0, 16)],
    "sub_range_mapped": [reserve(4), allocate(3), map_reserved(1, 0, PAGE + 100, 5000), read(2, 4999, 1)],
    "left_open_for_cleanup": [
        reserve(4), reserve(8, DIVISIBLE), allocate(4), lock(0, PAGE), map_reserved(2, 0),
        map_reserved(3, 1, at=2 * PAGE), map_ordinary(2), map_ordinary(3),
    ],
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, records in SEEDS.items():
        # First byte: 0 selects the default machine (divisible reservations supported).
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"\x00" + b"".join(records))
    with open(os.path.join(out, "old_kernel_divisible"), "wb") as f:
        f.write(b"\x01" + reserve(2, DIVISIBLE) + reserve(2))


if __name__ == "__main__":
    main()
