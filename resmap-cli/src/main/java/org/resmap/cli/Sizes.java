package org.resmap.cli;

import java.util.Locale;

/** Byte counts as people read them. */
final class Sizes {

    private Sizes() {
    }

    /** @return e.g. {@code "4 KiB"}, {@code "64 MiB"}, {@code "12288 bytes"} */
    static String text(long bytes) {
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return String.format(Locale.ROOT, "%d MiB", bytes >> 20);
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return String.format(Locale.ROOT, "%d KiB", bytes >> 10);
        }
        return bytes + " bytes";
    }
}
