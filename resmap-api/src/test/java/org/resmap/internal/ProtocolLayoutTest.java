package org.resmap.internal;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compares every constant, struct size and field offset of {@link Protocol} with what libresmap-sim,
 * compiled from resmap_protocol.h, reports about itself. The native side is the source of truth.
 */
class ProtocolLayoutTest {

    private static Map<String, Long> nativeLayout() {
        Map<String, Long> layout = new LinkedHashMap<>();
        SimNative.resmap_sim_protocol_layout().lines().filter(line -> !line.isBlank()).forEach(line -> {
            int eq = line.indexOf('=');
            assertTrue(eq > 0, "not name=value: " + line);
            String value = line.substring(eq + 1).trim();
            layout.put(line.substring(0, eq).trim(), value.startsWith("0x")
                    ? Long.parseUnsignedLong(value.substring(2), 16) : Long.parseUnsignedLong(value));
        });
        return layout;
    }

    @Test
    void javaMirrorsEveryNativeNameWithTheSameValue() {
        Map<String, Long> nativeSide = nativeLayout();
        Map<String, Long> javaSide = Protocol.layout();
        TreeSet<String> missingInJava = new TreeSet<>(nativeSide.keySet());
        missingInJava.removeAll(javaSide.keySet());
        TreeSet<String> missingNatively = new TreeSet<>(javaSide.keySet());
        missingNatively.removeAll(nativeSide.keySet());
        assertTrue(missingInJava.isEmpty(), "the native side reports what Java does not mirror: " + missingInJava);
        assertTrue(missingNatively.isEmpty(), "Java mirrors what the native side does not report: " + missingNatively);
        for (var entry : nativeSide.entrySet()) {
            assertEquals(entry.getValue(), javaSide.get(entry.getKey()), entry.getKey());
        }
    }

    @Test
    void theNativeLayoutCoversEveryStruct() {
        Map<String, Long> nativeSide = nativeLayout();
        for (String struct : new String[] {"RESMAP_INFO", "RESMAP_RESERVE_IN", "RESMAP_ALLOCATE_IN", "RESMAP_LOCK_IN",
                "RESMAP_MAP_IN", "RESMAP_OBJECT_OUT", "RESMAP_HANDLE_IN", "RESMAP_TAGGED_IN", "RESMAP_TRANSFER_IN",
                "RESMAP_QUERY_OUT", "RESMAP_BENCH_IN", "RESMAP_BENCH_OUT"}) {
            assertTrue(nativeSide.containsKey("sizeof(" + struct + ")"), struct);
        }
    }
}
