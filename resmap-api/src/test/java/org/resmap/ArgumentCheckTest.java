package org.resmap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every argument error raises a Java exception before a request reaches the device. */
class ArgumentCheckTest {

    private static final PoolTag TAG = PoolTag.of("Test");

    private FakeTransport transport;
    private ResMap device;
    private Reservation reservation;
    private PageSet pages;
    private Mapping mapping;
    private UserBuffer buffer;

    @BeforeEach
    void openFakeDevice() {
        transport = new FakeTransport();
        device = ResMap.over(transport);
        reservation = device.reserve(8192, TAG);
        pages = device.allocatePages(8192, CachingType.CACHED);
        mapping = reservation.map(pages);
        buffer = device.allocateUserBuffer(8192);
    }

    private <T extends Throwable> T refusedLocally(Class<T> type, Executable call) {
        int before = transport.requests;
        T thrown = assertThrows(type, call);
        assertEquals(before, transport.requests, "the request reached the device: " + thrown.getMessage());
        return thrown;
    }

    @Test
    void sizesMustBePositiveAndRoundableToPages() {
        refusedLocally(IllegalArgumentException.class, () -> device.reserve(0, TAG));
        refusedLocally(IllegalArgumentException.class, () -> device.reserve(-1, TAG));
        refusedLocally(IllegalArgumentException.class, () -> device.reserve(Long.MAX_VALUE, TAG));
        refusedLocally(IllegalArgumentException.class, () -> device.reserveDivisible(0, TAG));
        refusedLocally(IllegalArgumentException.class, () -> device.allocatePages(0, CachingType.CACHED));
        refusedLocally(IllegalArgumentException.class, () -> device.allocatePages(Long.MAX_VALUE - 1, CachingType.CACHED));
        refusedLocally(IllegalArgumentException.class, () -> device.allocateUserBuffer(0));
        refusedLocally(IllegalArgumentException.class, () -> device.allocateUserBuffer(1L << 31));
    }

    @Test
    void nullsAreRefused() {
        refusedLocally(NullPointerException.class, () -> device.reserve(4096, null));
        refusedLocally(NullPointerException.class, () -> device.allocatePages(4096, null));
        refusedLocally(NullPointerException.class, () -> device.lock(null));
        refusedLocally(NullPointerException.class, () -> reservation.map((PageSet) null));
        refusedLocally(NullPointerException.class, () -> reservation.map((PageSlice) null));
        refusedLocally(NullPointerException.class, () -> reservation.free(null));
        refusedLocally(NullPointerException.class, () -> mapping.unmap(null));
        refusedLocally(NullPointerException.class, () -> mapping.read(0, (ByteBuffer) null));
        refusedLocally(NullPointerException.class, () -> mapping.write(0, (ByteBuffer) null));
        refusedLocally(NullPointerException.class, () -> mapping.read(0, null, 0, 1));
        refusedLocally(NullPointerException.class, () -> pages.mapOrdinary(null));
        refusedLocally(NullPointerException.class, () -> new PageSlice(null, 0, 0));
    }

    @Test
    void negativeAndOverflowingRangesAreRefused() {
        refusedLocally(IllegalArgumentException.class, () -> pages.slice(-1, 0));
        refusedLocally(IllegalArgumentException.class, () -> pages.slice(0, -1));
        refusedLocally(IllegalArgumentException.class, () -> pages.slice(Long.MAX_VALUE, 1));
        refusedLocally(IllegalArgumentException.class, () -> reservation.map(pages.all(), -4096));
        refusedLocally(IllegalArgumentException.class, () -> mapping.read(-1, 1));
        refusedLocally(IllegalArgumentException.class, () -> mapping.read(Long.MAX_VALUE, 2));
        refusedLocally(IllegalArgumentException.class, () -> mapping.write(Long.MAX_VALUE, ByteBuffer.allocate(2)));
        refusedLocally(IndexOutOfBoundsException.class, () -> mapping.read(0, new byte[4], 2, 3));
        refusedLocally(IndexOutOfBoundsException.class, () -> mapping.write(0, new byte[4], -1, 1));
        refusedLocally(IllegalArgumentException.class, () -> device.lock(buffer, 0, 0, true));
        refusedLocally(IllegalArgumentException.class, () -> device.lock(buffer, -1, 10, true));
        refusedLocally(IllegalArgumentException.class, () -> device.lock(buffer, 4096, 8192, true));
    }

