package org.resmap.cli;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import org.resmap.SimulatorConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The Windows builds the simulator tells apart (docs/simulator.md, "Builds"): one per behaviour, named
 * as people say them. {@code --build} takes a name (any letter case) or a build number; a number between
 * two of them behaves like the one below it.
 */
enum WindowsBuild {
    WIN7(7601, "Windows 7 SP1: header PTEs, tag bit 0 ignored, Base+4 maps at Base+4"),
    WIN81(SimulatorConfig.WIN81, "Windows 8.1: header PTEs, tag bit 0 ignored"),
    WIN10_1507(SimulatorConfig.WIN10_1507, "Windows 10 1507: reservation tree, full tag compare"),
    WIN10_2004(SimulatorConfig.WIN10_2004, "Windows 10 2004: the first with MmAllocateMappingAddressEx"),
    WIN11(SimulatorConfig.DEFAULT_BUILD, "Windows 11 23H2, the default");

    private final int number;
    private final String description;

    WindowsBuild(int number, String description) {
        this.number = number;
        this.description = description;
    }

    /** @return the build number, e.g. 9600 */
    int number() {
        return number;
    }

    /** @return what the simulator does differently on it */
    String description() {
        return description;
    }

    /** @return the name {@code --build} takes, e.g. {@code win10-1507} */
    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return the modelled build a build number behaves like: the nearest one at or below it */
    static WindowsBuild behaviourOf(int number) {
        WindowsBuild like = WIN7;
        for (WindowsBuild build : values()) {
            if (build.number <= number) {
                like = build;
            }
        }
        return like;
    }

    /** Turns {@code --build} values into builds; a number keeps its own value. */
    static final class Converter implements ITypeConverter<Choice> {
        @Override
        public Choice convert(String value) {
            String wanted = value.trim().toLowerCase(Locale.ROOT);
            for (WindowsBuild build : values()) {
                if (build.label().equals(wanted) || build.name().toLowerCase(Locale.ROOT).equals(wanted)) {
                    return new Choice(build.number);
                }
            }
            try {
                int number = Integer.parseInt(wanted);
                if (number > 0) {
                    return new Choice(number);
                }
            } catch (NumberFormatException notANumber) {
                // fall through to the error below
            }
            throw new TypeConversionException("'" + value + "' is not a Windows build; use one of "
                    + String.join(", ", new Names()) + " or a build number such as 19045");
        }
    }

    /** The names, for the help text and shell completion. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(WindowsBuild::label).iterator();
        }
    }

    /**
     * A build chosen on the command line.
     *
     * @param number the build number given, or the named build's
     */
    record Choice(int number) {
        /** @return the modelled build it behaves like */
        WindowsBuild behaviour() {
            return behaviourOf(number);
        }

        /** @return e.g. {@code "9600 (Windows 8.1: header PTEs, ...)"} */
        String describe() {
            WindowsBuild like = behaviour();
            return number + (like.number == number ? " (" + like.description + ")"
                    : " (behaves as " + like.label() + ": " + like.description + ")");
        }
    }
}
