package org.resmap;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * A page set, or a slice of one, mapped into system address space: into a {@link Reservation}
 * ({@code MmMapLockedPagesWithReservedMapping}) or ordinarily ({@code MmMapLockedPagesSpecifyCache}).
 * Reads and writes go through the mapped address in the kernel, so they see exactly what every other
 * mapping of the same pages, and a locked user buffer itself, sees. Transfers larger than the device's
 * limit are split. Close it to unmap; {@link #remap()} maps the same slice at the same place again,
 * so a loop that maps and unmaps repeatedly can reuse one object and allocate nothing.
 */
public final class Mapping implements AutoCloseable {

    /** What {@link #close()} passes for an ordinary mapping, which has no tag: made once, not per close. */
    private static final PoolTag NO_TAG = PoolTag.ofValue(0);

    private final Device device;
    private final long bytes;
    private final long offsetInReservation;
    private final Reservation reservation;
    private final PageSlice slice;
    private final long reservationOffset;
    // Both change only under the device's lock; volatile so that other threads see the current ones.
    private volatile long handle;
    private volatile boolean closed;

    Mapping(Device device, long handle, long bytes, long offsetInReservation, Reservation reservation,
            PageSlice slice, long reservationOffset) {
        this.device = device;
        this.handle = handle;
        this.bytes = bytes;
        this.offsetInReservation = offsetInReservation;
        this.reservation = reservation;
        this.slice = slice;
        this.reservationOffset = reservationOffset;
    }

    /** @return true for a mapping into a reservation, false for an ordinary one */
    public boolean reserved() {
        return reservation != null;
    }

    /** @return the bytes mapped */
    public long bytes() {
        return bytes;
    }

    /**
     * @return for a reserved mapping, the offset of the mapped address in its reservation (page offset
     *     plus the MDL's byte offset); 0 for an ordinary one
     */
    public long offsetInReservation() {
        return offsetInReservation;
    }

    /** @return the reservation, for a reserved mapping */
    public Optional<Reservation> reservation() {
        return Optional.ofNullable(reservation);
    }

    /** @return the page set mapped */
    public PageSet pageSet() {
        return slice.pageSet();
    }

    /** @return the slice of the page set that is mapped */
    public PageSlice slice() {
        return slice;
    }

    /**
     * Reads through the mapping into an array.
     *
     * @param offset byte offset within the mapping
     * @param dst where to put the bytes
     * @param dstOff offset in dst
     * @param len bytes to read
     * @throws IndexOutOfBoundsException if the range is outside dst
     * @throws ResMapException {@link NtStatus#STATUS_END_OF_FILE} if the range is outside the mapping
     */
    public void read(long offset, byte[] dst, int dstOff, int len) {
        Checks.arrayRange(dst, dstOff, len);
        Checks.range("read", offset, len);
        ensureOpen();
        device.read(this, offset, dst, dstOff, len);
    }

    /**
     * Reads through the mapping into a new array.
     *
     * @param offset byte offset within the mapping
     * @param len bytes to read, at least 0
     * @return the bytes
     * @throws ResMapException if the range is outside the mapping
     */
    public byte[] read(long offset, int len) {
        Checks.range("read", offset, len);
        byte[] dst = new byte[len];
        read(offset, dst, 0, len);
        return dst;
    }

    /**
     * Writes through the mapping from an array.
     *
     * @param offset byte offset within the mapping
     * @param src the bytes
     * @param srcOff offset in src
     * @param len bytes to write
     * @throws IndexOutOfBoundsException if the range is outside src
     * @throws ResMapException if the range is outside the mapping
     */
    public void write(long offset, byte[] src, int srcOff, int len) {
        Checks.arrayRange(src, srcOff, len);
        Checks.range("write", offset, len);
        ensureOpen();
        device.write(this, offset, src, srcOff, len);
    }

    /**
     * Reads {@code dst.remaining()} bytes through the mapping into dst, advancing its position.
     *
     * @param offset byte offset within the mapping
     * @param dst where to put the bytes (heap or direct)
     * @throws ResMapException if the range is outside the mapping
     */
    public void read(long offset, ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        Checks.range("read", offset, dst.remaining());
        ensureOpen();
        device.read(this, offset, dst);
    }

    /**
     * Writes {@code src.remaining()} bytes from src through the mapping, advancing its position.
     *
     * @param offset byte offset within the mapping
     * @param src the bytes (heap or direct)
     * @throws ResMapException if the range is outside the mapping
     */
    public void write(long offset, ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        Checks.range("write", offset, src.remaining());
        ensureOpen();
        device.write(this, offset, src);
    }

    /**
     * @return what the device reports about this mapping
     * @throws IllegalStateException if it is closed
     */
    public ObjectInfo query() {
        ensureOpen();
        return device.query(this, handle);
    }

    /**
     * Unmaps, presenting the given tag ({@code MmUnmapReservedMapping}); an ordinary mapping has no
     * tag, and the argument is then not used.
     *
     * @param tag the tag to present; another than the reservation's is refused
     * @throws ResMapException {@link NtStatus#STATUS_ACCESS_DENIED} for a wrong tag; the mapping then
     *     stays open
     */
    public void unmap(PoolTag tag) {
        Objects.requireNonNull(tag, "tag");
        ensureOpen();
        if (reservation != null) {
            device.unmapReserved(this, tag);
        } else {
            device.unmapOrdinary(this);
        }
    }

    /**
     * Maps the same slice at the same place again, after {@link #close()} or {@link #unmap(PoolTag)}:
     * the kernel allows a range to be mapped and unmapped any number of times, and the same MDL to be
     * mapped again. The object then stands for the new mapping (the device gives it a new handle).
     *
     * @throws IllegalStateException if it is still mapped, or its device, reservation or page set is closed
     * @throws ResMapException if the device refuses, as for the first map
     */
    public void remap() {
        if (reservation != null) {
            reservation.ensureOpen();
        }
        slice.pageSet().ensureOpen();
        device.remap(this);
    }

    /** @return whether it is currently mapped */
    public boolean isMapped() {
        return !closed && !device.closed();
    }

    /** Unmaps with the reservation's own tag, if still open. */
    @Override
    public void close() {
        if (closed || device.closed()) {
            return;
        }
        unmap(reservation != null ? reservation.tag() : NO_TAG);
    }

    long handle() {
        return handle;
    }

    Reservation reservationOrNull() {
        return reservation;
    }

    long reservationOffset() {
        return reservationOffset;
    }

    /** Called by the device, under its lock, once the unmap succeeded. */
    void unmapped() {
        closed = true;
    }

    /** Called by the device, under its lock, once a {@link #remap()} succeeded. */
    void mapped(long newHandle) {
        handle = newHandle;
        closed = false;
    }

    private void ensureOpen() {
        device.ensureOpen(this, closed);
    }

    /** @return e.g. {@code "reserved mapping 0x0300000000000001 (8192 bytes at offset 0)"} */
    @Override
    public String toString() {
        return reservation != null
                ? String.format("reserved mapping 0x%016X (%d bytes at offset %d)", handle, bytes, offsetInReservation)
                : String.format("ordinary mapping 0x%016X (%d bytes)", handle, bytes);
    }
}
