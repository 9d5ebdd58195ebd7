package org.resmap;

import java.util.HexFormat;
import org.resmap.internal.Protocol;

/**
 * One request to the device as it went over the wire: what {@code selftest --record} writes down and
 * {@code resmap replay} compares. Byte arrays are copies, taken when the request completed.
 *
 * @param request the IOCTL's name, e.g. {@code IOCTL_RESMAP_RESERVE}
 * @param input the request bytes sent
 * @param output the reply bytes the device wrote (empty for a failed request)
 * @param ntstatus the NTSTATUS the request completed with
 */
public record Exchange(String request, byte[] input, byte[] output, int ntstatus) {

    /** @return the input as lower-case hex */
    public String inputHex() {
        return HexFormat.of().formatHex(input);
    }

    /** @return the output as lower-case hex */
    public String outputHex() {
        return HexFormat.of().formatHex(output);
    }

    /**
     * What of a reply two runs of the same request must agree on: the reply itself, except that the
     * tick counts of a bench reply ({@code IOCTL_RESMAP_BENCH}: elapsed, total, minimum and maximum
     * ticks), which are timings, are replaced by dashes.
     *
     * @param request the IOCTL's name, as in {@link #request()}
     * @param outputHex the reply as hex, as {@link #outputHex()} gives it
     * @return the part to compare, as hex
     */
    public static String repeatableOutputHex(String request, String outputHex) {
        int ticksFrom = 2 * Protocol.BenchOut.ELAPSED_TICKS;
        int ticksTo = 2 * Protocol.BenchOut.CYCLES;
        if (!request.equals("IOCTL_RESMAP_BENCH") || outputHex.length() < ticksTo) {
            return outputHex;
        }
        return outputHex.substring(0, ticksFrom) + "-".repeat(ticksTo - ticksFrom) + outputHex.substring(ticksTo);
    }
}
