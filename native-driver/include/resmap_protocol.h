/*
 * resmap_protocol.h - the wire protocol between user mode and the resmap device.
 *
 * This header is the single source of truth for the protocol. It is read by:
 *   - the driver core (kernel mode, with <wdm.h>), built by the WDK or checked by mingw-w64;
 *   - the simulator (user mode on Linux, with the simulator's <wdm.h>);
 *   - user-mode C clients on Windows (with <windows.h> and <winioctl.h>).
 * The Java codec mirrors it, and a test compares Java's constants, sizes and offsets with the values
 * the native library reports (resmap_sim_protocol_layout), so the two cannot drift.
 *
 * Rules of the protocol:
 *   - Every IOCTL is METHOD_BUFFERED with FILE_READ_ACCESS | FILE_WRITE_ACCESS: the device must be opened
 *     for reading and writing, and the I/O manager copies requests in and replies out.
 *   - Every struct has fixed-width fields, explicit padding, a size that is a multiple of 8, and is
 *     little-endian (x64 only). Sizes are checked below by C_ASSERT.
 *   - Handles are opaque 64-bit values, valid only on the file handle that created them.
 *   - Replies never contain kernel addresses or page frame numbers: a mapping is described by its
 *     offset within its reservation.
 *   - An IOCTL's input must be at least the size of its request struct and its output at least the
 *     size of its reply struct; otherwise STATUS_BUFFER_TOO_SMALL and nothing happens.
 *
 * The includer provides UINT8..UINT64, INT32, CTL_CODE, METHOD_BUFFERED, FILE_READ_ACCESS,
 * FILE_WRITE_ACCESS, C_ASSERT and FIELD_OFFSET (<wdm.h>, or <windows.h> + <winioctl.h>).
 */
#ifndef RESMAP_PROTOCOL_H
#define RESMAP_PROTOCOL_H

/* Bumped on any incompatible change of a code, struct or meaning below. */
#define RESMAP_PROTOCOL_VERSION 2u  /* 2: IOCTL_RESMAP_BENCH */

/* Device names: the kernel name, its DOS symbolic link, and what CreateFile opens. */
#define RESMAP_NT_DEVICE_NAME       L"\\Device\\ResMap"
#define RESMAP_DOS_DEVICE_NAME      L"\\DosDevices\\ResMap"
#define RESMAP_USER_DEVICE_PATH     L"\\\\.\\ResMap"

/* A vendor device type (0x8000 and above are free for vendors). */
#define RESMAP_DEVICE_TYPE 0x8E5Au

#define RESMAP_CTL(Function) \
    CTL_CODE(RESMAP_DEVICE_TYPE, (Function), METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)

#define IOCTL_RESMAP_GET_INFO           RESMAP_CTL(0x800)  /* in: none,                out: RESMAP_INFO */
#define IOCTL_RESMAP_RESERVE            RESMAP_CTL(0x801)  /* in: RESMAP_RESERVE_IN,   out: RESMAP_OBJECT_OUT */
#define IOCTL_RESMAP_FREE_RESERVATION   RESMAP_CTL(0x802)  /* in: RESMAP_TAGGED_IN,    out: none */
#define IOCTL_RESMAP_ALLOCATE_PAGES     RESMAP_CTL(0x803)  /* in: RESMAP_ALLOCATE_IN,  out: RESMAP_OBJECT_OUT */
#define IOCTL_RESMAP_LOCK_USER_BUFFER   RESMAP_CTL(0x804)  /* in: RESMAP_LOCK_IN,      out: RESMAP_OBJECT_OUT */
#define IOCTL_RESMAP_RELEASE_PAGES      RESMAP_CTL(0x805)  /* in: RESMAP_HANDLE_IN,    out: none */
#define IOCTL_RESMAP_MAP_RESERVED       RESMAP_CTL(0x806)  /* in: RESMAP_MAP_IN,       out: RESMAP_OBJECT_OUT */
#define IOCTL_RESMAP_UNMAP_RESERVED     RESMAP_CTL(0x807)  /* in: RESMAP_TAGGED_IN,    out: none */
#define IOCTL_RESMAP_MAP_ORDINARY       RESMAP_CTL(0x808)  /* in: RESMAP_MAP_IN,       out: RESMAP_OBJECT_OUT */
#define IOCTL_RESMAP_UNMAP_ORDINARY     RESMAP_CTL(0x809)  /* in: RESMAP_HANDLE_IN,    out: none */
#define IOCTL_RESMAP_READ               RESMAP_CTL(0x80A)  /* in: RESMAP_TRANSFER_IN,  out: Length bytes */
#define IOCTL_RESMAP_WRITE              RESMAP_CTL(0x80B)  /* in: RESMAP_TRANSFER_IN + Length bytes, out: none */
#define IOCTL_RESMAP_QUERY              RESMAP_CTL(0x80C)  /* in: RESMAP_HANDLE_IN,    out: RESMAP_QUERY_OUT */
#define IOCTL_RESMAP_BENCH              RESMAP_CTL(0x80D)  /* in: RESMAP_BENCH_IN,     out: RESMAP_BENCH_OUT */

