package org.resmap.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resmap.DeviceInfo;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code resmap demo [lifecycle|forward-progress|ring-buffer]}: a narrated use of the family, with the
 * kernel calls the driver core (or the demo, acting as a driver) made at each step.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Narrate a use of the family (lifecycle, forward-progress, ring-buffer) with the kernel calls "
                + "behind each step.",
            "  lifecycle         reserve, map, write, read, sub-range, a locked Java buffer, unmap, free (default)",
            "  forward-progress  system PTEs run out: ordinary mappings fail, the reserved mapping still maps",
            "  ring-buffer       a divisible reservation maps one buffer twice, back to back, so a write "
                    + "across the end lands at the start"},
        footerHeading = "%nExamples:%n",
        footer = {"  resmap demo", "  resmap demo forward-progress --system-ptes 64",
                "  resmap demo ring-buffer --svg ring.svg", "  resmap demo lifecycle --json"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the demo ran to the end", "2:an error, e.g. a back end the demo cannot run on"})
final class DemoCommand implements Callable<Integer> {

    static final PoolTag TAG = PoolTag.of("RsMp");

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    Json.Option_ json;

    @Option(names = "--svg", paramLabel = "FILE",
            description = "Draw the simulated address space at the demo's key steps into FILE (SVG; simulator only).")
    File svg;

    @Parameters(arity = "0..1", paramLabel = "DEMO", defaultValue = "lifecycle", converter = Kind.Converter.class,
            completionCandidates = Kind.Names.class,
            description = "lifecycle (default), forward-progress or ring-buffer.")
    Kind kind;

    /** The demos. */
    enum Kind {
        LIFECYCLE, FORWARD_PROGRESS, RING_BUFFER;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        Demo demo() {
            return switch (this) {
                case LIFECYCLE -> new LifecycleDemo();
                case FORWARD_PROGRESS -> new ForwardProgressDemo();
                case RING_BUFFER -> new RingBufferDemo();
            };
        }

        /** Names in any letter case, with - or _. */
        static final class Converter implements ITypeConverter<Kind> {
            @Override
            public Kind convert(String value) {
                for (Kind kind : values()) {
                    if (kind.label().equalsIgnoreCase(value.trim().replace('_', '-'))) {
                        return kind;
                    }
                }
                throw new TypeConversionException("'" + value + "' is not a demo; use lifecycle, forward-progress "
                        + "or ring-buffer");
            }
        }

        /** The names, for shell completion. */
        static final class Names implements Iterable<String> {
            @Override
            public java.util.Iterator<String> iterator() {
                return java.util.Arrays.stream(values()).map(Kind::label).iterator();
            }
        }
    }

    /** One demo: narrates its steps on an open device. */
    interface Demo {
        /** @throws picocli.CommandLine.ParameterException if it cannot run on this back end */
        void run(ResMap device, Narration story, MachineSettings machine);
    }

    /** What {@code demo --json} prints. */
    record Report(String demo, String backend, String machine, List<String> lines, List<Narration.Step> steps) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (ResMap device = main.openDevice()) {
            if (svg != null && device.simulator().isEmpty()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--svg draws the simulated "
                        + "machine's address space; the driver discloses no addresses or frames");
            }
            DeviceInfo info = device.info();
            Narration story = new Narration(out, device.simulator(), !json.json, main.terminal());
            MachineSettings machine = main.machine();
            story.say(String.format("resmap demo %s on the %s back end (protocol %d)%s", kind.label(),
                    device.backend().id(), info.protocolVersion(), device.simulator().isPresent()
                            ? ", " + machine.describe() + "." : "."));
            story.say(story.tracesKernelCalls()
                    ? "Each step lists the kernel calls made and what they returned. Tag " + TAG
                            + " (as pool tools spell it) is written '" + cConstant(TAG) + "' in C and in the trace;"
                            + String.format(" its value, as bug checks show it, is 0x%08X.", TAG.value())
                    : "Kernel calls are listed only on the simulator.");
            kind.demo().run(device, story, machine);
            if (svg != null) {
                Picture.writeSvg(svg, story.snapshots());
                story.say("Address space pictures written to " + svg);
            }
            if (json.json) {
                Json.print(out, new Report(kind.label(), device.backend().id(),
                        device.simulator().isPresent() ? machine.describe() : null, story.lines(), story.steps()));
            }
        }
        return 0;
    }

    /** @return the tag as a C character constant writes it: the last character first, e.g. {@code pMsR} */
    static String cConstant(PoolTag tag) {
        return new StringBuilder(tag.toString()).reverse().toString();
    }
}
