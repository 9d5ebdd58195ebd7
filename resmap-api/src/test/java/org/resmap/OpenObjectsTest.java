package org.resmap;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link ResMap#openObjects()}: what leak checks see, on whichever back end {@link ResMap#open()} picks. */
class OpenObjectsTest {

    private static final PoolTag TAG = PoolTag.of("Open");

    @Test
    void listsWhatIsStillOpenMappingsFirstAndNothingOnceClosed() {
        ResMap device = ResMap.open();
        try (device) {
            assertEquals(List.of(), device.openObjects());
            Reservation reservation = device.reserve(8192, TAG);
            PageSet pages = device.allocatePages(4096, CachingType.CACHED);
            Mapping mapping = reservation.map(pages);
            UserBuffer buffer = device.allocateUserBuffer(4096);
            assertEquals(List.of(mapping, pages, reservation, buffer), device.openObjects());

            mapping.close();
            buffer.close();
            assertEquals(List.of(pages, reservation), device.openObjects());
        }
        assertEquals(List.of(), device.openObjects());
    }
}