/* Object types, also the top byte of every handle. */
#define RESMAP_OBJECT_RESERVATION       1u
#define RESMAP_OBJECT_PAGE_SET          2u
#define RESMAP_OBJECT_RESERVED_MAPPING  3u
#define RESMAP_OBJECT_ORDINARY_MAPPING  4u

/* Object states reported by IOCTL_RESMAP_QUERY. */
#define RESMAP_STATE_RESERVED           1u  /* reservation: nothing mapped */
#define RESMAP_STATE_MAPPED             2u  /* reservation with at least one mapping; page set in use by a mapping; a live mapping */
#define RESMAP_STATE_LOCKED             3u  /* page set: locked, not mapped */

/* RESMAP_RESERVE_IN.Flags */
#define RESMAP_RESERVE_DIVISIBLE        0x1u  /* MmAllocateMappingAddressEx(MM_MAPPING_ADDRESS_DIVISIBLE) */

/* RESMAP_ALLOCATE_IN.Flags: the subset of MmAllocatePagesForMdlEx flags a caller may pass.
 * The driver always adds MM_ALLOCATE_FULLY_REQUIRED (a short allocation is refused, never returned) and
 * never passes MM_DONT_ZERO_ALLOCATION: unzeroed frames hold other processes' data, and READ would
 * disclose it. */
#define RESMAP_ALLOCATE_PREFER_CONTIGUOUS 0x10u /* MM_ALLOCATE_PREFER_CONTIGUOUS */
#define RESMAP_ALLOCATE_VALID_FLAGS     RESMAP_ALLOCATE_PREFER_CONTIGUOUS

/* RESMAP_LOCK_IN.Access */
#define RESMAP_ACCESS_READ              1u  /* IoReadAccess: the kernel only reads the buffer */
#define RESMAP_ACCESS_READ_WRITE        2u  /* IoModifyAccess: the kernel may write it */

/* RESMAP_INFO.Capabilities */
#define RESMAP_CAP_DIVISIBLE            0x1u  /* MmAllocateMappingAddressEx exists on this kernel */

/* Caching types, as MEMORY_CACHING_TYPE: MmNonCached 0, MmCached 1, MmWriteCombined 2. */
#define RESMAP_CACHING_MAX              2u

/* Limits the device enforces (reported in RESMAP_INFO; per open handle). */
#define RESMAP_MAX_TRANSFER             0x10000u            /* bytes per READ or WRITE */
#define RESMAP_MAX_OBJECTS              256u                /* live objects per handle */
#define RESMAP_MAX_RESERVED_BYTES       (64ull << 20)       /* reserved address space per handle */
#define RESMAP_MAX_PAGE_SET_BYTES       (64ull << 20)       /* allocated + locked memory per handle */

/* IOCTL_RESMAP_BENCH: RESMAP_BENCH_IN.Flags selects the paths timed; RESMAP_BENCH_OUT.Flags repeats
 * them and adds RESMAP_BENCH_BUDGET_SPENT when the time budget ended the loop before Iterations. */
#define RESMAP_BENCH_RESERVED           0x1u  /* MmMapLockedPagesWithReservedMapping + MmUnmapReservedMapping */
#define RESMAP_BENCH_ORDINARY           0x2u  /* MmMapLockedPagesSpecifyCache + MmUnmapLockedPages */
#define RESMAP_BENCH_VALID_FLAGS        (RESMAP_BENCH_RESERVED | RESMAP_BENCH_ORDINARY)
#define RESMAP_BENCH_BUDGET_SPENT       0x100u

/* Bounds of one IOCTL_RESMAP_BENCH: the session lock is held for the whole loop, so it must end soon. */
#define RESMAP_MAX_BENCH_ITERATIONS     100000u             /* cycles per path */
#define RESMAP_MAX_BENCH_MICROSECONDS   1000000u            /* time budget: 1 s */

#pragma pack(push, 8)

