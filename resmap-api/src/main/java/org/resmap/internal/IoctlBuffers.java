package org.resmap.internal;

import java.nio.ByteBuffer;

/** The checks every transport makes on the buffers of a request before it leaves the JVM. */
final class IoctlBuffers {

    private IoctlBuffers() {
    }

    /**
     * @throws IllegalArgumentException if a length is negative, exceeds its buffer's capacity, or is
     *     non-zero without a buffer, or a buffer is not direct
     */
    static void check(ByteBuffer in, int inLength, ByteBuffer out, int outLength) {
        check("request", in, inLength);
        check("reply", out, outLength);
    }

    private static void check(String what, ByteBuffer buffer, int length) {
        if (length < 0) {
            throw new IllegalArgumentException(what + " length must not be negative, not " + length);
        }
        if (buffer == null) {
            if (length != 0) {
                throw new IllegalArgumentException(what + " length " + length + " without a buffer");
            }
            return;
        }
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException(what + " buffer must be direct");
        }
        if (length > buffer.capacity()) {
            throw new IllegalArgumentException(what + " length " + length + " exceeds its buffer's "
                    + buffer.capacity() + " bytes");
        }
    }
}
