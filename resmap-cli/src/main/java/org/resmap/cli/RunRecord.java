package org.resmap.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.resmap.Exchange;
import org.resmap.catalogue.Outcome;

import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * What {@code resmap selftest --record FILE} writes and {@code resmap replay FILE} reads: for each
 * scenario of the catalogue, its outcome and every request its device sent, with the Windows build the
 * run was made on. JSON, one object; {@code format} names this layout.
 *
 * @param format always {@link #FORMAT}
 * @param backend {@code kernel} or {@code simulator}
 * @param windowsBuild the Windows build (CurrentBuild) the kernel run was made on, or the build the
 *     simulated machines modelled
 * @param windows a description of that Windows (product and version), or {@code simulated}
 * @param resmapVersion the resmap tool's version
 * @param scenarios every scenario, in catalogue order
 */
record RunRecord(String format, String backend, int windowsBuild, String windows, String resmapVersion,
                 List<ScenarioRecord> scenarios) {

    static final String FORMAT = "resmap-record/1";

    /**
     * @param id the scenario's id
     * @param outcome {@code pass}, {@code fail} or {@code skip}
     * @param reason why it failed or was skipped; empty when it passed
     * @param requests every request its device sent, in order
     */
    record ScenarioRecord(String id, String outcome, String reason, List<RequestRecord> requests) {

        static ScenarioRecord of(Outcome outcome, List<Exchange> requests) {
            String result = outcome.passed() ? "pass" : outcome.wasSkipped() ? "skip" : "fail";
            return new ScenarioRecord(outcome.scenario().id(), result, outcome.reason(),
                    requests.stream().map(RequestRecord::of).toList());
        }
    }

    /**
     * @param request the IOCTL's name
     * @param status the NTSTATUS, as {@code 0x%08X}
     * @param input the request bytes, hex
     * @param output the reply bytes, hex (empty for a failure)
     */
    record RequestRecord(String request, String status, String input, String output) {

        static RequestRecord of(Exchange exchange) {
            return new RequestRecord(exchange.request(), String.format("0x%08X", exchange.ntstatus()),
                    exchange.inputHex(), exchange.outputHex());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    void write(File file) throws IOException {
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null) {
            parent.mkdirs();
        }
        JSON.writeValue(file, this);
    }

    /** @throws IOException if the file cannot be read or is not a record of this format */
    static RunRecord read(File file) throws IOException {
        RunRecord record = JSON.readValue(file, RunRecord.class);
        if (!FORMAT.equals(record.format())) {
            throw new IOException(file + " is not a resmap record (format " + record.format() + ", want " + FORMAT + ")");
        }
        return record;
    }
}
