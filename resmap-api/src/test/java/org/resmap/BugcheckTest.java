package org.resmap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The meanings named for the codes and sub-codes the simulator raises (docs/kernel-facts.md). */
class BugcheckTest {

    private static String meaning(int code, long p1) {
        return new Bugcheck(code, new long[] {p1, 0, 0, 0}).meaning();
    }

    @Test
    void verifierSubCodesOfTheMdlChecksAreNamed() {
        assertTrue(meaning(0xC4, 0xB0).contains("locked an MDL that is locked already"), meaning(0xC4, 0xB0));
        assertTrue(meaning(0xC4, 0xB2).contains("has a system mapping already"), meaning(0xC4, 0xB2));
        assertTrue(meaning(0xC4, 0x7E).contains("above DISPATCH_LEVEL"), meaning(0xC4, 0x7E));
    }

    @Test
    void pteMisuseSubCodesOutsideTheReservedFamilyAreNamed() {
        assertTrue(meaning(0xDA, 0x06).contains("not mapped there"), meaning(0xDA, 0x06));
        assertTrue(meaning(0xDA, 0x301).contains("reserved mapping"), meaning(0xDA, 0x301));
    }

    @Test
    void irqlFaultsAndPteExhaustionAreNamed() {
        assertTrue(meaning(0x0A, 0).startsWith("IRQL_NOT_LESS_OR_EQUAL"), meaning(0x0A, 0));
        assertTrue(meaning(0xD1, 0).startsWith("DRIVER_IRQL_NOT_LESS_OR_EQUAL"), meaning(0xD1, 0));
        assertTrue(meaning(0x3F, 0).startsWith("NO_MORE_SYSTEM_PTES"), meaning(0x3F, 0));
    }
}
