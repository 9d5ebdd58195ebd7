package org.resmap.internal;

import org.resmap.Backend;

import java.nio.ByteBuffer;

/**
 * One open handle on a resmap device: sends METHOD_BUFFERED requests and provides memory the device can
 * lock as the caller's own buffer. Implementations are not thread-safe; the caller serializes requests.
 */
public interface Transport extends AutoCloseable {

    /**
     * Sends one request.
     *
     * @param code an {@code IOCTL_RESMAP_*} code
     * @param in a direct buffer holding the request from position 0, or null when inLength is 0
     * @param inLength request bytes
     * @param out a direct buffer receiving the reply at position 0, or null when outLength is 0
     * @param outLength reply bytes the device may write
     * @return the number of reply bytes the device wrote
     * @throws org.resmap.ResMapException with the device's status when the request fails
     */
    int ioctl(int code, ByteBuffer in, int inLength, ByteBuffer out, int outLength);

    /** @return which back end this transport talks to */
    Backend backend();

    /**
     * Allocates page-aligned memory in this process that the device can lock as a user buffer.
     *
     * @param bytes at least 1
     * @return a direct buffer over exactly those bytes
     * @throws org.resmap.ResMapException with {@code STATUS_INSUFFICIENT_RESOURCES} when none is left
     */
    ByteBuffer allocateUserMemory(long bytes);

    /**
     * Frees memory from {@link #allocateUserMemory(long)}.
     *
     * @param memory the buffer it returned
     * @return false if the back end refused (the memory is still locked)
     */
    boolean freeUserMemory(ByteBuffer memory);

    /** Closes the handle; the device then unmaps, releases and frees whatever the handle still holds. */
    @Override
    void close();
}
