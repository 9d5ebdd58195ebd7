package org.resmap;

import java.util.Locale;

/** Where a {@link ResMap}'s requests go. */
public enum Backend {
    /** The resmap kernel driver on Windows, through {@code \\.\ResMap} and {@code NtDeviceIoControlFile}. */
    KERNEL,
    /** The in-process simulator of the NT memory manager (libresmap-sim) with the same driver core. */
    SIMULATOR;

    /**
     * @return the lower-case name that chooses this back end in {@code -Dresmap.backend} and
     *     {@code resmap --backend}, and that reports name it by: {@code kernel} or {@code simulator}
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
