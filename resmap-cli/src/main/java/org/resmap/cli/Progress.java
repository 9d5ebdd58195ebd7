package org.resmap.cli;

import java.io.PrintWriter;

/**
 * A progress line for people at a terminal: rewritten in place on standard error, and erased when the
 * work is done. Off a terminal it prints nothing, so logs and pipes get only the results.
 */
final class Progress {

    private final PrintWriter err;
    private final Terminal terminal;
    private boolean shown;

    Progress(PrintWriter err, Terminal terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Replaces the line with text, cut to the terminal's width. */
    void show(String text) {
        if (!terminal.interactive()) {
            return;
        }
        int room = Math.max(1, terminal.width() - 1);
        String line = text.length() > room ? text.substring(0, room) : text;
        err.print("\r" + line + " ".repeat(room - line.length()) + "\r");
        err.flush();
        shown = true;
    }

    /** Erases the line. */
    void done() {
        if (shown) {
            err.print("\r" + " ".repeat(Math.max(1, terminal.width() - 1)) + "\r");
            err.flush();
            shown = false;
        }
    }
}
