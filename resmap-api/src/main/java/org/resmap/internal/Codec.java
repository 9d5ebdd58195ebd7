package org.resmap.internal;

import org.resmap.BenchResult;
import org.resmap.DeviceInfo;
import org.resmap.ObjectInfo;
import org.resmap.ObjectState;
import org.resmap.ObjectType;
import org.resmap.PoolTag;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Encodes requests into, and decodes replies from, little-endian direct buffers at absolute offsets
 * (positions are never touched, so the same buffers serve every request). Encoders return the request
 * length and write every field, reserved ones as 0.
 */
public final class Codec {

    private Codec() {
    }

    /** The fields of {@code RESMAP_OBJECT_OUT} a caller keeps. */
    public record ObjectReply(long handle, long bytes, long offset, int pages) {
    }

    public static int reserve(ByteBuffer in, long bytes, int poolTag, int flags) {
        in.putLong(Protocol.ReserveIn.BYTES, bytes);
        in.putInt(Protocol.ReserveIn.POOL_TAG, poolTag);
        in.putInt(Protocol.ReserveIn.FLAGS, flags);
        return Protocol.ReserveIn.SIZE;
    }

    public static int allocate(ByteBuffer in, long bytes, int cachingType, int flags) {
        in.putLong(Protocol.AllocateIn.BYTES, bytes);
        in.putInt(Protocol.AllocateIn.CACHING_TYPE, cachingType);
        in.putInt(Protocol.AllocateIn.FLAGS, flags);
        return Protocol.AllocateIn.SIZE;
    }

    public static int lock(ByteBuffer in, long address, long bytes, int access) {
        in.putLong(Protocol.LockIn.ADDRESS, address);
        in.putLong(Protocol.LockIn.BYTES, bytes);
        in.putInt(Protocol.LockIn.ACCESS, access);
        in.putInt(Protocol.LockIn.RESERVED, 0);
        return Protocol.LockIn.SIZE;
    }

    public static int map(ByteBuffer in, long pageSet, long offset, long bytes, long reservation,
                          long reservationOffset, int poolTag, int cachingType) {
        in.putLong(Protocol.MapIn.PAGE_SET, pageSet);
        in.putLong(Protocol.MapIn.OFFSET, offset);
        in.putLong(Protocol.MapIn.BYTES, bytes);
        in.putLong(Protocol.MapIn.RESERVATION, reservation);
        in.putLong(Protocol.MapIn.RESERVATION_OFFSET, reservationOffset);
        in.putInt(Protocol.MapIn.POOL_TAG, poolTag);
        in.putInt(Protocol.MapIn.CACHING_TYPE, cachingType);
        return Protocol.MapIn.SIZE;
    }

    /** Encodes a {@code RESMAP_BENCH_IN}: the map request as {@link #map} encodes it, then the bench's fields. */
    public static int bench(ByteBuffer in, long pageSet, long offset, long bytes, long reservation,
                            long reservationOffset, int poolTag, int cachingType, int iterations, int flags,
                            int budgetMicroseconds) {
        map(in, pageSet, offset, bytes, reservation, reservationOffset, poolTag, cachingType);
        in.putInt(Protocol.BenchIn.ITERATIONS, iterations);
        in.putInt(Protocol.BenchIn.FLAGS, flags);
        in.putInt(Protocol.BenchIn.BUDGET_MICROSECONDS, budgetMicroseconds);
        in.putInt(Protocol.BenchIn.RESERVED, 0);
        return Protocol.BenchIn.SIZE;
    }

    public static BenchResult benchResult(ByteBuffer out) {
        long frequency = out.getLong(Protocol.BenchOut.FREQUENCY);
        int cycles = out.getInt(Protocol.BenchOut.CYCLES);
        int flags = out.getInt(Protocol.BenchOut.FLAGS);
        Optional<BenchResult.Path> reserved = (flags & Protocol.BENCH_RESERVED) == 0 ? Optional.empty()
                : Optional.of(new BenchResult.Path(out.getLong(Protocol.BenchOut.RESERVED_TOTAL_TICKS),
                        out.getLong(Protocol.BenchOut.RESERVED_MIN_TICKS),
                        out.getLong(Protocol.BenchOut.RESERVED_MAX_TICKS), cycles, frequency));
        Optional<BenchResult.Path> ordinary = (flags & Protocol.BENCH_ORDINARY) == 0 ? Optional.empty()
                : Optional.of(new BenchResult.Path(out.getLong(Protocol.BenchOut.ORDINARY_TOTAL_TICKS),
                        out.getLong(Protocol.BenchOut.ORDINARY_MIN_TICKS),
                        out.getLong(Protocol.BenchOut.ORDINARY_MAX_TICKS), cycles, frequency));
        return new BenchResult(out.getInt(Protocol.BenchOut.PAGES), cycles,
                (flags & Protocol.BENCH_BUDGET_SPENT) != 0, frequency, out.getLong(Protocol.BenchOut.ELAPSED_TICKS),
                reserved, ordinary);
    }

