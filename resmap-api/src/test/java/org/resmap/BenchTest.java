package org.resmap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ResMap#bench}: the in-driver bench through the API, against whichever back end
 * {@link ResMap#open()} picks. What is checked is what the driver reports and that nothing changes,
 * never how fast anything is.
 */
class BenchTest {

    private static final PoolTag TAG = PoolTag.of("RsMp");
    private static final int PAGE = 4096;

    private ResMap device;

    @BeforeEach
    void open() {
        device = ResMap.open();
    }

    @AfterEach
    void close() {
        device.close();
    }

    private static void refused(NtStatus expected, Executable call) {
        ResMapException e = assertThrows(ResMapException.class, call);
        assertSame(expected, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains("bench"), e.getMessage());
    }

    @Test
    void bothPathsRunTheIterationsAndTheirTimesAreConsistent() {
        try (Reservation reservation = device.reserve(16L * PAGE, TAG);
             PageSet set = device.allocatePages(16L * PAGE, CachingType.CACHED)) {
            DeviceInfo before = device.info();
            BenchResult result = device.bench(set, reservation, 7);
            assertEquals(before, device.info(), "the bench left objects or counts behind");
            assertEquals(16, result.pages());
            assertEquals(7, result.cycles());
            assertFalse(result.budgetSpent());
            assertTrue(result.frequency() > 0);
            for (BenchResult.Path path : List.of(result.reserved().orElseThrow(), result.ordinary().orElseThrow())) {
                assertEquals(7, path.cycles());
                assertTrue(path.minTicks() <= path.maxTicks() && path.maxTicks() <= path.totalTicks(), path.toString());
                assertTrue(path.minNanos() <= path.nanosPerCycle() && path.nanosPerCycle() <= path.maxNanos(),
                        path.toString());
                assertEquals(path.totalTicks() * 1e9 / result.frequency() / 7, path.nanosPerCycle(), 1e-6);
            }
            assertTrue(result.reserved().get().totalTicks() + result.ordinary().get().totalTicks()
                    <= result.elapsedTicks());
            assertEquals((double) result.ordinary().get().totalTicks() / result.reserved().get().totalTicks(),
                    result.ordinaryOverReserved().orElseThrow(), 1e-12);
            // The reservation is still free, and maps as before.
            assertEquals(ObjectState.RESERVED, reservation.query().state());
            try (Mapping mapping = reservation.map(set)) {
                assertEquals(16L * PAGE, mapping.bytes());
            }
        }
    }

    @Test
    void withoutAReservationOnlyTheOrdinaryPathRuns() {
        try (PageSet set = device.allocatePages(3L * PAGE, CachingType.CACHED)) {
            BenchResult result = device.bench(set.slice(PAGE, PAGE), null, 0, 2, Duration.ZERO);
            assertTrue(result.reserved().isEmpty());
            assertEquals(2, result.ordinary().orElseThrow().cycles());
            assertEquals(1, result.pages());
            assertTrue(result.ordinaryOverReserved().isEmpty());
        }
    }

    @Test
    void aTinyBudgetEndsTheLoopEarly() {
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet set = device.allocatePages(PAGE, CachingType.CACHED)) {
            BenchResult result = device.bench(set.all(), reservation, 0, 100_000, Duration.ofNanos(1));
            assertTrue(result.budgetSpent());
            assertTrue(result.cycles() >= 1 && result.cycles() < 100_000, "cycles " + result.cycles());
        }
    }

    @Test
    void refusalsAreTheMapRequestsAndTheDriversBounds() {
        try (Reservation small = device.reserve(PAGE, TAG);
             PageSet one = device.allocatePages(PAGE, CachingType.CACHED);
             PageSet two = device.allocatePages(2L * PAGE, CachingType.CACHED)) {
            DeviceInfo before = device.info();
            refused(NtStatus.STATUS_ALLOTTED_SPACE_EXCEEDED, () -> device.bench(two, small, 1));
            refused(NtStatus.STATUS_INVALID_PARAMETER, () -> device.bench(one, small, 100_001));
            refused(NtStatus.STATUS_INVALID_PARAMETER,
                    () -> device.bench(one.all(), small, 0, 1, Duration.ofMillis(1001)));
            refused(NtStatus.STATUS_INVALID_PARAMETER,
                    () -> device.bench(one.all(), small, 0, 1, Duration.ofDays(100)));
            try (Mapping mapped = small.map(one)) {
                refused(NtStatus.STATUS_CONFLICTING_ADDRESSES, () -> device.bench(one, small, 1));
                assertEquals(1, small.query().mappingCount());
            }
            assertEquals(before, device.info());
        }
    }

    @Test
    void argumentsThatCannotBeRightNeverLeaveTheApi() {
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet set = device.allocatePages(PAGE, CachingType.CACHED)) {
            assertThrows(IllegalArgumentException.class, () -> device.bench(set, reservation, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> device.bench(set.all(), reservation, 0, 1, Duration.ofMillis(-1)));
            assertThrows(NullPointerException.class, () -> device.bench(null, reservation, 1));
            set.close();
            assertThrows(IllegalStateException.class, () -> device.bench(set, reservation, 1));
            try (ResMap other = ResMap.open(); PageSet foreign = other.allocatePages(PAGE, CachingType.CACHED)) {
                assertThrows(IllegalArgumentException.class, () -> device.bench(foreign, reservation, 1));
            }
        }
    }
}
