package org.resmap.internal;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.resmap.BenchResult;
import org.resmap.DeviceInfo;
import org.resmap.ObjectInfo;
import org.resmap.ObjectState;
import org.resmap.ObjectType;
import org.resmap.PoolTag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecTest {

    private ByteBuffer buffer;

    /** A buffer full of 0xAA, so that a field the codec forgets to write shows. */
    @BeforeEach
    void dirtyBuffer() {
        buffer = ByteBuffer.allocateDirect(256).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < buffer.capacity(); i++) {
            buffer.put(i, (byte) 0xAA);
        }
    }

    @Test
    void reserveRequest() {
        assertEquals(16, Codec.reserve(buffer, 8193, 0x704D7352, Protocol.RESERVE_DIVISIBLE));
        assertEquals(8193, buffer.getLong(0));
        assertEquals(0x704D7352, buffer.getInt(8));
        assertEquals(1, buffer.getInt(12));
        assertEquals(0, buffer.position(), "absolute access leaves the position alone");
    }

    @Test
    void allocateRequest() {
        assertEquals(16, Codec.allocate(buffer, 1L << 33, 2, Protocol.ALLOCATE_PREFER_CONTIGUOUS));
        assertEquals(1L << 33, buffer.getLong(0));
        assertEquals(2, buffer.getInt(8));
        assertEquals(0x10, buffer.getInt(12));
    }

    @Test
    void lockRequestZeroesReserved() {
        assertEquals(24, Codec.lock(buffer, 0x7F0012345000L, 5000, Protocol.ACCESS_READ_WRITE));
        assertEquals(0x7F0012345000L, buffer.getLong(0));
        assertEquals(5000, buffer.getLong(8));
        assertEquals(2, buffer.getInt(16));
        assertEquals(0, buffer.getInt(20));
    }

    @Test
    void benchRequestIsAMapRequestThenTheBenchFields() {
        assertEquals(64, Codec.bench(buffer, 0x0200000000000001L, 4096, 100, 0x0100000000000002L, 8192, 0x704D7352, 1,
                777, Protocol.BENCH_RESERVED | Protocol.BENCH_ORDINARY, 5000));
        assertEquals(0x0200000000000001L, buffer.getLong(0));
        assertEquals(4096, buffer.getLong(8));
        assertEquals(100, buffer.getLong(16));
        assertEquals(0x0100000000000002L, buffer.getLong(24));
        assertEquals(8192, buffer.getLong(32));
        assertEquals(0x704D7352, buffer.getInt(40));
        assertEquals(1, buffer.getInt(44));
        assertEquals(777, buffer.getInt(48));
        assertEquals(3, buffer.getInt(52));
        assertEquals(5000, buffer.getInt(56));
        assertEquals(0, buffer.getInt(60));
    }

    @Test
    void benchReplyDecodesEveryFieldFromItsOwnOffset() {
        long[] ticks = {10_000_000L, 90_000L, 40_000L, 300L, 900L, 50_000L, 400L, 1_200L};
        for (int i = 0; i < ticks.length; i++) {
            buffer.putLong(8 * i, ticks[i]);
        }
        buffer.putInt(64, 100);
        buffer.putInt(68, 16);
        buffer.putInt(72, Protocol.BENCH_RESERVED | Protocol.BENCH_ORDINARY | Protocol.BENCH_BUDGET_SPENT);
        buffer.putInt(76, 0);
        BenchResult r = Codec.benchResult(buffer);
        assertEquals(new BenchResult(16, 100, true, 10_000_000L, 90_000L,
                Optional.of(new BenchResult.Path(40_000L, 300L, 900L, 100, 10_000_000L)),
                Optional.of(new BenchResult.Path(50_000L, 400L, 1_200L, 100, 10_000_000L))), r);
        assertEquals(40_000.0, r.reserved().orElseThrow().nanosPerCycle(), 1e-9);
        assertEquals(30_000.0, r.reserved().orElseThrow().minNanos(), 1e-9);
        assertEquals(120_000.0, r.ordinary().orElseThrow().maxNanos(), 1e-9);
        assertEquals(1.25, r.ordinaryOverReserved().orElseThrow(), 1e-12);

        buffer.putInt(72, Protocol.BENCH_ORDINARY);
        r = Codec.benchResult(buffer);
        assertTrue(r.reserved().isEmpty());
        assertFalse(r.budgetSpent());
        assertTrue(r.ordinaryOverReserved().isEmpty());
    }

    @Test
    void mapRequest() {
        assertEquals(48, Codec.map(buffer, 0x0200000000000001L, 4096, 100, 0x0100000000000002L, 8192, 0x704D7352, 1));
        assertEquals(0x0200000000000001L, buffer.getLong(0));
        assertEquals(4096, buffer.getLong(8));
        assertEquals(100, buffer.getLong(16));
        assertEquals(0x0100000000000002L, buffer.getLong(24));
        assertEquals(8192, buffer.getLong(32));
        assertEquals(0x704D7352, buffer.getInt(40));
        assertEquals(1, buffer.getInt(44));
    }

    @Test
    void handleTaggedAndTransferRequestsZeroReserved() {
        assertEquals(8, Codec.handle(buffer, -2L));
        assertEquals(-2L, buffer.getLong(0));
        assertEquals(16, Codec.tagged(buffer, 7, 0x41));
        assertEquals(7, buffer.getLong(0));
        assertEquals(0x41, buffer.getInt(8));
        assertEquals(0, buffer.getInt(12));
        assertEquals(24, Codec.transfer(buffer, 9, 1L << 40, 65536));
        assertEquals(9, buffer.getLong(0));
        assertEquals(1L << 40, buffer.getLong(8));
        assertEquals(65536, buffer.getInt(16));
        assertEquals(0, buffer.getInt(20));
    }

    @Test
    void objectReply() {
        buffer.putLong(0, 0x0300000000000005L).putLong(8, 12288).putLong(16, 0x10).putInt(24, 3);
        assertEquals(new Codec.ObjectReply(0x0300000000000005L, 12288, 0x10, 3), Codec.objectReply(buffer));
    }

    @Test
    void infoReply() {
        buffer.putInt(0, 1).putInt(4, 0x00010002).putInt(8, Protocol.CAP_DIVISIBLE).putInt(12, 4096)
                .putInt(16, 65536).putInt(20, 256).putLong(24, 64L << 20).putLong(32, 32L << 20)
                .putInt(40, 1).putInt(44, 2).putInt(48, 3).putInt(52, 4).putLong(56, 8192).putLong(64, 16384);
        DeviceInfo info = Codec.info(buffer);
        assertEquals(new DeviceInfo(1, 0x00010002, true, 4096, 65536, 256, 64L << 20, 32L << 20, 1, 2, 3, 4,
                8192, 16384), info);
        buffer.putInt(8, 0);
        assertFalse(Codec.info(buffer).divisibleSupported());
    }

    @Test
    void queryReply() {
        buffer.putInt(0, Protocol.OBJECT_RESERVED_MAPPING).putInt(4, Protocol.STATE_MAPPED).putLong(8, 100)
                .putLong(16, 4096 + 0x20).putLong(24, 5).putLong(32, 6).putInt(40, 1).putInt(44, 0x704D7352)
                .putInt(48, 1).putInt(52, 0).putInt(56, 0).putInt(60, 0);
        ObjectInfo info = Codec.objectInfo(buffer);
        assertEquals(new ObjectInfo(ObjectType.RESERVED_MAPPING, ObjectState.MAPPED, 100, 4096 + 0x20, 1,
                PoolTag.of("RsMp"), 1, 0, 0), info);
    }

    @Test
    void unknownTypeOrStateInAReplyIsAnError() {
        buffer.putInt(0, 9).putInt(4, 1);
        assertThrows(IllegalArgumentException.class, () -> Codec.objectInfo(buffer));
    }

    @Test
    void ioctlCodesAreMethodBufferedWithReadWriteAccess() {
        assertEquals(0x8E5AE004, Protocol.IOCTL_RESERVE, "the value resmap_sim.h gives as its example");
        for (var entry : Protocol.layout().entrySet()) {
            if (entry.getKey().startsWith("IOCTL_")) {
                long code = entry.getValue();
                assertEquals(0, code & 3, entry.getKey() + " METHOD_BUFFERED");
                assertEquals(3, (code >> 14) & 3, entry.getKey() + " FILE_READ_ACCESS | FILE_WRITE_ACCESS");
                assertEquals(Protocol.DEVICE_TYPE, code >>> 16, entry.getKey() + " device type");
                assertEquals(entry.getKey(), Codec.ioctlName((int) code));
            }
        }
        assertTrue(Codec.ioctlName(0x12345678).contains("0x12345678"));
    }
}
