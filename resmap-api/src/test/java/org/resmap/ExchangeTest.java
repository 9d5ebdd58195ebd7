package org.resmap;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** {@link Exchange#repeatableOutputHex}: what a replay compares. */
class ExchangeTest {

    private static String benchReply(long ticks, int cycles) {
        byte[] reply = new byte[80];
        reply[0] = 0x40;                                    // Frequency
        for (int field = 1; field < 8; field++) {           // ElapsedTicks .. OrdinaryMaxTicks
            reply[8 * field] = (byte) (ticks + field);
        }
        reply[64] = (byte) cycles;                          // Cycles
        reply[68] = 16;                                     // Pages
        reply[72] = 3;                                      // Flags
        return HexFormat.of().formatHex(reply);
    }

    @Test
    void aBenchReplysTicksAreLeftOutAndEverythingElseKept() {
        assertEquals(Exchange.repeatableOutputHex("IOCTL_RESMAP_BENCH", benchReply(10, 8)),
                Exchange.repeatableOutputHex("IOCTL_RESMAP_BENCH", benchReply(99, 8)));
        assertNotEquals(Exchange.repeatableOutputHex("IOCTL_RESMAP_BENCH", benchReply(10, 8)),
                Exchange.repeatableOutputHex("IOCTL_RESMAP_BENCH", benchReply(10, 7)));
        String reply = benchReply(10, 8);
        assertEquals(reply.substring(0, 16), Exchange.repeatableOutputHex("IOCTL_RESMAP_BENCH", reply).substring(0, 16));
        assertEquals(reply.length(), Exchange.repeatableOutputHex("IOCTL_RESMAP_BENCH", reply).length());
    }

    @Test
    void otherRepliesAndShortOnesAreComparedWhole() {
        String reply = benchReply(10, 8);
        assertEquals(reply, Exchange.repeatableOutputHex("IOCTL_RESMAP_QUERY", reply));
        assertEquals("", Exchange.repeatableOutputHex("IOCTL_RESMAP_BENCH", ""));
    }
}
