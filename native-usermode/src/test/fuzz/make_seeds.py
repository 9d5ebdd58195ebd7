#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ioctl: valid request sequences, one file each, in the record format
that fuzz_ioctl.c describes (a machine byte, then per record: operation, session and kind, then the
request's fields as the harness reads them).

    make_seeds.py DIR

Each IOCTL has a seed in which it succeeds; the longer ones run whole lifecycles on several sessions,
with faults and a close in the middle, so that the fuzzer starts from inputs that reach deep states
(mapped reservations, ring buffers, locked user buffers, read-only buffers) and mutates from there.
"""
import os
import struct
import sys

# Index of each IOCTL in fuzz_ioctl.c's kIoctls, and the harness's own operations.
GET_INFO, RESERVE, FREE, ALLOCATE, LOCK, RELEASE, MAP_RESERVED, UNMAP_RESERVED, MAP_ORDINARY, \
    UNMAP_ORDINARY, READ, WRITE, QUERY = range(13)
FAULT, REOPEN = 13, 14
BENCH = 15 | 0x10  # operation 15 with bit 4 set

DEFAULT_BUILD, WIN10_1507, WIN81 = 0, 1, 2
THREE_SESSIONS = 4


def rec(op, session, *body):
    return bytes([op, session & 3]) + bytes(body)


def reserve(s, pages, divisible=False):
    return rec(RESERVE, s, 0x20 if divisible else 0x00, pages - 1)


def allocate(s, pages):
    return rec(ALLOCATE, s, 0x01, pages - 1)


def lock(s, offset, pages, read_only=False):
    return rec(LOCK, s, 0x01 if read_only else 0x00, *struct.pack("<H", offset), pages - 1)


def map_reserved(s, page_set=0, reservation=0, at_page=0):
    shape = 0x40 | (0x10 if at_page else 0)
    return rec(MAP_RESERVED, s, page_set, reservation, shape, *([at_page] if at_page else []))


def map_ordinary(s, page_set=0):
    return rec(MAP_ORDINARY, s, page_set, 0x00, 0x40)


def write(s, mapping, offset, size, seed=0x33):
    return rec(WRITE, s, mapping, *struct.pack("<HH", size - 1, offset), seed)


def read(s, mapping, offset, size):
    return rec(READ, s, mapping, *struct.pack("<HH", size - 1, offset))


def unmap_reserved(s, mapping):
    return rec(UNMAP_RESERVED, s, mapping, 0)


def unmap_ordinary(s, mapping):
    return rec(UNMAP_ORDINARY, s, mapping)


def release(s, page_set):
    return rec(RELEASE, s, page_set)


def free(s, reservation):
    return rec(FREE, s, reservation, 0)


def query(s, handle):
    return rec(QUERY, s, handle)


def bench(s, page_set=0, reservation=0, flags=3, iterations=2):
    """IOCTL_RESMAP_BENCH of a whole page set at the start of a reservation (flags: 1 reserved, 2 ordinary)."""
    choice = page_set | ((iterations - 1) << 6)
    return rec(BENCH, s, choice, reservation, flags & 3)


def lifecycle(s):
    return (reserve(s, 2) + allocate(s, 2) + map_reserved(s) + write(s, 2, 16, 32) + read(s, 2, 16, 32) +
            query(s, 2) + unmap_reserved(s, 2) + release(s, 1) + free(s, 0) + rec(GET_INFO, s))


SEEDS = {
    "info": bytes([DEFAULT_BUILD]) + rec(GET_INFO, 0),
    "lifecycle": bytes([DEFAULT_BUILD]) + lifecycle(0),
    "lifecycle-two-sessions": bytes([DEFAULT_BUILD]) + lifecycle(0) + lifecycle(1),
    "lifecycle-win81": bytes([WIN81]) + lifecycle(0),
    "lifecycle-win10-1507": bytes([WIN10_1507 | THREE_SESSIONS]) + lifecycle(2),
    "ring": bytes([DEFAULT_BUILD]) + reserve(0, 4, divisible=True) + allocate(0, 2) +
            map_reserved(0, 1, 0, 0) + map_reserved(0, 1, 0, 2) + write(0, 2, 4090, 12) + read(0, 3, 4090, 12),
    "user-buffer": bytes([DEFAULT_BUILD]) + lock(0, 100, 2) + map_ordinary(0) + write(0, 1, 0, 64) +
                   read(0, 1, 0, 64) + unmap_ordinary(0, 1) + release(0, 0),
    "read-only-buffer": bytes([DEFAULT_BUILD]) + lock(1, 0, 1, read_only=True) + reserve(1, 1) +
                        map_reserved(1, 0, 1) + write(1, 2, 0, 8) + read(1, 2, 0, 8),
    "ordinary": bytes([DEFAULT_BUILD]) + allocate(0, 3) + map_ordinary(0) + map_ordinary(0) +
                write(0, 1, 100, 50) + read(0, 2, 100, 50),
    "faults": bytes([DEFAULT_BUILD]) + rec(FAULT, 0, 0x02) + lifecycle(0) + rec(FAULT, 0, 0x13) + lifecycle(0) +
              rec(FAULT, 1, 0x01) + lifecycle(1) + rec(FAULT, 0, 0x04) + allocate(0, 1) + map_ordinary(0),
    "bench": bytes([DEFAULT_BUILD]) + reserve(0, 2) + allocate(0, 2) + bench(0, 1, 0) + bench(0, 1, 0, flags=2) +
             map_reserved(0, 1, 0) + bench(0, 1, 0) + rec(FAULT, 0, 0x04) + bench(0, 1, 0, flags=2, iterations=3),
    "close-with-objects": bytes([DEFAULT_BUILD]) + reserve(0, 2) + allocate(0, 2) + map_reserved(0) +
                          rec(REOPEN, 0) + lifecycle(0),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
