package org.resmap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoolTagTest {

    @Test
    void firstCharacterIsTheLowByteAsWindowsShowsTags() {
        assertEquals(0x704D7352, PoolTag.of("RsMp").value(), "'RsMp' = 'R' | 's' << 8 | 'M' << 16 | 'p' << 24");
    }

    @Test
    void shortTagsArePaddedWithZeroBytes() {
        assertEquals(0x41, PoolTag.of("A").value());
        assertEquals(0x00434241, PoolTag.of("ABC").value());
    }

    @Test
    void toStringGivesTheCharactersBack() {
        for (String tag : new String[] {"RsMp", "A", "ab ", "Tag1", " ~!z"}) {
            assertEquals(tag, PoolTag.of(tag).toString(), "round trip of \"" + tag + "\"");
        }
    }

    @Test
    void toStringOfRawValuesEscapesUnprintableBytes() {
        assertEquals("\\x01", PoolTag.ofValue(1).toString());
        assertEquals("", PoolTag.ofValue(0).toString());
        assertEquals("R\\xFFM", PoolTag.ofValue(0x004DFF52).toString());
    }

    @Test
    void refusesBadCharacters() {
        assertThrows(NullPointerException.class, () -> PoolTag.of(null));
        assertThrows(IllegalArgumentException.class, () -> PoolTag.of(""));
        assertThrows(IllegalArgumentException.class, () -> PoolTag.of("TooLong"));
        assertThrows(IllegalArgumentException.class, () -> PoolTag.of("T\u00e9g"));
        assertThrows(IllegalArgumentException.class, () -> PoolTag.of("a\tb"));
    }

    @Test
    void ofValueKeepsAnyValueIncludingZero() {
        assertEquals(0, PoolTag.ofValue(0).value());
        assertEquals(-1, PoolTag.ofValue(-1).value());
        assertEquals(PoolTag.of("RsMp"), PoolTag.ofValue(0x704D7352));
    }
}
