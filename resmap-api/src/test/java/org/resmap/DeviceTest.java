package org.resmap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API against whichever back end {@link ResMap#open()} picks: the simulator here, the driver on
 * Windows with {@code -Dresmap.backend=kernel} (which then fails, not skips, if the driver is missing).
 */
class DeviceTest {

    private static final PoolTag TAG = PoolTag.of("RsMp");
    private static final int PAGE = 4096;

    private ResMap device;

    @BeforeEach
    void open() {
        device = ResMap.open();
    }

    @AfterEach
    void close() {
        device.close();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static ResMapException refused(NtStatus expected, Executable call) {
        ResMapException e = assertThrows(ResMapException.class, call);
        assertSame(expected, e.status(), e.getMessage());
        assertEquals(expected.value(), e.ntstatus());
        assertTrue(e.getMessage().contains(expected.name()), e.getMessage());
        return e;
    }

    @Test
    void aBufferLockedForReadingIsReadThroughItsMappingsButNeverWritten() {
        try (UserBuffer buffer = device.allocateUserBuffer(PAGE)) {
            buffer.buffer().put(0, ascii("caller"));
            try (PageSet locked = device.lock(buffer, 0, PAGE, false);
                 Reservation reservation = device.reserve(PAGE, TAG);
                 Mapping reserved = reservation.map(locked);
                 Mapping ordinary = locked.mapOrdinary()) {
                assertTrue((locked.query().flags() & org.resmap.internal.Protocol.PAGE_SET_READ_ONLY) != 0);
                for (Mapping mapping : List.of(reserved, ordinary)) {
                    assertEquals("caller", new String(mapping.read(0, 6), StandardCharsets.US_ASCII));
                    ResMapException e = refused(NtStatus.STATUS_MEDIA_WRITE_PROTECTED,
                            () -> mapping.write(0, ascii("kernel"), 0, 6));
                    assertTrue(e.getMessage().contains("writable"), e.getMessage());
                }
                byte[] seen = new byte[6];
                buffer.buffer().get(0, seen);
                assertEquals("caller", new String(seen, StandardCharsets.US_ASCII), "the buffer was written");
            }
            try (PageSet writable = device.lock(buffer, 0, PAGE, true); Mapping mapping = writable.mapOrdinary()) {
                mapping.write(0, ascii("kernel"), 0, 6);
                assertEquals("kernel", new String(mapping.read(0, 6), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void infoDescribesTheDeviceAndCountsThisHandlesObjects() {
        DeviceInfo empty = device.info();
        assertEquals(2, empty.protocolVersion());
        assertEquals(PAGE, empty.pageSize());
        assertEquals(65536, empty.maxTransfer());
        assertEquals(0, empty.liveReservations());
        try (Reservation r = device.reserve(1, TAG); PageSet p = device.allocatePages(PAGE, CachingType.CACHED)) {
            DeviceInfo busy = device.info();
            assertEquals(1, busy.liveReservations());
            assertEquals(1, busy.livePageSets());
            assertEquals(PAGE, busy.reservedBytes(), "1 byte reserves a whole page");
            assertEquals(PAGE, busy.pageSetBytes());
        }
        assertEquals(0, device.info().liveReservations());
    }

    @Test
    void reservationLifecycleIsVisibleInQueries() {
        try (Reservation reservation = device.reserve(3 * PAGE - 100, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.WRITE_COMBINED)) {
            assertEquals(3 * PAGE, reservation.bytes());
            assertEquals(3, reservation.pages());
            assertFalse(reservation.divisible());
            ObjectInfo reserved = reservation.query();
            assertEquals(ObjectType.RESERVATION, reserved.type());
            assertEquals(ObjectState.RESERVED, reserved.state());
            assertEquals(TAG, reserved.tag());
            assertEquals(ObjectState.LOCKED, pages.query().state());
            assertEquals(CachingType.WRITE_COMBINED.value(), pages.query().cachingType());

            try (Mapping mapping = reservation.map(pages)) {
                assertTrue(mapping.reserved());
                assertSame(reservation, mapping.reservation().orElseThrow());
                assertSame(pages, mapping.pageSet());
                assertEquals(2 * PAGE, mapping.bytes());
                assertEquals(0, mapping.offsetInReservation());
                assertEquals(ObjectState.MAPPED, reservation.query().state());
                assertEquals(1, reservation.query().mappingCount());
                assertEquals(ObjectState.MAPPED, pages.query().state());
                assertEquals(ObjectType.RESERVED_MAPPING, mapping.query().type());
            }
            assertEquals(ObjectState.RESERVED, reservation.query().state());
            assertEquals(ObjectState.LOCKED, pages.query().state());
        }
    }

    @Test
    void allocatedPagesAreZeroed() {
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED, true);
             Mapping mapping = reservation.map(pages)) {
            assertArrayEquals(new byte[PAGE], mapping.read(0, PAGE));
        }
    }

    @Test
    void aSliceMapsAtItsByteOffsetInTheReservation() {
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(3 * PAGE, CachingType.CACHED);
             Mapping whole = pages.mapOrdinary();
             Mapping slice = reservation.map(pages.slice(PAGE + 16, 100))) {
            assertEquals(100, slice.bytes());
            assertEquals(16, slice.offsetInReservation(), "the partial MDL's byte offset within its first page");
            slice.write(0, ascii("through the slice"), 0, 17);
            assertEquals("through the slice",
                    new String(whole.read(PAGE + 16, 17), StandardCharsets.US_ASCII));
            refused(NtStatus.STATUS_END_OF_FILE, () -> slice.read(90, 11));
        }
    }

    @Test
    void aSliceToTheEndSpansTheRestOfThePageSet() {
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
             Mapping tail = reservation.map(pages.slice(PAGE + 1, 0))) {
            assertEquals(PAGE - 1, tail.bytes());
            assertEquals(1, tail.offsetInReservation());
        }
    }

    @Test
    void writesThroughOneMappingAreSeenThroughEveryOther() {
        try (Reservation first = device.reserve(2 * PAGE, TAG);
             Reservation second = device.reserve(2 * PAGE, PoolTag.of("Two"));
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
             Mapping a = first.map(pages);
             Mapping b = second.map(pages);
             Mapping ordinary = pages.mapOrdinary()) {
            assertFalse(ordinary.reserved());
            assertTrue(ordinary.reservation().isEmpty());
            a.write(PAGE - 3, ascii("straddles"), 0, 9);
            assertEquals("straddles", new String(b.read(PAGE - 3, 9), StandardCharsets.US_ASCII));
            assertEquals("straddles", new String(ordinary.read(PAGE - 3, 9), StandardCharsets.US_ASCII));
            ordinary.write(0, ascii("back"), 0, 4);
            assertEquals("back", new String(a.read(0, 4), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void largeTransfersAreSplitAndArriveWhole() {
        int bytes = 3 * 65536 + 123;
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        try (Reservation reservation = device.reserve(bytes, TAG);
             PageSet pages = device.allocatePages(bytes, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            mapping.write(0, data, 0, bytes);
            assertArrayEquals(data, mapping.read(0, bytes));

            ByteBuffer direct = ByteBuffer.allocateDirect(bytes);
            mapping.read(0, direct);
            assertEquals(bytes, direct.position());
            direct.flip();
            ByteBuffer heap = ByteBuffer.allocate(bytes);
            heap.put(direct).flip();
            assertArrayEquals(data, heap.array());

            ByteBuffer zeros = ByteBuffer.allocate(70000);
            mapping.write(100, zeros);
            assertFalse(zeros.hasRemaining());
            assertArrayEquals(new byte[70000], mapping.read(100, 70000));
            assertEquals(data[99], mapping.read(99, 1)[0]);
            assertEquals(data[70100], mapping.read(70100, 1)[0]);
        }
    }

    @Test
    void aLockedUserBufferSeesKernelWritesAndTheReverse() {
        try (UserBuffer buffer = device.allocateUserBuffer(3 * PAGE)) {
            ByteBuffer memory = buffer.buffer();
            assertTrue(memory.isDirect());
            assertEquals(3 * PAGE, memory.capacity());
            assertEquals(3 * PAGE, buffer.bytes());
            try (PageSet locked = device.lock(buffer, 100, 5000, true);
                 Reservation reservation = device.reserve(2 * PAGE, TAG);
                 Mapping mapping = reservation.map(locked)) {
                assertTrue(locked.userBuffer());
                assertEquals(100, locked.byteOffset());
                assertEquals(2, locked.pages());
                assertEquals(5000, mapping.bytes());
                assertEquals(100, mapping.offsetInReservation());

                mapping.write(0, ascii("from the kernel"), 0, 15);
                byte[] seen = new byte[15];
                memory.get(100, seen);
                assertEquals("from the kernel", new String(seen, StandardCharsets.US_ASCII));

                memory.put(100 + 4096, ascii("from java"));
                assertEquals("from java", new String(mapping.read(4096, 9), StandardCharsets.US_ASCII));
                assertThrows(IllegalStateException.class, buffer::close, "a locked buffer cannot be freed");
            }
        }
    }

    @Test
    void aMappingCanBeUnmappedAndMappedAgainAtTheSamePlace() {
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(pages.slice(PAGE + 8, 16))) {
            mapping.write(0, ascii("kept in the page"), 0, 16);
            mapping.close();
            assertFalse(mapping.isMapped());
            assertThrows(IllegalStateException.class, () -> mapping.read(0, 1), "an unmapped mapping reads nothing");
            assertEquals(ObjectState.RESERVED, reservation.query().state());

            mapping.remap();
            assertTrue(mapping.isMapped());
            assertEquals(8, mapping.offsetInReservation());
            assertEquals("kept in the page", new String(mapping.read(0, 16), StandardCharsets.US_ASCII),
                    "the same pages show through the new mapping");
            assertEquals(ObjectState.MAPPED, reservation.query().state());
            assertThrows(IllegalStateException.class, mapping::remap, "a mapped mapping cannot be mapped again");
        }
    }

    @Test
    void aReadOnlyLockRefusesNothingToReads() {
        try (UserBuffer buffer = device.allocateUserBuffer(PAGE)) {
            buffer.buffer().put(0, ascii("ro"));
            try (PageSet locked = device.lock(buffer, 0, PAGE, false); Mapping mapping = locked.mapOrdinary()) {
                assertEquals("ro", new String(mapping.read(0, 2), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void divisibleReservationsMapPartsIndependently() {
        if (!device.info().divisibleSupported()) {
            refused(NtStatus.STATUS_NOT_SUPPORTED, () -> device.reserveDivisible(2 * PAGE, TAG));
            return;
        }
        try (Reservation ring = device.reserveDivisible(4 * PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
             Mapping low = ring.map(pages.all(), 0);
             Mapping high = ring.map(pages.all(), 2 * PAGE)) {
            assertTrue(ring.divisible());
            assertEquals(2 * PAGE, high.offsetInReservation());
            low.write(2 * PAGE - 2, ascii("wrap"), 0, 2);
            high.write(0, ascii("ap"), 0, 2);
            assertEquals("ap", new String(low.read(0, 2), StandardCharsets.US_ASCII),
                    "the same pages at base and base + size: a ring buffer without wrap-around");
            assertEquals(2, ring.query().mappingCount());
            refused(NtStatus.STATUS_INVALID_PARAMETER, () -> ring.map(pages.all(), 100));
        }
    }

    @Test
    void everyRefusalSurfacesWithItsStatus() {
        PoolTag wrong = PoolTag.of("Oops");
        try (Reservation small = device.reserve(PAGE, TAG);
             Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED)) {
            refused(NtStatus.STATUS_ALLOTTED_SPACE_EXCEEDED, () -> small.map(pages));
            refused(NtStatus.STATUS_END_OF_FILE, () -> reservation.map(pages.slice(2 * PAGE, 1)));
            refused(NtStatus.STATUS_INVALID_PARAMETER, () -> reservation.map(pages.all(), PAGE));
            refused(NtStatus.STATUS_INVALID_PARAMETER, () -> device.reserve(PAGE, PoolTag.ofValue(0)));
            refused(NtStatus.STATUS_QUOTA_EXCEEDED, () -> device.reserve(device.info().maxReservedBytes() + 1, TAG));
            refused(NtStatus.STATUS_ACCESS_DENIED, () -> reservation.free(wrong));

            Mapping mapping = reservation.map(pages);
            refused(NtStatus.STATUS_CONFLICTING_ADDRESSES, () -> reservation.map(pages));
            refused(NtStatus.STATUS_INVALID_DEVICE_STATE, reservation::close);
            refused(NtStatus.STATUS_SHARING_VIOLATION, pages::close);
            ResMapException wrongTag = refused(NtStatus.STATUS_ACCESS_DENIED, () -> mapping.unmap(wrong));
            assertTrue(wrongTag.getMessage().contains("Oops"), wrongTag.getMessage());
            refused(NtStatus.STATUS_END_OF_FILE, () -> mapping.read(2 * PAGE - 1, 2));

            mapping.unmap(TAG);
            assertThrows(IllegalStateException.class, () -> mapping.read(0, 1));
        }
        assertEquals(0, device.info().liveReservations(), "refused frees left the objects usable and closable");
    }

    @Test
    void closingTheDeviceClosesEverything() {
        Reservation reservation = device.reserve(2 * PAGE, TAG);
        PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
        Mapping mapping = reservation.map(pages);
        Mapping ordinary = pages.mapOrdinary();
        UserBuffer buffer = device.allocateUserBuffer(PAGE);
        PageSet locked = device.lock(buffer);

        device.close();

        assertThrows(IllegalStateException.class, device::info);
        assertThrows(IllegalStateException.class, () -> mapping.read(0, 1));
        assertThrows(IllegalStateException.class, ordinary::query);
        assertThrows(IllegalStateException.class, pages::query);
        assertThrows(IllegalStateException.class, locked::query);
        assertThrows(IllegalStateException.class, reservation::query);
        assertThrows(IllegalStateException.class, buffer::buffer);
        mapping.close();
        reservation.close();
        buffer.close();
        device.close();
    }

    @Test
    void readsIntoPartOfAnArray() {
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            mapping.write(10, ascii("abcdef"), 1, 4);
            byte[] dst = new byte[8];
            Arrays.fill(dst, (byte) '.');
            mapping.read(10, dst, 2, 4);
            assertEquals("..bcde..", new String(dst, StandardCharsets.US_ASCII));
        }
    }
}
