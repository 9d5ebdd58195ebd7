package org.resmap;

import com.sun.jna.Platform;
import org.resmap.internal.RecordingTransport;
import org.resmap.internal.SimulatorTransport;
import org.resmap.internal.Transport;
import org.resmap.internal.WindowsTransport;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An open resmap device: the kernel driver on Windows, or an in-process simulated machine running the
 * same driver core. It creates {@link Reservation}s, {@link PageSet}s and {@link UserBuffer}s, from
 * which {@link Mapping}s are made.
 *
 * <p>Closing the device closes every object it created that is still open (mappings first, then page
 * sets, then reservations), then the handle. Argument errors (null, negative or overflowing values,
 * objects that are closed or belong to another device) raise standard Java exceptions before anything
 * reaches the device; refusals by the device raise {@link ResMapException}. A ResMap may be shared by
 * threads: its requests are serialized.
 *
 * <pre>{@code
 * try (ResMap device = ResMap.open();
 *      Reservation reservation = device.reserve(8192, PoolTag.of("RsMp"));
 *      PageSet pages = device.allocatePages(8192, CachingType.CACHED);
 *      Mapping mapping = reservation.map(pages)) {
 *     mapping.write(0, "hello".getBytes(StandardCharsets.US_ASCII), 0, 5);
 * }
 * }</pre>
 */
public final class ResMap implements AutoCloseable {

    /** The system property that chooses the back end: {@code kernel} or {@code simulator}. */
    public static final String BACKEND_PROPERTY = "resmap.backend";

    private static final Cleaner CLEANER = Cleaner.create();

    private final Device device;
    private final Simulator simulator;
    private final Cleaner.Cleanable cleanable;

    private ResMap(Transport transport, Simulator simulator) {
        this.device = new Device(transport);
        this.simulator = simulator;
        // Safety net only: a ResMap dropped without close() still closes its handle and machine.
        this.cleanable = CLEANER.register(this, transport::close);
    }

    /**
     * Opens the back end chosen by the system property {@value #BACKEND_PROPERTY} ({@code kernel} or
     * {@code simulator}); without it, the kernel driver if this is Windows and {@code \\.\ResMap}
     * exists, else a simulated machine with default settings (which exists on Linux x86-64 only: elsewhere,
     * without the driver, this fails and says so). A back end chosen by the property must
     * be available: a missing driver is then an error, not a reason to fall back.
     *
     * @return the open device
     * @throws IllegalStateException if the chosen back end is not available (the message says how to
     *     install the driver or build the simulator)
     * @throws IllegalArgumentException if the property has another value
     */
    public static ResMap open() {
        String choice = System.getProperty(BACKEND_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        switch (choice) {
            case "":
                if (Platform.isWindows()) {
                    Optional<WindowsTransport> kernel = WindowsTransport.openIfInstalled();
                    if (kernel.isPresent()) {
                        return new ResMap(kernel.get(), null);
                    }
                }
                return open(Backend.SIMULATOR);
            case "kernel":
                return open(Backend.KERNEL);
            case "simulator":
                return open(Backend.SIMULATOR);
            default:
                throw new IllegalArgumentException("-D" + BACKEND_PROPERTY + " must be kernel or simulator, not \""
                        + choice + "\"");
        }
    }

    /**
     * Opens a chosen back end; {@link Backend#SIMULATOR} gets a machine with default settings.
     *
     * @param backend the back end
     * @return the open device
     * @throws IllegalStateException if it is not available: the kernel back end needs Windows with the
     *     resmap driver installed; the simulator needs libresmap-sim on the class path
     */
    public static ResMap open(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (backend == Backend.SIMULATOR) {
            return openSimulator(SimulatorConfig.defaults());
        }
        return new ResMap(kernelTransport(), null);
    }

    private static Transport kernelTransport() {
        if (!Platform.isWindows()) {
            throw new IllegalStateException("the kernel back end needs Windows with the resmap driver installed; "
                    + "this is " + System.getProperty("os.name") + ". On Windows, " + WindowsTransport.INSTALL_HINT
                    + ". Here, use the simulator (Backend.SIMULATOR, -D" + BACKEND_PROPERTY
                    + "=simulator, or resmap --backend=simulator).");
        }
        return WindowsTransport.open();
    }

    /**
     * Opens a new simulated machine, independent of every other one in this process.
     *
     * @param config the machine's settings
     * @return the open device; {@link #simulator()} gives access to the machine
     * @throws IllegalStateException if libresmap-sim cannot be loaded
     */
    public static ResMap openSimulator(SimulatorConfig config) {
        return openSimulator(config, null);
    }

    /**
     * Opens a back end and reports every request it sends, as it completes: what the catalogue records
     * for {@code resmap selftest --record} and compares in {@code resmap replay}.
     *
     * @param backend the back end
     * @param config the simulated machine's settings (ignored for the kernel)
     * @param listener told of each request (bytes in and out, status), in order
     * @return the open device
     * @throws IllegalStateException if the back end is not available (as {@link #open(Backend)})
     */
    public static ResMap recording(Backend backend, SimulatorConfig config, Consumer<Exchange> listener) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        if (backend == Backend.SIMULATOR) {
            return openSimulator(config, listener);
        }
        return new ResMap(new RecordingTransport(kernelTransport(), listener), null);
    }