/* IOCTL_RESMAP_GET_INFO reply. Counts are those of the calling handle. */
typedef struct _RESMAP_INFO {
    UINT32 ProtocolVersion;     /* RESMAP_PROTOCOL_VERSION of the driver */
    UINT32 DriverVersion;       /* major << 16 | minor */
    UINT32 Capabilities;        /* RESMAP_CAP_* */
    UINT32 PageSize;            /* 4096 */
    UINT32 MaxTransfer;         /* RESMAP_MAX_TRANSFER */
    UINT32 MaxObjects;          /* RESMAP_MAX_OBJECTS */
    UINT64 MaxReservedBytes;    /* RESMAP_MAX_RESERVED_BYTES */
    UINT64 MaxPageSetBytes;     /* RESMAP_MAX_PAGE_SET_BYTES */
    UINT32 LiveReservations;
    UINT32 LivePageSets;
    UINT32 LiveReservedMappings;
    UINT32 LiveOrdinaryMappings;
    UINT64 ReservedBytes;       /* reserved address space held by this handle */
    UINT64 PageSetBytes;        /* allocated + locked memory held by this handle */
} RESMAP_INFO;

/* IOCTL_RESMAP_RESERVE request. */
typedef struct _RESMAP_RESERVE_IN {
    UINT64 Bytes;               /* >= 1; rounded up to whole pages */
    UINT32 PoolTag;             /* != 0; every later use of the reservation must pass the same tag */
    UINT32 Flags;               /* RESMAP_RESERVE_DIVISIBLE or 0 */
} RESMAP_RESERVE_IN;

/* IOCTL_RESMAP_ALLOCATE_PAGES request. */
typedef struct _RESMAP_ALLOCATE_IN {
    UINT64 Bytes;               /* >= 1; rounded up to whole pages */
    UINT32 CachingType;         /* 0..RESMAP_CACHING_MAX */
    UINT32 Flags;               /* RESMAP_ALLOCATE_* */
} RESMAP_ALLOCATE_IN;

/* IOCTL_RESMAP_LOCK_USER_BUFFER request: the caller's own buffer, locked until released. */
typedef struct _RESMAP_LOCK_IN {
    UINT64 Address;             /* user-mode address in the calling process */
    UINT64 Bytes;               /* >= 1 */
    UINT32 Access;              /* RESMAP_ACCESS_* */
    UINT32 Reserved;            /* 0 */
} RESMAP_LOCK_IN;

/* IOCTL_RESMAP_MAP_RESERVED and IOCTL_RESMAP_MAP_ORDINARY request. */
typedef struct _RESMAP_MAP_IN {
    UINT64 PageSet;             /* handle of the page set to map */
    UINT64 Offset;              /* byte offset of the sub-range within the page set */
    UINT64 Bytes;               /* length of the sub-range; 0 = from Offset to the end of the page set */
    UINT64 Reservation;         /* MAP_RESERVED: handle of the reservation; MAP_ORDINARY: 0 */
    UINT64 ReservationOffset;   /* MAP_RESERVED: page-aligned byte offset within a divisible reservation
                                   where the mapping starts; 0 for a non-divisible one; MAP_ORDINARY: 0 */
    UINT32 PoolTag;             /* MAP_RESERVED: the reservation's tag; MAP_ORDINARY: 0 */
    UINT32 CachingType;         /* 0..RESMAP_CACHING_MAX; used where the pages have no caching type */
} RESMAP_MAP_IN;

/* Reply of every request that creates an object. */
typedef struct _RESMAP_OBJECT_OUT {
    UINT64 Handle;
    UINT64 Bytes;               /* reservation and allocated page set: whole pages; locked user
                                   buffer: its own length; mapping: bytes mapped */
    UINT64 Offset;              /* reserved mapping: offset of the mapped address within its reservation
                                   (page offset + the MDL's byte offset); page set of a user buffer: the
                                   buffer's offset within its first page; otherwise 0 */
    UINT32 Pages;               /* pages spanned */
    UINT32 Reserved;            /* 0 */
} RESMAP_OBJECT_OUT;

/* Requests that name one object. */
typedef struct _RESMAP_HANDLE_IN {
    UINT64 Handle;
} RESMAP_HANDLE_IN;

/* Requests that name one object and must present its pool tag, as the kernel calls do. */
typedef struct _RESMAP_TAGGED_IN {
    UINT64 Handle;              /* FREE_RESERVATION: a reservation; UNMAP_RESERVED: a reserved mapping */
    UINT32 PoolTag;
    UINT32 Reserved;            /* 0 */
} RESMAP_TAGGED_IN;

