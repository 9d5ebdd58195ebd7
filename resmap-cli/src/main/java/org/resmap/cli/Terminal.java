package org.resmap.cli;

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
     * @return the terminal of this process: {@link System#console()} is present only when standard input
     *     and output are both terminals; the width is picocli's detection (COLUMNS, else {@code tput cols})
     */
    static Terminal detect() {
        if (System.console() == null) {
            return NONE;
        }
        int width = CommandSpec.create().usageMessage().autoWidth(true).width();
        return new Terminal(true, Math.max(MIN_WIDTH, width));
    }
}
