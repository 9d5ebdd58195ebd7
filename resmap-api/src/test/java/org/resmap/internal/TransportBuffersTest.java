package org.resmap.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The parts of the transports that need no device: buffer checks, address caching, status mapping. */
class TransportBuffersTest {

    @Test
    void requestBuffersAreChecked() {
        ByteBuffer direct = ByteBuffer.allocateDirect(16);
        assertDoesNotThrow(() -> IoctlBuffers.check(direct, 16, null, 0));
        assertThrows(IllegalArgumentException.class, () -> IoctlBuffers.check(direct, 17, null, 0));
        assertThrows(IllegalArgumentException.class, () -> IoctlBuffers.check(direct, -1, null, 0));
        assertThrows(IllegalArgumentException.class, () -> IoctlBuffers.check(null, 0, null, 1));
        assertThrows(IllegalArgumentException.class, () -> IoctlBuffers.check(ByteBuffer.allocate(16), 8, null, 0));
    }

    @Test
    void addressesAreThoseOfTheBuffersAndRemembered() {
        BufferAddresses addresses = new BufferAddresses();
        ByteBuffer a = ByteBuffer.allocateDirect(64);
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        assertEquals(Pointer.nativeValue(Native.getDirectBufferPointer(a)), addresses.of(a));
        assertEquals(Pointer.nativeValue(Native.getDirectBufferPointer(b)), addresses.of(b));
        assertSame(addresses.pointerOf(a), addresses.pointerOf(a), "the second lookup reuses the first pointer");
        assertEquals(0, addresses.of(null));
        assertNull(addresses.pointerOf(null));
        assertThrows(IllegalArgumentException.class, () -> addresses.of(ByteBuffer.allocate(8)));
        a.position(10);
        assertEquals(Pointer.nativeValue(Native.getDirectBufferPointer(b)), addresses.of(b),
                "the address is of index 0 whatever the position");
    }

    @Test
    void aForgottenBufferIsLookedUpAfresh() {
        BufferAddresses addresses = new BufferAddresses();
        ByteBuffer a = ByteBuffer.allocateDirect(64);
        Pointer first = addresses.pointerOf(a);
        addresses.forget(a);
        assertEquals(Pointer.nativeValue(first), addresses.of(a));
    }
}
