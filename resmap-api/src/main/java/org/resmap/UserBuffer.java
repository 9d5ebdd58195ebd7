package org.resmap;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * Page-aligned memory in this process that the device can lock as the caller's own buffer
 * ({@link ResMap#lock(UserBuffer)}): simulated user pages on the simulator, {@code VirtualAlloc}
 * memory on Windows. What the kernel writes through a mapping of the locked pages appears in
 * {@link #buffer()}, and the reverse.
 */
public final class UserBuffer implements AutoCloseable {

    private final Device device;
    private final ByteBuffer memory;
    private final long address;
    private int locks;
    private volatile boolean closed;

    UserBuffer(Device device, ByteBuffer memory) {
        this.device = device;
        this.memory = memory;
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(memory));
    }

    /**
     * @return a direct, little-endian buffer over exactly the bytes (a new view each call, position 0);
     *     it must not be used after this buffer or its device is closed, as the memory is then gone
     * @throws IllegalStateException if closed
     */
    public ByteBuffer buffer() {
        ensureOpen();
        return memory.duplicate().order(memory.order());
    }

    /** @return the size in bytes */
    public long bytes() {
        return memory.capacity();
    }

    /**
     * Frees the memory, if still open.
     *
     * @throws IllegalStateException while a page set still locks it
     */
    @Override
    public void close() {
        if (closed || device.closed()) {
            return;
        }
        synchronized (this) {
            if (locks > 0) {
                throw new IllegalStateException(this + " is still locked by " + locks
                        + " page set(s); close them first");
            }
        }
        device.freeUserBuffer(this);
        closed = true;
    }

    Device device() {
        return device;
    }

    long address() {
        return address;
    }

    /** The memory itself, as the transport handed it out. */
    ByteBuffer memory() {
        return memory;
    }

    synchronized void locked(int delta) {
        locks += delta;
    }

    void ensureOpen() {
        device.ensureOpen(this, closed);
    }

    /** @return e.g. {@code "user buffer (8192 bytes)"} */
    @Override
    public String toString() {
        return "user buffer (" + memory.capacity() + " bytes)";
    }
}
