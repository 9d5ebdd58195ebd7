package org.resmap.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.resmap.Backend;
import org.resmap.CachingType;
import org.resmap.Mapping;
import org.resmap.PageSet;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.Reservation;

/**
 * One map + unmap cycle of one page on the simulator, reserved and ordinary: through the Java API, and
 * through resmap_sim_ioctl from C in the same JVM. The ratio of the two is what the Java side costs.
 * (PairwiseMain covers more page counts, scattered frames and the bare host floor.)
 *
 * <p>The Java cycle reuses one {@link Mapping} ({@link Mapping#remap()}), the API's allocation-free
 * form; {@code javaMapNewObject} shows the plain {@code reservation.map(pages)} form, which allocates
 * the Mapping object each time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ReservedMapUnmapBenchmark {

    static final long PAGE = 4096;
    static final int FLOOR_CYCLES_PER_CALL = 1_000;
    static final PoolTag TAG = PoolTag.of("RsMp");

    /** The Java side: a device on the simulator with one reservation and one page set, reused. */
    @State(Scope.Thread)
    public static class JavaSide {
        ResMap device;
        Reservation reservation;
        PageSet pageSet;
        Mapping mapping;
        Mapping ordinary;

        @Setup(Level.Trial)
        public void open() {
            device = ResMap.open(Backend.SIMULATOR);
            reservation = device.reserve(PAGE, TAG);
            pageSet = device.allocatePages(PAGE, CachingType.CACHED);
            mapping = reservation.map(pageSet);
            mapping.close();
            ordinary = pageSet.mapOrdinary();
            ordinary.close();
        }

        @TearDown(Level.Trial)
        public void close() {
            device.close();
        }
    }

    /** The C side: its own machines, sessions, reservation and page sets. */
    @State(Scope.Thread)
    public static class CSide {
        Floors.Request floor;
        Floors.Request ordinaryFloor;

        @Setup(Level.Trial)
        public void open() {
            floor = new Floors.Request(1, false, true);
            ordinaryFloor = new Floors.Request(1, true, true);
        }

        @TearDown(Level.Trial)
        public void close() {
            floor.close();
            ordinaryFloor.close();
        }
    }

    @Benchmark
    public void javaReservedMapUnmap(JavaSide side) {
        side.mapping.remap();
        side.mapping.close();
    }

    @Benchmark
    public void javaOrdinaryMapUnmap(JavaSide side) {
        side.ordinary.remap();
        side.ordinary.close();
    }

    @Benchmark
    public long javaMapNewObject(JavaSide side) {
        try (Mapping mapping = side.reservation.map(side.pageSet)) {
            return mapping.offsetInReservation();
        }
    }

    // One native call runs many cycles, so the JNA call itself is spread thin: this is the C floor.
    @Benchmark
    @OperationsPerInvocation(FLOOR_CYCLES_PER_CALL)
    public void cFloorReservedMapUnmap(CSide side) {
        side.floor.run(FLOOR_CYCLES_PER_CALL);
    }

    @Benchmark
    @OperationsPerInvocation(FLOOR_CYCLES_PER_CALL)
    public void cFloorOrdinaryMapUnmap(CSide side) {
        side.ordinaryFloor.run(FLOOR_CYCLES_PER_CALL);
    }
}