    private static ResMap openSimulator(SimulatorConfig config, Consumer<Exchange> listener) {
        Objects.requireNonNull(config, "config");
        Optional<String> unavailable = simulatorUnavailableReason(System.getProperty("os.name"), Platform.ARCH);
        if (unavailable.isPresent()) {
            throw new IllegalStateException(unavailable.get());
        }
        SimulatorTransport transport;
        try {
            transport = new SimulatorTransport(config);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IllegalStateException("the simulator library libresmap-sim cannot be loaded (" + e.getMessage()
                    + "); it is built by the native-usermode module (./mvnw install) for Linux x86-64 and must be "
                    + "on the class path under linux-x86-64/", e);
        }
        Simulator simulator = new Simulator(transport.machine());
        return new ResMap(listener == null ? transport : new RecordingTransport(transport, listener), simulator);
    }

    /**
     * Whether the simulator can run on a platform: it models the kernel with Linux memory-mapping calls,
     * so libresmap-sim exists for Linux x86-64 only.
     *
     * @param osName the {@code os.name} system property
     * @param arch JNA's name of the architecture ({@code Platform.ARCH}: {@code x86-64}, {@code aarch64}, ...)
     * @return empty where it runs; otherwise why not and what to use instead, in one sentence
     */
    public static Optional<String> simulatorUnavailableReason(String osName, String arch) {
        if (osName != null && osName.startsWith("Linux") && "x86-64".equals(arch)) {
            return Optional.empty();
        }
        String here = osName + " " + arch;
        String instead = osName != null && osName.startsWith("Windows")
                ? "use the kernel back end, with the resmap driver installed (" + WindowsTransport.INSTALL_HINT + ")"
                : "run resmap on Linux x86-64 for the simulator, or on Windows with the driver for the kernel";
        return Optional.of("the simulator is not available on " + here + ": libresmap-sim is built for Linux x86-64 "
                + "only (it models the kernel with Linux memory-mapping calls); " + instead);
    }

    /** Opens a device over any transport; lets tests check what happens before a request leaves the JVM. */
    static ResMap over(Transport transport) {
        return new ResMap(transport, null);
    }

    /** @return which back end this device is */
    public Backend backend() {
        return device.backend();
    }

    /**
     * @return the device's limits and this handle's current counts
     * @throws IllegalStateException if the device is closed
     */
    public DeviceInfo info() {
        return device.info();
    }

    /**
     * Reserves system address space ({@code MmAllocateMappingAddress}): whole pages that fault when
     * touched until something is mapped into them.
     *
     * @param bytes at least 1; rounded up to whole pages
     * @param tag the pool tag every later use of the reservation must present
     * @return the reservation
     * @throws ResMapException if the device refuses (quota, tag 0, the kernel has no address space)
     */
    public Reservation reserve(long bytes, PoolTag tag) {
        Checks.pageRoundable("reservation bytes", bytes, device.pageSize());
        Objects.requireNonNull(tag, "tag");
        return device.reserve(bytes, tag, false);
    }

