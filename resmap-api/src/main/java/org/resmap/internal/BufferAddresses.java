package org.resmap.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * Native addresses of direct buffers, remembered for the last few buffers seen, so that passing the
 * same request and reply buffers to every call costs no lookup and no garbage.
 */
public final class BufferAddresses {

    private static final int SLOTS = 4;

    private final ByteBuffer[] buffers = new ByteBuffer[SLOTS];
    private final Pointer[] pointers = new Pointer[SLOTS];
    private int next;

    /**
     * @param buffer a direct buffer, or null
     * @return its native address (of index 0, whatever its position), or 0 for null
     * @throws IllegalArgumentException if the buffer is not direct
     */
    public long of(ByteBuffer buffer) {
        return Pointer.nativeValue(pointerOf(buffer));
    }

    /**
     * @param buffer a direct buffer, or null
     * @return a pointer to its index 0, or null for null
     * @throws IllegalArgumentException if the buffer is not direct
     */
    public Pointer pointerOf(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        for (int i = 0; i < SLOTS; i++) {
            if (buffers[i] == buffer) {
                return pointers[i];
            }
        }
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("the device needs a direct ByteBuffer");
        }
        Pointer pointer = Native.getDirectBufferPointer(buffer);
        buffers[next] = buffer;
        pointers[next] = pointer;
        next = (next + 1) % SLOTS;
        return pointer;
    }

    /** Forgets a buffer, so that its memory can be freed and reused without a stale address. */
    public void forget(ByteBuffer buffer) {
        for (int i = 0; i < SLOTS; i++) {
            if (buffers[i] == buffer) {
                buffers[i] = null;
                pointers[i] = null;
            }
        }
    }
}
