package com.example.window;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.resmap.CachingType;
import org.resmap.KernelCalls;
import org.resmap.Mapping;
import org.resmap.NtStatus;
import org.resmap.PageSet;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.ResMapException;
import org.resmap.Reservation;
import org.resmap.SimAddress;
import org.resmap.UserBuffer;
import org.resmap.junit.AcrossBuilds;
import org.resmap.junit.ExpectBugcheck;
import org.resmap.junit.Machine;
import org.resmap.junit.ResMapTest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each test gets its own fresh device from the resmap extension (a simulated machine unless
 * -Dresmap.backend=kernel), and fails if the machine bugchecks or if anything is left open.
 */
@ResMapTest
class CopyWindowTest {

    private static final PoolTag TAG = PoolTag.of("CpyW");

    @AcrossBuilds
    void copiesACallersBufferThroughATwoPageWindow(ResMap device) {
        int size = 10 * device.info().pageSize() + 100;
        try (UserBuffer buffer = device.allocateUserBuffer(size);
             PageSet locked = device.lock(buffer, 0, size, false);
             CopyWindow window = new CopyWindow(device, 2, TAG)) {
            byte[] expected = pattern(size);
            buffer.buffer().put(expected);
            assertArrayEquals(expected, window.copyOut(locked));
        }
    }

    @Test
    @Machine(systemPtes = 64)
    void theWindowStillMapsAfterOrdinaryMappingsUsedUpTheSystemPtes(ResMap device) {
        int page = device.info().pageSize();
        try (CopyWindow window = new CopyWindow(device, 2, TAG);
             PageSet source = device.allocatePages(3L * page, CachingType.CACHED);
             PageSet filler = device.allocatePages(page, CachingType.CACHED)) {
            List<Mapping> ordinary = new ArrayList<>();
            ResMapException refused = assertThrows(ResMapException.class, () -> {
                while (true) {
                    ordinary.add(filler.mapOrdinary());
                }
            });
            assertEquals(NtStatus.STATUS_INSUFFICIENT_RESOURCES, refused.status());

            assertEquals(3 * page, window.copyOut(source).length, "the reserved window needs no new PTEs");
            ordinary.forEach(Mapping::close);
        }
    }

    @Test
    void theDeviceRefusesToFreeTheWindowWhileAChunkIsMapped(ResMap device) {
        try (Reservation window = device.reserve(device.info().pageSize(), TAG);
             PageSet pages = device.allocatePages(device.info().pageSize(), CachingType.CACHED);
             Mapping chunk = window.map(pages)) {
            ResMapException refused = assertThrows(ResMapException.class, () -> window.free(TAG));
            assertEquals(NtStatus.STATUS_INVALID_DEVICE_STATE, refused.status());
        }
    }

    /** What Windows itself does with the same mistake, on the simulator's kernel functions. */
    @Test
    @ExpectBugcheck(value = 0xDA, parameter1 = 0x103)
    void windowsBugchecksWhenADriverFreesAMappedWindow(ResMap device) {
        KernelCalls kernel = device.simulator().orElseThrow().kernel();
        SimAddress window = kernel.mmAllocateMappingAddress(device.info().pageSize(), TAG);
        SimAddress mdl = kernel.mmAllocatePagesForMdlEx(device.info().pageSize(), 1, 0);
        kernel.mmMapLockedPagesWithReservedMapping(window, TAG, mdl, 1);
        kernel.mmFreeMappingAddress(window, TAG);
    }

    private static byte[] pattern(int size) {
        ByteBuffer bytes = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) {
            bytes.put((byte) (i * 31 + 7));
        }
        return bytes.array();
    }
}
