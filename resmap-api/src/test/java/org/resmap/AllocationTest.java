package org.resmap;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every hot path of the API allocates nothing in steady state, reserved and ordinary alike: mapping
 * again ({@link Mapping#remap()}), unmapping ({@link Mapping#close()}), and reading and writing into
 * caller-owned arrays and buffers. Loops that use them do not feed the garbage collector
 * (docs/benchmarks.md measures the same with JMH). {@link Reservation#map(PageSet)} and
 * {@link PageSet#mapOrdinary()} allocate the {@link Mapping} they return, so hot loops keep one and
 * remap it.
 *
 * <p>This counts bytes, not time: the JVM's per-thread allocation counter is exact. Each path is run
 * to warm up, then measured over many cycles, in up to five rounds until one shows less than one byte
 * per cycle (zero: the counter itself may add a few bytes in all).
 */
@DisabledIfSystemProperty(named = ResMap.BACKEND_PROPERTY, matches = "kernel",
        disabledReason = "jna-platform's DeviceIoControl binding allocates per call; the simulator path is the one kept free")
class AllocationTest {

    private static final int CYCLES = 20_000;
    private static final int BYTES = 256;
    private static final int ROUNDS = 5;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void reservedRemapAndCloseAllocateNothing() {
        try (ResMap device = ResMap.open(Backend.SIMULATOR);
             Reservation reservation = device.reserve(4096, PoolTag.of("RsMp"));
             PageSet pages = device.allocatePages(4096, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            mapping.close();
            assertNoAllocation("reserved remap + close", mapping, m -> {
                m.remap();
                m.close();
            });
        }
    }

    @Test
    void ordinaryRemapAndCloseAllocateNothing() {
        try (ResMap device = ResMap.open(Backend.SIMULATOR);
             PageSet pages = device.allocatePages(4096, CachingType.CACHED);
             Mapping mapping = pages.mapOrdinary()) {
            mapping.close();
            assertNoAllocation("ordinary remap + close", mapping, m -> {
                m.remap();
                m.close();
            });
        }
    }

    @Test
    void readsAndWritesAllocateNothingOnBothKindsOfMapping() {
        byte[] array = new byte[BYTES];
        ByteBuffer heap = ByteBuffer.allocate(BYTES);
        ByteBuffer direct = ByteBuffer.allocateDirect(BYTES);
        try (ResMap device = ResMap.open(Backend.SIMULATOR);
             Reservation reservation = device.reserve(8192, PoolTag.of("RsMp"));
             PageSet pages = device.allocatePages(8192, CachingType.CACHED);
             Mapping reserved = reservation.map(pages);
             Mapping ordinary = pages.mapOrdinary()) {
            for (Mapping mapping : new Mapping[] {reserved, ordinary}) {
                String kind = mapping.reserved() ? "reserved" : "ordinary";
                assertNoAllocation(kind + " write(byte[]) + read(byte[])", mapping, m -> {
                    m.write(100, array, 0, BYTES);
                    m.read(100, array, 0, BYTES);
                });
                assertNoAllocation(kind + " write + read of a heap ByteBuffer", mapping, m -> {
                    heap.clear();
                    m.write(4000, heap);
                    heap.clear();
                    m.read(4000, heap);
                });
                assertNoAllocation(kind + " write + read of a direct ByteBuffer", mapping, m -> {
                    direct.clear();
                    m.write(5000, direct);
                    direct.clear();
                    m.read(5000, direct);
                });
            }
            array[7] = 42;
            reserved.write(0, array, 0, BYTES);
            ordinary.read(0, array, 0, BYTES);
            assertEquals(42, array[7], "the two mappings show the same pages");
        }
    }

    private static void assertNoAllocation(String path, Mapping mapping, Consumer<Mapping> cycle) {
        long thread = Thread.currentThread().getId();
        long least = Long.MAX_VALUE;
        // Steady state: until the JIT has compiled (and inlined) the path, the interpreter and C1 may
        // allocate what C2 later keeps off the heap; on a loaded machine that takes a while. A path that
        // allocates per cycle allocates in every round.
        for (int round = 0; round < ROUNDS && least >= CYCLES; round++) {
            repeat(mapping, cycle);
            long before = THREADS.getThreadAllocatedBytes(thread);
            repeat(mapping, cycle);
            least = Math.min(least, THREADS.getThreadAllocatedBytes(thread) - before);
        }
        assertTrue(least < CYCLES, path + ": expected less than 1 byte per cycle, observed at least " + least
                + " bytes for " + CYCLES + " cycles in each of " + ROUNDS + " rounds");
    }

    private static void repeat(Mapping mapping, Consumer<Mapping> cycle) {
        for (int i = 0; i < CYCLES; i++) {
            cycle.accept(mapping);
        }
    }
}
