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
        File file = new File(directory, "TEST-" + suiteName(backend) + ".xml");
        Files.createDirectories(directory.toPath());
        Files.writeString(file.toPath(), render(backend, outcomes), StandardCharsets.UTF_8);
        return file;
    }

    static String render(Backend backend, List<Outcome> outcomes) {
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("testsuite");
            xml.writeAttribute("name", suiteName(backend));
            xml.writeAttribute("tests", Integer.toString(outcomes.size()));
            xml.writeAttribute("failures", Long.toString(outcomes.stream().filter(Outcome::failed).count()));
            xml.writeAttribute("skipped", Long.toString(outcomes.stream().filter(Outcome::wasSkipped).count()));
            xml.writeAttribute("errors", "0");
            xml.writeAttribute("skipped", "0");
            xml.writeAttribute("time", seconds(outcomes.stream().mapToLong(o -> o.duration().toNanos()).sum()));
            for (Outcome outcome : outcomes) {
                writeCase(xml, backend, outcome);
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

    private static void writeCase(XMLStreamWriter xml, Backend backend, Outcome outcome) throws XMLStreamException {
        Scenario scenario = outcome.scenario();
        xml.writeCharacters("\n  ");
        xml.writeStartElement("testcase");
        xml.writeAttribute("classname", suiteName(backend));
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

    private static String suiteName(Backend backend) {
        return "resmap.catalogue." + backend.id();
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9);
    }
}