    /**
     * Reserves divisible system address space ({@code MmAllocateMappingAddressEx} with
     * {@code MM_MAPPING_ADDRESS_DIVISIBLE}): page-aligned parts of it can be mapped independently.
     *
     * @param bytes at least 1; rounded up to whole pages
     * @param tag the pool tag every later use of the reservation must present
     * @return the reservation
     * @throws ResMapException {@link NtStatus#STATUS_NOT_SUPPORTED} on kernels before Windows 10 2004,
     *     or another refusal as for {@link #reserve(long, PoolTag)}
     */
    public Reservation reserveDivisible(long bytes, PoolTag tag) {
        Checks.pageRoundable("reservation bytes", bytes, device.pageSize());
        Objects.requireNonNull(tag, "tag");
        return device.reserve(bytes, tag, true);
    }

    /**
     * Allocates zeroed physical pages, locked, as an MDL ({@code MmAllocatePagesForMdlEx}, fully required).
     *
     * @param bytes at least 1; rounded up to whole pages
     * @param caching the caching type mappings of these pages use
     * @return the page set
     * @throws ResMapException if the device refuses (quota, no memory)
     */
    public PageSet allocatePages(long bytes, CachingType caching) {
        return allocatePages(bytes, caching, false);
    }

    /**
     * Allocates zeroed physical pages, as {@link #allocatePages(long, CachingType)}.
     *
     * @param bytes at least 1; rounded up to whole pages
     * @param caching the caching type mappings of these pages use
     * @param preferContiguous ask for physically contiguous pages ({@code MM_ALLOCATE_PREFER_CONTIGUOUS})
     * @return the page set
     * @throws ResMapException if the device refuses
     */
    public PageSet allocatePages(long bytes, CachingType caching, boolean preferContiguous) {
        Checks.pageRoundable("page set bytes", bytes, device.pageSize());
        Objects.requireNonNull(caching, "caching");
        return device.allocatePages(bytes, caching, preferContiguous);
    }

    /**
     * Times map + unmap cycles of a whole page set inside the driver ({@code IOCTL_RESMAP_BENCH}):
     * reserved ones at the start of the reservation and ordinary ones, alternating, with the driver's
     * largest time budget (one second). See {@link #bench(PageSlice, Reservation, long, int, Duration)}.
     *
     * @param set an open page set of this device
     * @param reservation an open, unmapped reservation of this device, at least as large as the set
     * @param iterations cycles per path, 1 to 100,000
     * @return the ticks the driver measured
     * @throws ResMapException as a map of the set into the reservation would be refused, or
     *     {@link NtStatus#STATUS_INVALID_PARAMETER} for more iterations than the driver allows
     */
    public BenchResult bench(PageSet set, Reservation reservation, int iterations) {
        Objects.requireNonNull(set, "set");
        Objects.requireNonNull(reservation, "reservation");
        return bench(set.all(), reservation, 0, iterations, Duration.ZERO);
    }

    /**
     * Times map + unmap cycles of a slice inside the driver ({@code IOCTL_RESMAP_BENCH}), with
     * {@code KeQueryPerformanceCounter}: {@code MmMapLockedPagesWithReservedMapping} +
     * {@code MmUnmapReservedMapping} at {@code reservationOffset} of the reservation, and
     * {@code MmMapLockedPagesSpecifyCache} + {@code MmUnmapLockedPages}, alternating cycle by cycle,
     * with exactly the arguments {@link Reservation#map} and {@link PageSet#mapOrdinary} use. Nothing
     * the bench maps outlives the call: afterwards every object, count and quota is as before.
     *
     * @param slice a slice of an open page set of this device
     * @param reservation an open reservation of this device whose pages at {@code reservationOffset}
     *     are unmapped; {@code null} times the ordinary path alone
     * @param reservationOffset page-aligned; 0 unless the reservation is divisible (and with no reservation)
     * @param iterations cycles per path, at least 1; the driver allows at most 100,000
     * @param budget the time after which the driver stops early (reported by
     *     {@link BenchResult#budgetSpent()}); {@link Duration#ZERO} for the driver's largest, one second
     * @return the ticks the driver measured
     * @throws IllegalArgumentException for fewer than 1 iteration or a negative budget, before anything is sent
     * @throws ResMapException as the map request would be refused ({@link NtStatus#STATUS_CONFLICTING_ADDRESSES}
     *     for a mapped reservation, {@link NtStatus#STATUS_ALLOTTED_SPACE_EXCEEDED} for one too small,
     *     {@link NtStatus#STATUS_QUOTA_EXCEEDED} at the object quota), or
     *     {@link NtStatus#STATUS_INVALID_PARAMETER} for iterations or a budget beyond the driver's bounds
     */
    public BenchResult bench(PageSlice slice, Reservation reservation, long reservationOffset, int iterations,
                             Duration budget) {
        Objects.requireNonNull(slice, "slice");
        Objects.requireNonNull(budget, "budget");
        Checks.positive("bench iterations", iterations);
        Checks.notNegative("reservation offset", reservationOffset);
        if (budget.isNegative()) {
            throw new IllegalArgumentException("bench budget must not be negative, not " + budget);
        }
        // Whole microseconds, rounded up; a budget past 32 bits of them is sent as the largest 32-bit
        // value, which the driver refuses as too long.
        long budgetMicros = budget.getSeconds() > 4295 ? 0xFFFF_FFFFL
                : budget.getSeconds() * 1_000_000L + (budget.getNano() + 999) / 1000;
        PageSet set = slice.pageSet();
        device.ensureOwns(set, set.device());
        set.ensureOpen();
        if (reservation != null) {
            device.ensureOwns(reservation, reservation.device());
            reservation.ensureOpen();
        }
        return device.bench(slice, reservation, reservationOffset, iterations, (int) Math.min(budgetMicros, 0xFFFF_FFFFL));
    }

