package org.resmap.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * The functions of libresmap-sim ({@code resmap_sim.h}) that a device uses on its request path and
 * over its lifetime, bound by JNA direct mapping: measured several times cheaper per call than
 * interface mapping, and without per-call garbage when arguments are primitives
 * ({@link #resmap_sim_ioctl} takes raw addresses for that reason). Direct mapping resolves every
 * symbol when the class loads, so only functions every device needs are here; the diagnostics and
 * the simulated kernel functions are in {@link SimLibrary}, resolved when first called.
 */
public final class SimNative {

    /** The library name JNA resolves: {@code libresmap-sim.so} under {@code linux-x86-64/} on the class path. */
    public static final String LIBRARY = "resmap-sim";

    static {
        Native.register(SimNative.class, LIBRARY);
    }

    private SimNative() {
    }

    /** {@code resmap_sim_config}. */
    @Structure.FieldOrder({"struct_size", "windows_build", "physical_pages", "system_ptes", "pool_bytes", "flags"})
    public static final class Config extends Structure {
        public int struct_size;
        public int windows_build;
        public int physical_pages;
        public int system_ptes;
        public int pool_bytes;
        public int flags;
    }

    /** {@code resmap_sim_counters}. */
    @Structure.FieldOrder({"reservations", "reserved_pages", "reserved_mapped_pages", "ordinary_mappings",
            "ordinary_mapped_pages", "ptes_used", "ptes_total", "frames_allocated", "frames_user",
            "frames_locked", "frames_total", "mdls", "pool_allocations", "pool_bytes", "user_buffers",
            "sessions", "calls"})
    public static final class Counters extends Structure {
        public long reservations;
        public long reserved_pages;
        public long reserved_mapped_pages;
        public long ordinary_mappings;
        public long ordinary_mapped_pages;
        public long ptes_used;
        public long ptes_total;
        public long frames_allocated;
        public long frames_user;
        public long frames_locked;
        public long frames_total;
        public long mdls;
        public long pool_allocations;
        public long pool_bytes;
        public long user_buffers;
        public long sessions;
        public long calls;
    }

    public static final int FLAG_NO_VERIFIER = 0x1;
    public static final int FLAG_TRACE = 0x2;
    /** {@code RESMAP_SIM_STATUS_BUGCHECKED}. */
    public static final int STATUS_BUGCHECKED = 0xE0DA0BCE;

    static native Pointer resmap_sim_create(Config cfg);

    static native void resmap_sim_destroy(Pointer machine);

    static native void resmap_sim_select(Pointer machine);

    static native int resmap_sim_bugcheck(Pointer machine, int[] code, long[] params);

    static native int resmap_sim_get_counters(Pointer machine, Counters out);

    static native Pointer resmap_sim_user_alloc(Pointer machine, long bytes);

    static native int resmap_sim_user_free(Pointer machine, Pointer p);

    static native Pointer resmap_sim_open(Pointer machine);

    static native int resmap_sim_ioctl(long session, int code, long in, int inLen, long out, int outLen,
                                       long bytesReturned);

    static native void resmap_sim_close(Pointer session);

    /** @return the native side's {@code name=value} description of the protocol */
    public static native String resmap_sim_protocol_layout();
}
