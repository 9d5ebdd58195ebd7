package org.resmap.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * The {@code --json} option and its output: one JSON document on standard output, made by Jackson from
 * the commands' report records (their component names are the JSON keys); absent values are left out.
 * The schemas are in docs/cli.md and docs/schema/.
 */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** The option, mixed into the commands that have a JSON form. */
    static final class Option_ {
        @Option(names = "--json", description = "Print one JSON document instead of text (schema: docs/cli.md).")
        boolean json;
    }

    private Json() {
    }

    static void print(PrintWriter out, Object report) {
        try {
            out.println(MAPPER.writeValueAsString(report));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the JSON report: " + e.getOriginalMessage(), e);
        }
    }
}