    public static int handle(ByteBuffer in, long handle) {
        in.putLong(Protocol.HandleIn.HANDLE, handle);
        return Protocol.HandleIn.SIZE;
    }

    public static int tagged(ByteBuffer in, long handle, int poolTag) {
        in.putLong(Protocol.TaggedIn.HANDLE, handle);
        in.putInt(Protocol.TaggedIn.POOL_TAG, poolTag);
        in.putInt(Protocol.TaggedIn.RESERVED, 0);
        return Protocol.TaggedIn.SIZE;
    }

    /** Encodes the header of a READ or WRITE; a WRITE's data goes at {@link Protocol.TransferIn#SIZE}. */
    public static int transfer(ByteBuffer in, long mapping, long offset, int bytes) {
        in.putLong(Protocol.TransferIn.MAPPING, mapping);
        in.putLong(Protocol.TransferIn.OFFSET, offset);
        in.putInt(Protocol.TransferIn.BYTES, bytes);
        in.putInt(Protocol.TransferIn.RESERVED, 0);
        return Protocol.TransferIn.SIZE;
    }

    public static ObjectReply objectReply(ByteBuffer out) {
        return new ObjectReply(out.getLong(Protocol.ObjectOut.HANDLE), out.getLong(Protocol.ObjectOut.BYTES),
                out.getLong(Protocol.ObjectOut.OFFSET), out.getInt(Protocol.ObjectOut.PAGES));
    }

    /** @return the handle of a {@code RESMAP_OBJECT_OUT}, for paths that need nothing else */
    public static long objectHandle(ByteBuffer out) {
        return out.getLong(Protocol.ObjectOut.HANDLE);
    }

    public static DeviceInfo info(ByteBuffer out) {
        return new DeviceInfo(
                out.getInt(Protocol.Info.PROTOCOL_VERSION),
                out.getInt(Protocol.Info.DRIVER_VERSION),
                (out.getInt(Protocol.Info.CAPABILITIES) & Protocol.CAP_DIVISIBLE) != 0,
                out.getInt(Protocol.Info.PAGE_SIZE),
                out.getInt(Protocol.Info.MAX_TRANSFER),
                out.getInt(Protocol.Info.MAX_OBJECTS),
                out.getLong(Protocol.Info.MAX_RESERVED_BYTES),
                out.getLong(Protocol.Info.MAX_PAGE_SET_BYTES),
                out.getInt(Protocol.Info.LIVE_RESERVATIONS),
                out.getInt(Protocol.Info.LIVE_PAGE_SETS),
                out.getInt(Protocol.Info.LIVE_RESERVED_MAPPINGS),
                out.getInt(Protocol.Info.LIVE_ORDINARY_MAPPINGS),
                out.getLong(Protocol.Info.RESERVED_BYTES),
                out.getLong(Protocol.Info.PAGE_SET_BYTES));
    }

    public static ObjectInfo objectInfo(ByteBuffer out) {
        return new ObjectInfo(
                ObjectType.fromValue(out.getInt(Protocol.QueryOut.TYPE)),
                ObjectState.fromValue(out.getInt(Protocol.QueryOut.STATE)),
                out.getLong(Protocol.QueryOut.BYTES),
                out.getLong(Protocol.QueryOut.OFFSET),
                out.getInt(Protocol.QueryOut.PAGES),
                PoolTag.ofValue(out.getInt(Protocol.QueryOut.POOL_TAG)),
                out.getInt(Protocol.QueryOut.CACHING_TYPE),
                out.getInt(Protocol.QueryOut.FLAGS),
                out.getInt(Protocol.QueryOut.MAPPING_COUNT));
    }

    /** @return the name of an IOCTL code, for messages */
    public static String ioctlName(int code) {
        for (var entry : Protocol.layout().entrySet()) {
            if (entry.getKey().startsWith("IOCTL_") && entry.getValue() == Integer.toUnsignedLong(code)) {
                return entry.getKey();
            }
        }
        return String.format("IOCTL 0x%08X", code);
    }
}