    /**
     * Allocates page-aligned memory in this process that the device can lock: simulated user pages on
     * the simulator, {@code VirtualAlloc} memory on Windows.
     *
     * @param bytes 1 to {@link Integer#MAX_VALUE}
     * @return the buffer
     * @throws ResMapException if no memory is left
     */
    public UserBuffer allocateUserBuffer(long bytes) {
        Checks.positive("user buffer bytes", bytes);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("user buffer bytes must be at most " + Integer.MAX_VALUE + ", not " + bytes);
        }
        return device.allocateUserBuffer(bytes);
    }

    /**
     * Locks a range of a user buffer into a page set ({@code MmProbeAndLockPages}); mappings of it show
     * the buffer's own memory, so writes through either side are visible to the other.
     *
     * @param buffer a buffer of this device
     * @param offset byte offset in the buffer
     * @param length bytes, at least 1, within the buffer
     * @param writable whether the kernel may write the pages ({@code IoModifyAccess})
     * @return the page set; the buffer cannot be freed until it is closed
     * @throws ResMapException if the device refuses
     */
    public PageSet lock(UserBuffer buffer, long offset, long length, boolean writable) {
        Objects.requireNonNull(buffer, "buffer");
        device.ensureOwns(buffer, buffer.device());
        buffer.ensureOpen();
        Checks.range("lock", offset, length);
        Checks.positive("lock length", length);
        if (offset + length > buffer.bytes()) {
            throw new IllegalArgumentException("lock offset " + offset + " + length " + length
                    + " exceeds the buffer's " + buffer.bytes() + " bytes");
        }
        return device.lock(buffer, offset, length, writable);
    }

    /**
     * Locks a whole user buffer, writable.
     *
     * @param buffer a buffer of this device
     * @return the page set
     * @throws ResMapException if the device refuses
     */
    public PageSet lock(UserBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        return lock(buffer, 0, buffer.bytes(), true);
    }

    /** @return the simulated machine behind this device, present on the simulator back end only */
    public Optional<Simulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    /**
     * @return the reservations, page sets, mappings and user buffers this device handed out that are not
     *     closed yet (mappings first, as {@link #close()} closes them); their {@code toString()} says what
     *     each is. For leak checks, e.g. the resmap-junit extension's.
     */
    public List<AutoCloseable> openObjects() {
        return device.openObjects();
    }

    /**
     * Closes every object still open (mappings, then page sets, then reservations), then the handle,
     * then frees user buffers; on the simulator, destroys the machine (its counters and bug check stay
     * readable). Idempotent. Direct buffers from {@link UserBuffer#buffer()} must not be touched after.
     */
    @Override
    public void close() {
        device.close();
        cleanable.clean();
    }

    Device device() {
        return device;
    }

    /** @return e.g. {@code "ResMap[SIMULATOR]"} */
    @Override
    public String toString() {
        return "ResMap[" + backend() + (device.closed() ? ", closed]" : "]");
    }
}
