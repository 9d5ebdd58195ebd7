package org.resmap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's own view of its system PTEs and frames, and values written as the trace writes them. */
@DisabledIfSystemProperty(named = ResMap.BACKEND_PROPERTY, matches = "kernel",
        disabledReason = "simulator-only: the driver discloses no addresses or frames")
class AddressSpaceTest {

    private static final PoolTag TAG = PoolTag.of("RsMp");
    private static final int PAGE = 4096;

    @Test
    void aDivisibleReservationMappedTwiceShowsTheSameFramesTwice() {
        try (ResMap device = ResMap.open(Backend.SIMULATOR);
             Reservation ring = device.reserveDivisible(4L * PAGE, TAG);
             PageSet pages = device.allocatePages(2L * PAGE, CachingType.CACHED);
             Mapping first = ring.map(pages.all(), 0);
             Mapping second = ring.map(pages.all(), 2L * PAGE)) {
            AddressSpace space = device.simulator().orElseThrow().addressSpace();
            List<AddressSpace.Pte> ptes = space.ptes();
            assertEquals(AddressSpace.PteKind.HEADER, ptes.get(0).kind());
            assertEquals(AddressSpace.PteKind.HEADER, ptes.get(1).kind());
            for (int page = 0; page < 4; page++) {
                AddressSpace.Pte pte = ptes.get(2 + page);
                assertEquals(AddressSpace.PteKind.RESERVED, pte.kind(), "page " + page);
                assertEquals(2, pte.owner());
                assertEquals(TAG, pte.tag());
                assertTrue(pte.divisible());
            }
            assertEquals(ptes.get(2).frame(), ptes.get(4).frame(), "page 0 and page 2 show one frame");
            assertEquals(ptes.get(3).frame(), ptes.get(5).frame(), "page 1 and page 3 show one frame");
            assertFalse(ptes.get(2).frame().equals(ptes.get(3).frame()));
            assertEquals(5, space.lastUsedPte());

            AddressSpace.Frame frame = space.framesByNumber().get(ptes.get(3).frame().getAsLong());
            assertEquals(AddressSpace.FrameUse.ALLOCATED, frame.use());
            assertEquals(1, frame.page());
            assertEquals(2, frame.maps());
        }
    }

    @Test
    void valuesAreDescribedAsTheTraceWritesThem() {
        ResMap device = ResMap.open(Backend.SIMULATOR);
        Simulator simulator = device.simulator().orElseThrow();
        assertEquals("0x704D7352", simulator.describe(TAG.value() & 0xFFFFFFFFL));
        assertEquals("0x103", simulator.describe(0x103));
        device.close();
        assertThrows(IllegalStateException.class, simulator::addressSpace);
    }
}
