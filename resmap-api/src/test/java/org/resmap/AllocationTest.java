package org.resmap;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reserved map + unmap cycle through {@link Mapping#remap()} allocates nothing, so loops can map
 * and unmap without feeding the garbage collector (docs/benchmarks.md measures the same with JMH).
 * This counts bytes, not time: the JVM's per-thread allocation counter is exact.
 */
@DisabledIfSystemProperty(named = ResMap.BACKEND_PROPERTY, matches = "kernel",
        disabledReason = "jna-platform's DeviceIoControl binding allocates per call; the simulator path is the one kept free")
class AllocationTest {

    private static final int CYCLES = 20_000;

    @Test
    void remapAndCloseAllocateNothingInSteadyState() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        try (ResMap device = ResMap.open(Backend.SIMULATOR);
             Reservation reservation = device.reserve(4096, PoolTag.of("RsMp"));
             PageSet pages = device.allocatePages(4096, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            mapping.close();
            cycle(mapping, CYCLES);

            long before = threads.getThreadAllocatedBytes(thread);
            cycle(mapping, CYCLES);
            long allocated = threads.getThreadAllocatedBytes(thread) - before;

            assertTrue(allocated < CYCLES, "expected less than 1 byte per map + unmap cycle, observed "
                    + allocated + " bytes for " + CYCLES + " cycles");
        }
    }

    private static void cycle(Mapping mapping, int cycles) {
        for (int i = 0; i < cycles; i++) {
            mapping.remap();
            mapping.close();
        }
    }
}
