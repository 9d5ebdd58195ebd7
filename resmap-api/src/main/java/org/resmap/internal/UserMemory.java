package org.resmap.internal;

import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The user memory a transport has handed out and not yet freed: each buffer with the base address its
 * allocator returned, so that it can be freed one buffer at a time or all at once when the transport
 * closes. How a base is freed (the simulated machine, {@code VirtualFree}) is the transport's business.
 */
final class UserMemory {

    private final Map<ByteBuffer, Pointer> bases = new IdentityHashMap<>();
    private final BufferAddresses addresses;

    /** @param addresses the transport's address cache, which must forget a buffer once it is freed */
    UserMemory(BufferAddresses addresses) {
        this.addresses = addresses;
    }

    /** Records a buffer just allocated at {@code base}. */
    void add(ByteBuffer memory, Pointer base) {
        bases.put(memory, base);
    }

    /**
     * Frees one buffer; once freed, it is no longer tracked and its cached address is forgotten.
     *
     * @param release frees the memory at a base address, returning false if it could not
     * @return false if {@code release} failed (the buffer then stays tracked)
     * @throws IllegalArgumentException if the buffer is not one this transport handed out
     */
    boolean free(ByteBuffer memory, Predicate<Pointer> release) {
        Pointer base = bases.get(memory);
        if (base == null) {
            throw new IllegalArgumentException("not user memory of this device");
        }
        if (!release.test(base)) {
            return false;
        }
        bases.remove(memory);
        addresses.forget(memory);
        return true;
    }

    /** Frees every buffer still tracked, ignoring failures (the transport is closing), and forgets them all. */
    void freeAll(Predicate<Pointer> release) {
        for (Pointer base : bases.values()) {
            release.test(base);
        }
        bases.clear();
    }
}
