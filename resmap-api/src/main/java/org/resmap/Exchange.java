package org.resmap;

import java.util.HexFormat;

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
}
