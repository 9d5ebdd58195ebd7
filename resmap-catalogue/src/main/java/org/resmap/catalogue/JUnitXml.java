package org.resmap.catalogue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.resmap.Backend;

/**
 * Writes catalogue outcomes as a JUnit XML report (the Ant/Surefire format CI servers read), one
 * {@code testsuite} per run, so runs on several Windows builds can be collected as a matrix.
 */
public final class JUnitXml {

    private JUnitXml() {
    }

    /**
     * Writes the report as {@code TEST-<suite>.xml} in a directory, the name CI servers look for.
     *
     * @param directory created (with its parents) if missing
     * @return the file written
     */
    public static File write(File directory, Backend backend, List<Outcome> outcomes) throws IOException {
        return write(directory, backend.id(), outcomes);
    }

    /**
     * Writes the report of one run of a matrix, e.g. {@code run = "simulator.win81"}, as
     * {@code TEST-resmap.catalogue.<run>.xml}.
     *
     * @param directory created (with its parents) if missing
     * @param run names the run: the back end's id, then any qualifier after a dot
     * @return the file written
     */
    public static File write(File directory, String run, List<Outcome> outcomes) throws IOException {
        String suite = "resmap.catalogue." + run;
        File file = new File(directory, "TEST-" + suite + ".xml");
        Files.createDirectories(directory.toPath());
        Files.writeString(file.toPath(), render(suite, outcomes), StandardCharsets.UTF_8);
        return file;
    }

    private static String render(String suite, List<Outcome> outcomes) {
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("testsuite");
            xml.writeAttribute("name", suite);
            xml.writeAttribute("tests", Integer.toString(outcomes.size()));
            xml.writeAttribute("failures", Long.toString(outcomes.stream().filter(Outcome::failed).count()));
            xml.writeAttribute("skipped", Long.toString(outcomes.stream().filter(Outcome::wasSkipped).count()));
            xml.writeAttribute("errors", "0");
            xml.writeAttribute("skipped", "0");
            xml.writeAttribute("time", seconds(outcomes.stream().mapToLong(o -> o.duration().toNanos()).sum()));
            for (Outcome outcome : outcomes) {
                writeCase(xml, suite, outcome);
            }
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("could not render the JUnit report", e);
        }
        return text.toString();
    }

    private static void writeCase(XMLStreamWriter xml, String suite, Outcome outcome) throws XMLStreamException {
        Scenario scenario = outcome.scenario();
        xml.writeCharacters("\n  ");
        xml.writeStartElement("testcase");
        xml.writeAttribute("classname", suite);
        xml.writeAttribute("name", scenario.id() + " " + scenario.sourceTags() + " " + scenario.statement());
        xml.writeAttribute("time", seconds(outcome.duration().toNanos()));
        if (outcome.wasSkipped()) {
            xml.writeEmptyElement("skipped");
            xml.writeAttribute("message", outcome.reason());
        } else if (outcome.failed()) {
            xml.writeStartElement("failure");
            xml.writeAttribute("message", outcome.reason());
            xml.writeAttribute("type", outcome.failure().orElseThrow().getClass().getName());
            xml.writeCharacters(outcome.reason());
            xml.writeEndElement();
        }
        xml.writeEndElement();
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9);
    }
}