/* IOCTL_RESMAP_READ and IOCTL_RESMAP_WRITE request; WRITE's data follows the struct. */
typedef struct _RESMAP_TRANSFER_IN {
    UINT64 Mapping;             /* handle of a reserved or ordinary mapping */
    UINT64 Offset;              /* byte offset within the mapping */
    UINT32 Bytes;               /* 1..RESMAP_MAX_TRANSFER, Offset + Bytes within the mapping */
    UINT32 Reserved;            /* 0 */
} RESMAP_TRANSFER_IN;

/* IOCTL_RESMAP_QUERY reply. */
typedef struct _RESMAP_QUERY_OUT {
    UINT32 Type;                /* RESMAP_OBJECT_* */
    UINT32 State;               /* RESMAP_STATE_* */
    UINT64 Bytes;               /* as in RESMAP_OBJECT_OUT */
    UINT64 Offset;              /* as in RESMAP_OBJECT_OUT */
    UINT64 Parent;              /* mapping: its page set; otherwise 0 */
    UINT64 Reservation;         /* reserved mapping: its reservation; otherwise 0 */
    UINT32 Pages;
    UINT32 PoolTag;             /* reservation and reserved mapping; otherwise 0 */
    UINT32 CachingType;         /* page set and mapping */
    UINT32 Flags;               /* reservation: RESMAP_RESERVE_*; page set: RESMAP_PAGE_SET_* */
    UINT32 MappingCount;        /* reservation and page set: live mappings using it */
    UINT32 Reserved;            /* 0 */
} RESMAP_QUERY_OUT;

/* RESMAP_QUERY_OUT.Flags of a page set */
#define RESMAP_PAGE_SET_ALLOCATED       0x1u  /* pages the driver allocated */
#define RESMAP_PAGE_SET_USER_BUFFER     0x2u  /* the caller's own buffer, locked */
#define RESMAP_PAGE_SET_READ_ONLY       0x4u  /* locked for reading (RESMAP_ACCESS_READ): WRITE through any
                                                 of its mappings is STATUS_MEDIA_WRITE_PROTECTED */

/*
 * IOCTL_RESMAP_BENCH request: times Iterations map + unmap cycles of one page set sub-range inside the
 * driver, on the reserved path, the ordinary one, or both alternating cycle by cycle (reserved first),
 * so that both see the same machine state. Map names what IOCTL_RESMAP_MAP_RESERVED (or, with the
 * ordinary path alone, IOCTL_RESMAP_MAP_ORDINARY) would map, and is refused exactly as that request
 * would be. Nothing the bench maps outlives the request; on any failure nothing is left mapped.
 */
typedef struct _RESMAP_BENCH_IN {
    RESMAP_MAP_IN Map;
    UINT32 Iterations;          /* 1..RESMAP_MAX_BENCH_ITERATIONS */
    UINT32 Flags;               /* RESMAP_BENCH_RESERVED and/or RESMAP_BENCH_ORDINARY */
    UINT32 BudgetMicroseconds;  /* 0 = RESMAP_MAX_BENCH_MICROSECONDS; otherwise 1..that */
    UINT32 Reserved;            /* 0 */
} RESMAP_BENCH_IN;

/* IOCTL_RESMAP_BENCH reply: KeQueryPerformanceCounter ticks. A cycle's ticks include one
 * KeQueryPerformanceCounter call. The paths not run report 0 ticks. */
typedef struct _RESMAP_BENCH_OUT {
    UINT64 Frequency;           /* ticks per second */
    UINT64 ElapsedTicks;        /* the whole loop */
    UINT64 ReservedTotalTicks;
    UINT64 ReservedMinTicks;
    UINT64 ReservedMaxTicks;
    UINT64 OrdinaryTotalTicks;
    UINT64 OrdinaryMinTicks;
    UINT64 OrdinaryMaxTicks;
    UINT32 Cycles;              /* cycles run on each selected path: Iterations, or fewer with BUDGET_SPENT */
    UINT32 Pages;               /* pages each mapping spanned */
    UINT32 Flags;               /* the request's paths | RESMAP_BENCH_BUDGET_SPENT */
    UINT32 Reserved;            /* 0 */
} RESMAP_BENCH_OUT;

#pragma pack(pop)