    @Test
    void aDeviceOfAnotherProtocolVersionIsRefusedAndClosed() {
        FakeTransport older = new FakeTransport();
        older.protocolVersion = 1;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ResMap.over(older));
        assertTrue(e.getMessage().contains("speaks protocol version 1, this library version 2"), e.getMessage());
        assertTrue(e.getMessage().contains("use a driver and library from the same build"), e.getMessage());
        assertTrue(older.closed, "the transport of a refused device is closed");
    }

    @Test
    void benchArgumentsThatCannotBeRightNeverReachTheDevice() {
        refusedLocally(IllegalArgumentException.class, () -> device.bench(pages, reservation, 0));
        refusedLocally(IllegalArgumentException.class, () -> device.bench(pages, reservation, -5));
        refusedLocally(IllegalArgumentException.class,
                () -> device.bench(pages.all(), reservation, -4096, 1, Duration.ZERO));
        refusedLocally(IllegalArgumentException.class,
                () -> device.bench(pages.all(), null, 0, 1, Duration.ofSeconds(-1)));
    }

    @Test
    void objectsOfAnotherDeviceAreRefused() {
        try (ResMap other = ResMap.over(new FakeTransport())) {
            PageSet foreign = other.allocatePages(4096, CachingType.CACHED);
            UserBuffer foreignBuffer = other.allocateUserBuffer(4096);
            refusedLocally(IllegalArgumentException.class, () -> reservation.map(foreign));
            refusedLocally(IllegalArgumentException.class, () -> device.lock(foreignBuffer));
            refusedLocally(IllegalArgumentException.class, () -> pages.mapOrdinary(foreign.all()));
        }
    }

    @Test
    void useAfterCloseIsRefused() {
        mapping.close();
        IllegalStateException closed = refusedLocally(IllegalStateException.class, () -> mapping.read(0, 1));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        refusedLocally(IllegalStateException.class, () -> mapping.unmap(TAG));
        pages.close();
        refusedLocally(IllegalStateException.class, () -> reservation.map(pages));
        refusedLocally(IllegalStateException.class, pages::query);
        reservation.close();
        refusedLocally(IllegalStateException.class, () -> reservation.free(TAG));
        buffer.close();
        refusedLocally(IllegalStateException.class, () -> device.lock(buffer));
        refusedLocally(IllegalStateException.class, buffer::buffer);
    }

    @Test
    void closingAgainIsHarmless() {
        mapping.close();
        int before = transport.requests;
        mapping.close();
        pages.close();
        pages.close();
        assertEquals(before + 1, transport.requests, "a second close must not reach the device");
    }

    @Test
    void aClosedDeviceRefusesEverything() {
        device.close();
        int before = transport.requests;
        assertThrows(IllegalStateException.class, device::info);
        assertThrows(IllegalStateException.class, () -> device.reserve(4096, TAG));
        assertThrows(IllegalStateException.class, () -> mapping.read(0, 1));
        assertThrows(IllegalStateException.class, reservation::query);
        assertEquals(before, transport.requests);
        device.close();
    }

    @Test
    void aLockedUserBufferCannotBeFreed() {
        PageSet locked = device.lock(buffer);
        refusedLocally(IllegalStateException.class, buffer::close);
        locked.close();
        buffer.close();
    }

    @Test
    void transfersAreSplitAtTheDevicesLimit() {
        int before = transport.requests;
        mapping.read(0, 3 * 65536 + 1);
        assertEquals(before + 4, transport.requests, "3 full transfers and 1 byte");
        mapping.write(0, ByteBuffer.allocate(65536));
        assertEquals(before + 5, transport.requests);
    }
}
