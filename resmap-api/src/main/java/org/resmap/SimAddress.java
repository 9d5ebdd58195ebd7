package org.resmap;

import com.sun.jna.Pointer;

/**
 * An address inside a simulated machine, as its kernel functions take and return them ({@link KernelCalls}):
 * a system virtual address, an MDL, pool memory or simulated user memory. Opaque on purpose: it can be
 * offset and compared, but not read or written except through the machine, and its {@link #toString()} is
 * the only place the value shows.
 */
public final class SimAddress {

    private final long value;

    SimAddress(long value) {
        this.value = value;
    }

    /** @return the address, or null for a NULL pointer (as the kernel functions return it) */
    static SimAddress of(Pointer pointer) {
        return pointer == null ? null : new SimAddress(Pointer.nativeValue(pointer));
    }

    /** @return the pointer the native functions take; null stays NULL */
    static Pointer pointer(SimAddress address) {
        return address == null ? null : new Pointer(address.value);
    }

    /**
     * @param bytes how far to move; may be negative
     * @return this address plus {@code bytes}, e.g. {@code base.plus(4)} for "Base+4"
     */
    public SimAddress plus(long bytes) {
        return new SimAddress(value + bytes);
    }

    /** @return {@code this - origin} in bytes, e.g. how far a mapped address lies from its reservation's base */
    public long minus(SimAddress origin) {
        return value - origin.value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SimAddress address && address.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(value);
    }
}
