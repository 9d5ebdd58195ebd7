package org.resmap;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one in-driver bench ({@code IOCTL_RESMAP_BENCH}) measured: map + unmap cycles of one page set
 * slice, timed inside the driver with {@code KeQueryPerformanceCounter}, so that no user/kernel
 * transition, I/O manager or handle table is in the figures. On the simulator the figures are the
 * simulator's own cost; on Windows, the kernel's.
 *
 * @param pages pages each mapping spanned
 * @param cycles cycles run on each path that ran: the iterations asked for, or fewer when the time
 *     budget ended the loop ({@code budgetSpent})
 * @param budgetSpent whether the driver's time budget ended the loop before all iterations ran
 * @param frequency performance counter ticks per second
 * @param elapsedTicks ticks of the whole loop
 * @param reserved the reserved path ({@code MmMapLockedPagesWithReservedMapping} +
 *     {@code MmUnmapReservedMapping}), if it ran
 * @param ordinary the ordinary path ({@code MmMapLockedPagesSpecifyCache} + {@code MmUnmapLockedPages}),
 *     if it ran
 */
public record BenchResult(int pages, int cycles, boolean budgetSpent, long frequency, long elapsedTicks,
                          Optional<Path> reserved, Optional<Path> ordinary) {

    /**
     * One path's cycles. A cycle is timed from just before its map call to just after its unmap call,
     * and includes one {@code KeQueryPerformanceCounter} call.
     *
     * @param totalTicks the sum over all cycles
     * @param minTicks the shortest cycle
     * @param maxTicks the longest cycle
     * @param cycles cycles run
     * @param frequency ticks per second
     */
    public record Path(long totalTicks, long minTicks, long maxTicks, int cycles, long frequency) {

        /** @return mean nanoseconds per map + unmap cycle */
        public double nanosPerCycle() {
            return nanos(totalTicks) / cycles;
        }

        /** @return nanoseconds of the shortest cycle (at the counter's resolution) */
        public double minNanos() {
            return nanos(minTicks);
        }

        /** @return nanoseconds of the longest cycle */
        public double maxNanos() {
            return nanos(maxTicks);
        }

        private double nanos(long ticks) {
            return ticks * 1e9 / frequency;
        }
    }

    /** @return the ordinary path's mean cost over the reserved path's: above 1 the reserved mapping saves */
    public OptionalDouble ordinaryOverReserved() {
        if (reserved.isEmpty() || ordinary.isEmpty() || reserved.get().totalTicks() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((double) ordinary.get().totalTicks() / reserved.get().totalTicks());
    }
}
