/**
 * The resmap API: {@link org.resmap.ResMap} and the objects it hands out, over either back end (the
 * kernel driver through DeviceIoControl, or the simulator in-process). Only {@code org.resmap} is
 * exported; the wire protocol and both transports stay inside this module.
 */
module org.resmap {
    requires com.sun.jna;
    requires com.sun.jna.platform;

    exports org.resmap;

    // JNA reads and writes the wire structs' fields and proxies the native libraries by reflection.
    opens org.resmap.internal to com.sun.jna;
}
