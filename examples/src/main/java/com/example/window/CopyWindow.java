package com.example.window;

import org.resmap.Mapping;
import org.resmap.PageSet;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.Reservation;

/**
 * Copies a page set out through a small window of system address space reserved once, up front, one
 * window-sized chunk at a time: the pattern drivers use so that a copy can never fail later for lack of
 * system PTEs (MmAllocateMappingAddress at start-up, MmMapLockedPagesWithReservedMapping per chunk).
 */
public final class CopyWindow implements AutoCloseable {

    private final Reservation window;

    /**
     * Reserves the window.
     *
     * @param device the resmap device
     * @param pages the window's size in pages
     * @param tag the pool tag the window is reserved, mapped and unmapped with
     */
    public CopyWindow(ResMap device, int pages, PoolTag tag) {
        this.window = device.reserve((long) pages * device.info().pageSize(), tag);
    }

    /**
     * @param source locked or allocated pages
     * @return their bytes, read through the window
     */
    public byte[] copyOut(PageSet source) {
        if (source.bytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("at most 2 GiB at a time, not " + source.bytes() + " bytes");
        }
        byte[] copy = new byte[(int) source.bytes()];
        for (long offset = 0; offset < source.bytes(); offset += window.bytes()) {
            long length = Math.min(window.bytes(), source.bytes() - offset);
            try (Mapping chunk = window.map(source.slice(offset, length))) {
                chunk.read(0, copy, (int) offset, (int) length);
            }
        }
        return copy;
    }

    /** @return the window's size in bytes */
    public long bytes() {
        return window.bytes();
    }

    /** Frees the window (nothing may be mapped in it any more). */
    @Override
    public void close() {
        window.close();
    }
}
