package org.resmap.bench;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.resmap.CachingType;
import org.resmap.internal.Codec;
import org.resmap.internal.Protocol;

/**
 * The C floor: a simulated machine and session of its own, with one reservation and one page set,
 * on which {@code resmap_sim_bench_map_unmap} runs map + unmap cycles entirely in C.
 *
 * <p>It talks to libresmap-sim directly rather than through the Java API so that nothing of the
 * API (transport, handle bookkeeping) sits on the floor's path. The two setup requests run once per
 * trial, are not measured, and are encoded with the API's own codec so the protocol is written once.
 */
final class SimFloor implements AutoCloseable {

    static {
        // Direct mapping: no per-call argument conversion, so the call itself adds ~0.1 µs and 0 B.
        Native.register("resmap-sim");
    }

    private static native Pointer resmap_sim_create(Pointer config);

    private static native void resmap_sim_destroy(Pointer machine);

    private static native Pointer resmap_sim_open(Pointer machine);

    private static native void resmap_sim_close(Pointer session);

    private static native int resmap_sim_ioctl(Pointer session, int code, Pointer in, int inLength,
                                               Pointer out, int outLength, Pointer bytesReturned);

    private static native int resmap_sim_bench_map_unmap(Pointer session, long reservation, long pageSet,
                                                         int poolTag, int iterations);

    private final Pointer machine;
    private final Pointer session;
    private final long reservation;
    private final long pageSet;
    private final int poolTag;

    private SimFloor(Pointer machine, Pointer session, long reservation, long pageSet, int poolTag) {
        this.machine = machine;
        this.session = session;
        this.reservation = reservation;
        this.pageSet = pageSet;
        this.poolTag = poolTag;
    }

    /** A fresh machine with a reservation of {@code bytes} and an MmCached page set of the same size. */
    static SimFloor start(long bytes, int poolTag) {
        Pointer machine = resmap_sim_create(Pointer.NULL);
        if (machine == null) {
            throw new IllegalStateException("resmap_sim_create returned NULL");
        }
        Pointer session = resmap_sim_open(machine);
        if (session == null) {
            resmap_sim_destroy(machine);
            throw new IllegalStateException("resmap_sim_open returned NULL");
        }
        try {
            ByteBuffer in = request();
            long reservation = create(session, Protocol.IOCTL_RESERVE, in, Codec.reserve(in, bytes, poolTag, 0));
            long pageSet = create(session, Protocol.IOCTL_ALLOCATE_PAGES, in,
                    Codec.allocate(in, bytes, CachingType.CACHED.value(), 0));
            return new SimFloor(machine, session, reservation, pageSet, poolTag);
        } catch (RuntimeException e) {
            resmap_sim_close(session);
            resmap_sim_destroy(machine);
            throw e;
        }
    }

    /** Runs {@code cycles} map + unmap cycles in C. */
    void cycle(int cycles) {
        int status = resmap_sim_bench_map_unmap(session, reservation, pageSet, poolTag, cycles);
        if (status != 0) {
            throw new IllegalStateException(String.format("C floor cycle failed with NTSTATUS 0x%08X", status));
        }
    }

    @Override
    public void close() {
        resmap_sim_close(session);
        resmap_sim_destroy(machine);
    }

    private static ByteBuffer request() {
        return ByteBuffer.allocateDirect(Protocol.ReserveIn.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long create(Pointer session, int code, ByteBuffer in, int inLength) {
        ByteBuffer out = ByteBuffer.allocateDirect(Protocol.ObjectOut.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        try (Memory returned = new Memory(Integer.BYTES)) {
            int status = resmap_sim_ioctl(session, code, Native.getDirectBufferPointer(in), inLength,
                    Native.getDirectBufferPointer(out), Protocol.ObjectOut.SIZE, returned);
            if (status != 0) {
                throw new IllegalStateException(String.format("setup %s failed with NTSTATUS 0x%08X",
                        Codec.ioctlName(code), status));
            }
        }
        return Codec.objectReply(out).handle();
    }
}
