package org.resmap;

import java.util.Objects;

/**
 * A range of system address space reserved with {@code MmAllocateMappingAddress(Ex)}. Page sets (or
 * slices of them) are mapped into it; every operation presents its pool tag, as the kernel requires.
 * Close it to free it with its own tag; the device refuses while it is still mapped.
 */
public final class Reservation implements AutoCloseable {

    private final Device device;
    private final long handle;
    private final long bytes;
    private final int pages;
    private final PoolTag tag;
    private final boolean divisible;
    private volatile boolean closed;

    Reservation(Device device, long handle, long bytes, int pages, PoolTag tag, boolean divisible) {
        this.device = device;
        this.handle = handle;
        this.bytes = bytes;
        this.pages = pages;
        this.tag = tag;
        this.divisible = divisible;
    }

    /** @return the reserved bytes, whole pages */
    public long bytes() {
        return bytes;
    }

    /** @return the reserved pages */
    public int pages() {
        return pages;
    }

    /** @return the pool tag it was reserved with */
    public PoolTag tag() {
        return tag;
    }

    /** @return whether parts of it can be mapped independently */
    public boolean divisible() {
        return divisible;
    }

    /**
     * Maps a whole page set at the start of this reservation ({@code MmMapLockedPagesWithReservedMapping}).
     *
     * @param set an open page set of the same device
     * @return the mapping
     * @throws ResMapException e.g. {@link NtStatus#STATUS_CONFLICTING_ADDRESSES} if already mapped,
     *     {@link NtStatus#STATUS_ALLOTTED_SPACE_EXCEEDED} if the set spans more pages than reserved
     */
    public Mapping map(PageSet set) {
        Objects.requireNonNull(set, "set");
        return map(set.all(), 0);
    }

    /**
     * Maps a slice of a page set (as a partial MDL) at the start of this reservation.
     *
     * @param slice a slice of an open page set of the same device
     * @return the mapping
     * @throws ResMapException e.g. {@link NtStatus#STATUS_END_OF_FILE} if the slice lies outside its set
     */
    public Mapping map(PageSlice slice) {
        return map(slice, 0);
    }

    /**
     * Maps a slice of a page set at a page-aligned offset of this (divisible) reservation.
     *
     * @param slice a slice of an open page set of the same device
     * @param reservationOffset page-aligned byte offset; must be 0 unless the reservation is divisible
     * @return the mapping
     * @throws ResMapException e.g. {@link NtStatus#STATUS_INVALID_PARAMETER} for a misaligned offset or a
     *     non-zero offset into a non-divisible reservation
     */
    public Mapping map(PageSlice slice, long reservationOffset) {
        Objects.requireNonNull(slice, "slice");
        Checks.notNegative("reservation offset", reservationOffset);
        ensureOpen();
        PageSet set = slice.pageSet();
        device.ensureOwns(set, set.device());
        set.ensureOpen();
        return device.mapReserved(this, slice, reservationOffset);
    }

    /**
     * @return what the device reports about this reservation
     * @throws IllegalStateException if it is closed
     */
    public ObjectInfo query() {
        ensureOpen();
        return device.query(this, handle);
    }

    /**
     * Frees the reservation ({@code MmFreeMappingAddress}) presenting the given tag.
     *
     * @param tag the tag to present; another than {@link #tag()} is refused
     * @throws ResMapException {@link NtStatus#STATUS_ACCESS_DENIED} for a wrong tag,
     *     {@link NtStatus#STATUS_INVALID_DEVICE_STATE} while mapped; the reservation then stays open
     */
    public void free(PoolTag tag) {
        Objects.requireNonNull(tag, "tag");
        ensureOpen();
        device.freeReservation(this, tag);
        closed = true;
    }

    /** Frees the reservation with its own tag, if still open. */
    @Override
    public void close() {
        if (!isClosed()) {
            free(tag);
        }
    }

    long handle() {
        return handle;
    }

    Device device() {
        return device;
    }

    void ensureOpen() {
        device.ensureOpen(this, closed);
    }

    private boolean isClosed() {
        return closed || device.closed();
    }

    /** @return e.g. {@code "reservation 0x0100000000000001 (8192 bytes, tag 'RsMp')"} */
    @Override
    public String toString() {
        return String.format("reservation 0x%016X (%d bytes, tag '%s'%s)", handle, bytes, tag,
                divisible ? ", divisible" : "");
    }
}
