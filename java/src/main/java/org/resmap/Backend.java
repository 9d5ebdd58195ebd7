package org.resmap;

/** Where a {@link ResMap}'s requests go. */
public enum Backend {
    /** The resmap kernel driver on Windows, through {@code \\.\ResMap} and {@code DeviceIoControl}. */
    KERNEL,
    /** The in-process simulator of the NT memory manager (libresmap-sim) with the same driver core. */
    SIMULATOR
}