C_ASSERT(sizeof(RESMAP_INFO) == 72);
C_ASSERT(sizeof(RESMAP_RESERVE_IN) == 16);
C_ASSERT(sizeof(RESMAP_ALLOCATE_IN) == 16);
C_ASSERT(sizeof(RESMAP_LOCK_IN) == 24);
C_ASSERT(sizeof(RESMAP_MAP_IN) == 48);
C_ASSERT(sizeof(RESMAP_OBJECT_OUT) == 32);
C_ASSERT(sizeof(RESMAP_HANDLE_IN) == 8);
C_ASSERT(sizeof(RESMAP_TAGGED_IN) == 16);
C_ASSERT(sizeof(RESMAP_TRANSFER_IN) == 24);
C_ASSERT(sizeof(RESMAP_QUERY_OUT) == 64);
C_ASSERT(sizeof(RESMAP_BENCH_IN) == 64);
C_ASSERT(sizeof(RESMAP_BENCH_OUT) == 80);

/*
 * Statuses. The device completes every request with one of these NTSTATUS values and nothing else.
 * Each maps to a distinct Win32 error through RtlNtStatusToDosError, so a Windows client, which sees
 * only GetLastError() after DeviceIoControl, can recover the exact NTSTATUS (the Win32 values are given
 * for that purpose and checked by the Java tests).
 *
 *   status                          value        Win32 error              meaning here
 *   STATUS_SUCCESS                  0x00000000   0 ERROR_SUCCESS
 *   STATUS_INVALID_DEVICE_REQUEST   0xC0000010   1 ERROR_INVALID_FUNCTION unknown IOCTL code
 *   STATUS_BUFFER_TOO_SMALL         0xC0000023   122 ERROR_INSUFFICIENT_BUFFER  input or output shorter than its struct
 *   STATUS_INVALID_PARAMETER        0xC000000D   87 ERROR_INVALID_PARAMETER     a field out of range: zero size, tag 0,
 *                                                                         unknown flags or caching type, reserved
 *                                                                         field not 0, misaligned offset, bench
 *                                                                         iterations or budget outside their bounds
 *   STATUS_INTEGER_OVERFLOW         0xC0000095   534 ERROR_ARITHMETIC_OVERFLOW  a size or offset sum that overflows
 *   STATUS_INVALID_HANDLE           0xC0000008   6 ERROR_INVALID_HANDLE   unknown, stale, foreign or wrong-type handle
 *   STATUS_ACCESS_DENIED            0xC0000022   5 ERROR_ACCESS_DENIED    pool tag differs from the reservation's;
 *                                                  any request from a process other than the opener's
 *   STATUS_CONFLICTING_ADDRESSES    0xC0000018   487 ERROR_INVALID_ADDRESS  map into reservation pages already mapped
 *   STATUS_INVALID_DEVICE_STATE     0xC0000184   22 ERROR_BAD_COMMAND     free a reservation that is still mapped
 *   STATUS_SHARING_VIOLATION        0xC0000043   32 ERROR_SHARING_VIOLATION  release a page set that is still mapped
 *   STATUS_END_OF_FILE              0xC0000011   38 ERROR_HANDLE_EOF      sub-range or transfer outside the page set
 *                                                                         or mapping
 *   STATUS_ALLOTTED_SPACE_EXCEEDED  0xC0000099   1344 ERROR_ALLOTTED_SPACE_EXCEEDED  mapping spans more pages than the
 *                                                                         reservation has from ReservationOffset
 *   STATUS_QUOTA_EXCEEDED           0xC0000044   1816 ERROR_NOT_ENOUGH_QUOTA  per-handle object, byte or page quota
 *   STATUS_INSUFFICIENT_RESOURCES   0xC000009A   1450 ERROR_NO_SYSTEM_RESOURCES  the kernel refused an allocation or an
 *                                                                         ordinary mapping (system PTEs short)
 *   STATUS_NOT_SUPPORTED            0xC00000BB   50 ERROR_NOT_SUPPORTED   divisible reservation on a kernel without
 *                                                                         MmAllocateMappingAddressEx
 *   STATUS_ACCESS_VIOLATION         0xC0000005   998 ERROR_NOACCESS      the user buffer could not be probed and locked
 *   STATUS_MEDIA_WRITE_PROTECTED    0xC00000A2   19 ERROR_WRITE_PROTECT   WRITE through a mapping of a user buffer
 *                                                                         locked for reading only
 *   STATUS_UNSUCCESSFUL             0xC0000001   31 ERROR_GEN_FAILURE     the kernel returned NULL where validation
 *                                                                         said it would not (reported, never hidden)
 */

#endif /* RESMAP_PROTOCOL_H */
