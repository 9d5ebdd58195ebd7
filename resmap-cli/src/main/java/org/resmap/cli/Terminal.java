package org.resmap.cli;

import java.io.Console;
import java.lang.reflect.InvocationTargetException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Whether standard output is a terminal, and how wide it is: progress lines, wrapped tables and the
 * compact address-space pictures are for people at a terminal; piped output stays one record per line.
 *
 * @param interactive whether output goes to a terminal
 * @param width its columns (0 when not a terminal)
 */
record Terminal(boolean interactive, int width) {

    /** Not a terminal: a pipe, a file, a test. */
    static final Terminal NONE = new Terminal(false, 0);

    /** Narrower than this, wrapping helps nobody. */
    private static final int MIN_WIDTH = 40;

    /**
     * @return the terminal of this process: up to JDK 21, {@link System#console()} is present only when
     *     standard input and output are both terminals; from JDK 22 it may be present anyway, and
     *     {@code Console.isTerminal()} tells; the width is picocli's detection (COLUMNS, else {@code tput cols})
     */
    static Terminal detect() {
        Console console = System.console();
        if (console == null || !isTerminal(console)) {
            return NONE;
        }
        int width = CommandSpec.create().usageMessage().autoWidth(true).width();
        return new Terminal(true, Math.max(MIN_WIDTH, width));
    }

    /** {@code Console.isTerminal()} where the JDK has it (22 and later; this code is built for 17). */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException before22) {
            return true;
        } catch (IllegalAccessException | InvocationTargetException e) {
            return false;
        }
    }
}
