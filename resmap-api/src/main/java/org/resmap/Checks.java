package org.resmap;

import java.util.Objects;

/** Argument checks made before anything reaches the device, with messages that name the argument. */
final class Checks {

    private Checks() {
    }

    static long positive(String what, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be at least 1, not " + value);
        }
        return value;
    }

    static long notNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative, not " + value);
        }
        return value;
    }

    /** Checks offset and length are not negative and offset + length does not overflow. */
    static void range(String what, long offset, long length) {
        notNegative(what + " offset", offset);
        notNegative(what + " length", length);
        if (offset + length < 0) {
            throw new IllegalArgumentException(what + " offset " + offset + " + length " + length + " overflows");
        }
    }

    /** Checks [off, off + len) lies within an array of the given length. */
    static void arrayRange(byte[] array, int off, int len) {
        Objects.requireNonNull(array, "array");
        Objects.checkFromIndexSize(off, len, array.length);
    }

    /** Checks a byte count rounds up to whole pages without overflowing. */
    static long pageRoundable(String what, long bytes, int pageSize) {
        positive(what, bytes);
        if (bytes > Long.MAX_VALUE - pageSize) {
            throw new IllegalArgumentException(what + " " + bytes + " overflows when rounded up to whole pages");
        }
        return bytes;
    }
}
