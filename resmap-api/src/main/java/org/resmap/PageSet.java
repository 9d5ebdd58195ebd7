package org.resmap;

import java.util.Objects;

/**
 * Locked physical pages described by an MDL: either allocated by the driver
 * ({@code MmAllocatePagesForMdlEx}) or a range of the caller's {@link UserBuffer} locked in place
 * ({@code MmProbeAndLockPages}). It can be mapped whole or in {@link PageSlice}s, into a reservation
 * or ordinarily. Close it to release the pages; the device refuses while it is mapped.
 */
public final class PageSet implements AutoCloseable {

    private final Device device;
    private final long handle;
    private final long bytes;
    private final int pages;
    private final long byteOffset;
    private final CachingType caching;
    private final UserBuffer buffer;
    // One instance for every whole-set map, so mapping a whole set allocates no slice.
    private final PageSlice whole;
    private volatile boolean closed;

    PageSet(Device device, long handle, long bytes, int pages, long byteOffset, CachingType caching,
            UserBuffer buffer) {
        this.device = device;
        this.handle = handle;
        this.bytes = bytes;
        this.pages = pages;
        this.byteOffset = byteOffset;
        this.caching = caching;
        this.buffer = buffer;
        this.whole = new PageSlice(this, 0, 0);
    }

    /** @return the bytes the device reports: whole pages, or the locked length of a user buffer */
    public long bytes() {
        return bytes;
    }

    /** @return the pages spanned */
    public int pages() {
        return pages;
    }

    /** @return for a locked user buffer, its offset within its first page; otherwise 0 */
    public long byteOffset() {
        return byteOffset;
    }

    /** @return the caching type its mappings use ({@link CachingType#CACHED} for user buffers) */
    public CachingType caching() {
        return caching;
    }

    /** @return whether this is a locked user buffer rather than pages the driver allocated */
    public boolean userBuffer() {
        return buffer != null;
    }

    /**
     * @param offset byte offset within the page set
     * @param length bytes; 0 = from offset to the end
     * @return the slice (whether it lies inside the set is checked by the device when mapped)
     * @throws IllegalArgumentException if offset or length is negative or their sum overflows
     */
    public PageSlice slice(long offset, long length) {
        return new PageSlice(this, offset, length);
    }

    /** @return the whole page set as a slice */
    public PageSlice all() {
        return whole;
    }

    /**
     * Maps the whole page set ordinarily ({@code MmMapLockedPagesSpecifyCache}): the baseline that
     * fails when system PTEs are short, where a reserved mapping still succeeds.
     *
     * @return the mapping
     * @throws ResMapException {@link NtStatus#STATUS_INSUFFICIENT_RESOURCES} if the kernel refuses
     */
    public Mapping mapOrdinary() {
        return mapOrdinary(all());
    }

    /**
     * Maps a slice of this page set ordinarily.
     *
     * @param slice a slice of this page set
     * @return the mapping
     * @throws IllegalArgumentException if the slice is of another page set
     * @throws ResMapException if the device refuses
     */
    public Mapping mapOrdinary(PageSlice slice) {
        Objects.requireNonNull(slice, "slice");
        if (slice.pageSet() != this) {
            throw new IllegalArgumentException(slice + " is not a slice of " + this);
        }
        ensureOpen();
        return device.mapOrdinary(slice);
    }

    /**
     * @return what the device reports about this page set
     * @throws IllegalStateException if it is closed
     */
    public ObjectInfo query() {
        ensureOpen();
        return device.query(this, handle);
    }

    /**
     * Releases the pages (unlocks a user buffer, or frees allocated pages), if still open.
     *
     * @throws ResMapException {@link NtStatus#STATUS_SHARING_VIOLATION} while mapped; it then stays open
     */
    @Override
    public void close() {
        if (closed || device.closed()) {
            return;
        }
        device.releasePages(this);
        closed = true;
    }

    long handle() {
        return handle;
    }

    Device device() {
        return device;
    }

    UserBuffer buffer() {
        return buffer;
    }

    void ensureOpen() {
        device.ensureOpen(this, closed);
    }

    /** @return e.g. {@code "page set 0x0200000000000001 (8192 bytes, CACHED)"} */
    @Override
    public String toString() {
        return String.format("page set 0x%016X (%d bytes, %s%s)", handle, bytes,
                buffer != null ? "user buffer" : "allocated", buffer != null ? "" : ", " + caching);
    }
}
