package org.resmap.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The wire protocol of {@code native-driver/include/resmap_protocol.h}, mirrored: IOCTL codes,
 * constants, struct sizes and field offsets. {@link #layout()} lists them under the names the native
 * library uses in {@code resmap_sim_protocol_layout()}, so a test can compare the two line by line.
 */
public final class Protocol {

    private Protocol() {
    }

    /** {@code RESMAP_PROTOCOL_VERSION}. */
    public static final int PROTOCOL_VERSION = 2;
    /** What {@code CreateFile} opens on Windows. */
    public static final String USER_DEVICE_PATH = "\\\\.\\ResMap";
    /** {@code RESMAP_DEVICE_TYPE}. */
    public static final int DEVICE_TYPE = 0x8E5A;

    private static final int METHOD_BUFFERED = 0;
    private static final int FILE_READ_ACCESS = 1;
    private static final int FILE_WRITE_ACCESS = 2;

    /** {@code CTL_CODE(RESMAP_DEVICE_TYPE, function, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)}. */
    static int ctlCode(int function) {
        return (DEVICE_TYPE << 16) | ((FILE_READ_ACCESS | FILE_WRITE_ACCESS) << 14) | (function << 2) | METHOD_BUFFERED;
    }

    public static final int IOCTL_GET_INFO = ctlCode(0x800);
    public static final int IOCTL_RESERVE = ctlCode(0x801);
    public static final int IOCTL_FREE_RESERVATION = ctlCode(0x802);
    public static final int IOCTL_ALLOCATE_PAGES = ctlCode(0x803);
    public static final int IOCTL_LOCK_USER_BUFFER = ctlCode(0x804);
    public static final int IOCTL_RELEASE_PAGES = ctlCode(0x805);
    public static final int IOCTL_MAP_RESERVED = ctlCode(0x806);
    public static final int IOCTL_UNMAP_RESERVED = ctlCode(0x807);
    public static final int IOCTL_MAP_ORDINARY = ctlCode(0x808);
    public static final int IOCTL_UNMAP_ORDINARY = ctlCode(0x809);
    public static final int IOCTL_READ = ctlCode(0x80A);
    public static final int IOCTL_WRITE = ctlCode(0x80B);
    public static final int IOCTL_QUERY = ctlCode(0x80C);
    public static final int IOCTL_BENCH = ctlCode(0x80D);

    public static final int OBJECT_RESERVATION = 1;
    public static final int OBJECT_PAGE_SET = 2;
    public static final int OBJECT_RESERVED_MAPPING = 3;
    public static final int OBJECT_ORDINARY_MAPPING = 4;

    public static final int STATE_RESERVED = 1;
    public static final int STATE_MAPPED = 2;
    public static final int STATE_LOCKED = 3;

    public static final int RESERVE_DIVISIBLE = 0x1;
    public static final int ALLOCATE_PREFER_CONTIGUOUS = 0x10;
    public static final int ALLOCATE_VALID_FLAGS = ALLOCATE_PREFER_CONTIGUOUS;
    public static final int ACCESS_READ = 1;
    public static final int ACCESS_READ_WRITE = 2;
    public static final int CAP_DIVISIBLE = 0x1;
    public static final int CACHING_MAX = 2;
    public static final int PAGE_SET_ALLOCATED = 0x1;
    public static final int PAGE_SET_USER_BUFFER = 0x2;
    public static final int PAGE_SET_READ_ONLY = 0x4;
    public static final int BENCH_RESERVED = 0x1;
    public static final int BENCH_ORDINARY = 0x2;
    public static final int BENCH_VALID_FLAGS = BENCH_RESERVED | BENCH_ORDINARY;
    public static final int BENCH_BUDGET_SPENT = 0x100;
    public static final int MAX_BENCH_ITERATIONS = 100_000;
    public static final int MAX_BENCH_MICROSECONDS = 1_000_000;

    public static final int MAX_TRANSFER = 0x10000;
    public static final int MAX_OBJECTS = 256;
    public static final long MAX_RESERVED_BYTES = 64L << 20;
    public static final long MAX_PAGE_SET_BYTES = 64L << 20;

    /** {@code RESMAP_INFO}. */
    public static final class Info {
        private Info() {
        }

        public static final int PROTOCOL_VERSION = 0;
        public static final int DRIVER_VERSION = 4;
        public static final int CAPABILITIES = 8;
        public static final int PAGE_SIZE = 12;
        public static final int MAX_TRANSFER = 16;
        public static final int MAX_OBJECTS = 20;
        public static final int MAX_RESERVED_BYTES = 24;
        public static final int MAX_PAGE_SET_BYTES = 32;
        public static final int LIVE_RESERVATIONS = 40;
        public static final int LIVE_PAGE_SETS = 44;
        public static final int LIVE_RESERVED_MAPPINGS = 48;
        public static final int LIVE_ORDINARY_MAPPINGS = 52;
        public static final int RESERVED_BYTES = 56;
        public static final int PAGE_SET_BYTES = 64;
        public static final int SIZE = 72;
    }

    /** {@code RESMAP_RESERVE_IN}. */
    public static final class ReserveIn {
        private ReserveIn() {
        }

        public static final int BYTES = 0;
        public static final int POOL_TAG = 8;
        public static final int FLAGS = 12;
        public static final int SIZE = 16;
    }

    /** {@code RESMAP_ALLOCATE_IN}. */
    public static final class AllocateIn {
        private AllocateIn() {
        }

        public static final int BYTES = 0;
        public static final int CACHING_TYPE = 8;
        public static final int FLAGS = 12;
        public static final int SIZE = 16;
    }

    /** {@code RESMAP_LOCK_IN}. */
    public static final class LockIn {
        private LockIn() {
        }

        public static final int ADDRESS = 0;
        public static final int BYTES = 8;
        public static final int ACCESS = 16;
        public static final int RESERVED = 20;
        public static final int SIZE = 24;
    }

    /** {@code RESMAP_MAP_IN}. */
    public static final class MapIn {
        private MapIn() {
        }

        public static final int PAGE_SET = 0;
        public static final int OFFSET = 8;
        public static final int BYTES = 16;
        public static final int RESERVATION = 24;
        public static final int RESERVATION_OFFSET = 32;
        public static final int POOL_TAG = 40;
        public static final int CACHING_TYPE = 44;
        public static final int SIZE = 48;
    }

    /** {@code RESMAP_OBJECT_OUT}. */
    public static final class ObjectOut {
        private ObjectOut() {
        }

        public static final int HANDLE = 0;
        public static final int BYTES = 8;
        public static final int OFFSET = 16;
        public static final int PAGES = 24;
        public static final int RESERVED = 28;
        public static final int SIZE = 32;
    }

    /** {@code RESMAP_HANDLE_IN}. */
    public static final class HandleIn {
        private HandleIn() {
        }

        public static final int HANDLE = 0;
        public static final int SIZE = 8;
    }

    /** {@code RESMAP_TAGGED_IN}. */
    public static final class TaggedIn {
        private TaggedIn() {
        }

        public static final int HANDLE = 0;
        public static final int POOL_TAG = 8;
        public static final int RESERVED = 12;
        public static final int SIZE = 16;
    }

    /** {@code RESMAP_TRANSFER_IN}; WRITE's data follows at {@link #SIZE}. */
    public static final class TransferIn {
        private TransferIn() {
        }

        public static final int MAPPING = 0;
        public static final int OFFSET = 8;
        public static final int BYTES = 16;
        public static final int RESERVED = 20;
        public static final int SIZE = 24;
    }

    /** {@code RESMAP_QUERY_OUT}. */
    public static final class QueryOut {
        private QueryOut() {
        }

        public static final int TYPE = 0;
        public static final int STATE = 4;
        public static final int BYTES = 8;
        public static final int OFFSET = 16;
        public static final int PARENT = 24;
        public static final int RESERVATION = 32;
        public static final int PAGES = 40;
        public static final int POOL_TAG = 44;
        public static final int CACHING_TYPE = 48;
        public static final int FLAGS = 52;
        public static final int MAPPING_COUNT = 56;
        public static final int RESERVED = 60;
        public static final int SIZE = 64;
    }

    /** {@code RESMAP_BENCH_IN}: a {@link MapIn} at {@link #MAP}, then the bench's own fields. */
    public static final class BenchIn {
        private BenchIn() {
        }

        public static final int MAP = 0;
        public static final int ITERATIONS = 48;
        public static final int FLAGS = 52;
        public static final int BUDGET_MICROSECONDS = 56;
        public static final int RESERVED = 60;
        public static final int SIZE = 64;
    }

    /** {@code RESMAP_BENCH_OUT}. */
    public static final class BenchOut {
        private BenchOut() {
        }

        public static final int FREQUENCY = 0;
        public static final int ELAPSED_TICKS = 8;
        public static final int RESERVED_TOTAL_TICKS = 16;
        public static final int RESERVED_MIN_TICKS = 24;
        public static final int RESERVED_MAX_TICKS = 32;
        public static final int ORDINARY_TOTAL_TICKS = 40;
        public static final int ORDINARY_MIN_TICKS = 48;
        public static final int ORDINARY_MAX_TICKS = 56;
        public static final int CYCLES = 64;
        public static final int PAGES = 68;
        public static final int FLAGS = 72;
        public static final int RESERVED = 76;
        public static final int SIZE = 80;
    }

    /**
     * Every constant, struct size and field offset above, under the names the native side reports
     * them by: the macro name for constants ({@code IOCTL_RESMAP_RESERVE}, {@code RESMAP_MAX_TRANSFER}),
     * {@code sizeof(STRUCT)} and {@code offsetof(STRUCT,Field)}.
     *
     * @return name to value, in header order
     */
    public static Map<String, Long> layout() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("RESMAP_PROTOCOL_VERSION", (long) PROTOCOL_VERSION);
        m.put("RESMAP_DEVICE_TYPE", (long) DEVICE_TYPE);
        m.put("IOCTL_RESMAP_GET_INFO", u32(IOCTL_GET_INFO));
        m.put("IOCTL_RESMAP_RESERVE", u32(IOCTL_RESERVE));
        m.put("IOCTL_RESMAP_FREE_RESERVATION", u32(IOCTL_FREE_RESERVATION));
        m.put("IOCTL_RESMAP_ALLOCATE_PAGES", u32(IOCTL_ALLOCATE_PAGES));
        m.put("IOCTL_RESMAP_LOCK_USER_BUFFER", u32(IOCTL_LOCK_USER_BUFFER));
        m.put("IOCTL_RESMAP_RELEASE_PAGES", u32(IOCTL_RELEASE_PAGES));
        m.put("IOCTL_RESMAP_MAP_RESERVED", u32(IOCTL_MAP_RESERVED));
        m.put("IOCTL_RESMAP_UNMAP_RESERVED", u32(IOCTL_UNMAP_RESERVED));
        m.put("IOCTL_RESMAP_MAP_ORDINARY", u32(IOCTL_MAP_ORDINARY));
        m.put("IOCTL_RESMAP_UNMAP_ORDINARY", u32(IOCTL_UNMAP_ORDINARY));
        m.put("IOCTL_RESMAP_READ", u32(IOCTL_READ));
        m.put("IOCTL_RESMAP_WRITE", u32(IOCTL_WRITE));
        m.put("IOCTL_RESMAP_QUERY", u32(IOCTL_QUERY));
        m.put("IOCTL_RESMAP_BENCH", u32(IOCTL_BENCH));
        m.put("RESMAP_OBJECT_RESERVATION", (long) OBJECT_RESERVATION);
        m.put("RESMAP_OBJECT_PAGE_SET", (long) OBJECT_PAGE_SET);
        m.put("RESMAP_OBJECT_RESERVED_MAPPING", (long) OBJECT_RESERVED_MAPPING);
        m.put("RESMAP_OBJECT_ORDINARY_MAPPING", (long) OBJECT_ORDINARY_MAPPING);
        m.put("RESMAP_STATE_RESERVED", (long) STATE_RESERVED);
        m.put("RESMAP_STATE_MAPPED", (long) STATE_MAPPED);
        m.put("RESMAP_STATE_LOCKED", (long) STATE_LOCKED);
        m.put("RESMAP_RESERVE_DIVISIBLE", (long) RESERVE_DIVISIBLE);
        m.put("RESMAP_ALLOCATE_PREFER_CONTIGUOUS", (long) ALLOCATE_PREFER_CONTIGUOUS);
        m.put("RESMAP_ALLOCATE_VALID_FLAGS", (long) ALLOCATE_VALID_FLAGS);
        m.put("RESMAP_ACCESS_READ", (long) ACCESS_READ);
        m.put("RESMAP_ACCESS_READ_WRITE", (long) ACCESS_READ_WRITE);
        m.put("RESMAP_CAP_DIVISIBLE", (long) CAP_DIVISIBLE);
        m.put("RESMAP_CACHING_MAX", (long) CACHING_MAX);
        m.put("RESMAP_MAX_TRANSFER", (long) MAX_TRANSFER);
        m.put("RESMAP_MAX_OBJECTS", (long) MAX_OBJECTS);
        m.put("RESMAP_MAX_RESERVED_BYTES", MAX_RESERVED_BYTES);
        m.put("RESMAP_MAX_PAGE_SET_BYTES", MAX_PAGE_SET_BYTES);
        m.put("RESMAP_PAGE_SET_ALLOCATED", (long) PAGE_SET_ALLOCATED);
        m.put("RESMAP_PAGE_SET_USER_BUFFER", (long) PAGE_SET_USER_BUFFER);
        m.put("RESMAP_PAGE_SET_READ_ONLY", (long) PAGE_SET_READ_ONLY);
        m.put("RESMAP_BENCH_RESERVED", (long) BENCH_RESERVED);
        m.put("RESMAP_BENCH_ORDINARY", (long) BENCH_ORDINARY);
        m.put("RESMAP_BENCH_VALID_FLAGS", (long) BENCH_VALID_FLAGS);
        m.put("RESMAP_BENCH_BUDGET_SPENT", (long) BENCH_BUDGET_SPENT);
        m.put("RESMAP_MAX_BENCH_ITERATIONS", (long) MAX_BENCH_ITERATIONS);
        m.put("RESMAP_MAX_BENCH_MICROSECONDS", (long) MAX_BENCH_MICROSECONDS);

        struct(m, "RESMAP_INFO", Info.SIZE,
                "ProtocolVersion", Info.PROTOCOL_VERSION, "DriverVersion", Info.DRIVER_VERSION,
                "Capabilities", Info.CAPABILITIES, "PageSize", Info.PAGE_SIZE, "MaxTransfer", Info.MAX_TRANSFER,
                "MaxObjects", Info.MAX_OBJECTS, "MaxReservedBytes", Info.MAX_RESERVED_BYTES,
                "MaxPageSetBytes", Info.MAX_PAGE_SET_BYTES, "LiveReservations", Info.LIVE_RESERVATIONS,
                "LivePageSets", Info.LIVE_PAGE_SETS, "LiveReservedMappings", Info.LIVE_RESERVED_MAPPINGS,
                "LiveOrdinaryMappings", Info.LIVE_ORDINARY_MAPPINGS, "ReservedBytes", Info.RESERVED_BYTES,
                "PageSetBytes", Info.PAGE_SET_BYTES);
        struct(m, "RESMAP_RESERVE_IN", ReserveIn.SIZE,
                "Bytes", ReserveIn.BYTES, "PoolTag", ReserveIn.POOL_TAG, "Flags", ReserveIn.FLAGS);
        struct(m, "RESMAP_ALLOCATE_IN", AllocateIn.SIZE,
                "Bytes", AllocateIn.BYTES, "CachingType", AllocateIn.CACHING_TYPE, "Flags", AllocateIn.FLAGS);
        struct(m, "RESMAP_LOCK_IN", LockIn.SIZE,
                "Address", LockIn.ADDRESS, "Bytes", LockIn.BYTES, "Access", LockIn.ACCESS,
                "Reserved", LockIn.RESERVED);
        struct(m, "RESMAP_MAP_IN", MapIn.SIZE,
                "PageSet", MapIn.PAGE_SET, "Offset", MapIn.OFFSET, "Bytes", MapIn.BYTES,
                "Reservation", MapIn.RESERVATION, "ReservationOffset", MapIn.RESERVATION_OFFSET,
                "PoolTag", MapIn.POOL_TAG, "CachingType", MapIn.CACHING_TYPE);
        struct(m, "RESMAP_OBJECT_OUT", ObjectOut.SIZE,
                "Handle", ObjectOut.HANDLE, "Bytes", ObjectOut.BYTES, "Offset", ObjectOut.OFFSET,
                "Pages", ObjectOut.PAGES, "Reserved", ObjectOut.RESERVED);
        struct(m, "RESMAP_HANDLE_IN", HandleIn.SIZE, "Handle", HandleIn.HANDLE);
        struct(m, "RESMAP_TAGGED_IN", TaggedIn.SIZE,
                "Handle", TaggedIn.HANDLE, "PoolTag", TaggedIn.POOL_TAG, "Reserved", TaggedIn.RESERVED);
        struct(m, "RESMAP_TRANSFER_IN", TransferIn.SIZE,
                "Mapping", TransferIn.MAPPING, "Offset", TransferIn.OFFSET, "Bytes", TransferIn.BYTES,
                "Reserved", TransferIn.RESERVED);
        struct(m, "RESMAP_QUERY_OUT", QueryOut.SIZE,
                "Type", QueryOut.TYPE, "State", QueryOut.STATE, "Bytes", QueryOut.BYTES,
                "Offset", QueryOut.OFFSET, "Parent", QueryOut.PARENT, "Reservation", QueryOut.RESERVATION,
                "Pages", QueryOut.PAGES, "PoolTag", QueryOut.POOL_TAG, "CachingType", QueryOut.CACHING_TYPE,
                "Flags", QueryOut.FLAGS, "MappingCount", QueryOut.MAPPING_COUNT, "Reserved", QueryOut.RESERVED);
        struct(m, "RESMAP_BENCH_IN", BenchIn.SIZE,
                "Map", BenchIn.MAP, "Iterations", BenchIn.ITERATIONS, "Flags", BenchIn.FLAGS,
                "BudgetMicroseconds", BenchIn.BUDGET_MICROSECONDS, "Reserved", BenchIn.RESERVED);
        struct(m, "RESMAP_BENCH_OUT", BenchOut.SIZE,
                "Frequency", BenchOut.FREQUENCY, "ElapsedTicks", BenchOut.ELAPSED_TICKS,
                "ReservedTotalTicks", BenchOut.RESERVED_TOTAL_TICKS, "ReservedMinTicks", BenchOut.RESERVED_MIN_TICKS,
                "ReservedMaxTicks", BenchOut.RESERVED_MAX_TICKS, "OrdinaryTotalTicks", BenchOut.ORDINARY_TOTAL_TICKS,
                "OrdinaryMinTicks", BenchOut.ORDINARY_MIN_TICKS, "OrdinaryMaxTicks", BenchOut.ORDINARY_MAX_TICKS,
                "Cycles", BenchOut.CYCLES, "Pages", BenchOut.PAGES, "Flags", BenchOut.FLAGS,
                "Reserved", BenchOut.RESERVED);
        return Collections.unmodifiableMap(m);
    }

    private static void struct(Map<String, Long> m, String name, int size, Object... fieldsAndOffsets) {
        m.put("sizeof(" + name + ")", (long) size);
        for (int i = 0; i < fieldsAndOffsets.length; i += 2) {
            m.put("offsetof(" + name + "," + fieldsAndOffsets[i] + ")", ((Integer) fieldsAndOffsets[i + 1]).longValue());
        }
    }

    private static long u32(int value) {
        return Integer.toUnsignedLong(value);
    }
}
