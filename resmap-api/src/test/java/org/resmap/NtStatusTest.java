package org.resmap;

import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NtStatusTest {

    /** The statuses the device may return: every constant but the simulator's own and UNKNOWN. */
    private static final Set<NtStatus> DEVICE_STATUSES =
            EnumSet.complementOf(EnumSet.of(NtStatus.RESMAP_SIM_STATUS_BUGCHECKED, NtStatus.UNKNOWN));

    private static final File PROTOCOL_HEADER = new File("../native-driver/include/resmap_protocol.h");

    @Test
    void valuesRoundTrip() {
        for (NtStatus status : DEVICE_STATUSES) {
            assertSame(status, NtStatus.fromValue(status.value()), status.name());
        }
        assertSame(NtStatus.RESMAP_SIM_STATUS_BUGCHECKED, NtStatus.fromValue(0xE0DA0BCE));
    }

    @Test
    void unknownValuesGiveUnknown() {
        assertSame(NtStatus.UNKNOWN, NtStatus.fromValue(0xC0000017));
        assertSame(NtStatus.UNKNOWN, NtStatus.fromValue(-1), "-1 marks UNKNOWN itself, it is no status");
    }

    @Test
    void everyStatusHasAdvice() {
        for (NtStatus status : NtStatus.values()) {
            assertFalse(status.advice().isBlank(), status.name());
        }
    }

    /** The header's status table is the source of truth: same names, values and Win32 errors. */
    @Test
    void matchesTheProtocolHeadersStatusTable() throws IOException {
        Pattern row = Pattern.compile("^\\s*\\*\\s+(STATUS_\\w+)\\s+0x([0-9A-Fa-f]{8})\\s+(\\d+)\\s+ERROR_\\w+");
        Map<String, int[]> header = new HashMap<>();
        for (String line : FileUtils.readLines(PROTOCOL_HEADER, StandardCharsets.US_ASCII)) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                header.put(m.group(1), new int[] {Integer.parseUnsignedInt(m.group(2), 16), Integer.parseInt(m.group(3))});
            }
        }
        assertEquals(DEVICE_STATUSES.size(), header.size(), "statuses in the header: " + header.keySet());
        for (NtStatus status : DEVICE_STATUSES) {
            int[] expected = header.get(status.name());
            assertTrue(expected != null, status + " is not in the header's table");
            assertEquals(expected[0], status.value(), status + " value");
            assertEquals(expected[1], status.win32Error(), status + " Win32 error");
        }
    }

    @Test
    void exceptionNamesTheStatusAndKeepsTheRawValue() {
        ResMapException known = new ResMapException("free reservation", NtStatus.STATUS_ACCESS_DENIED.value());
        assertSame(NtStatus.STATUS_ACCESS_DENIED, known.status());
        assertEquals("free reservation: STATUS_ACCESS_DENIED (0xC0000022): "
                + NtStatus.STATUS_ACCESS_DENIED.advice(), known.getMessage());

        ResMapException unknown = new ResMapException("query", 0xC0000017);
        assertSame(NtStatus.UNKNOWN, unknown.status());
        assertEquals(0xC0000017, unknown.ntstatus());
        assertTrue(unknown.getMessage().startsWith("query: UNKNOWN (0xC0000017): "), unknown.getMessage());
    }
}
