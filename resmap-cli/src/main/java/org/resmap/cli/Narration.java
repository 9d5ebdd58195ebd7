package org.resmap.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.resmap.Simulator;

/**
 * Prints a numbered walk through API calls: each step's title, the kernel calls the driver core made
 * for it (from the simulator's call trace), and its result.
 */
final class Narration {

    private final PrintWriter out;
    private final Optional<Simulator> simulator;
    private int step;

    Narration(PrintWriter out, Optional<Simulator> simulator) {
        this.out = out;
        this.simulator = simulator;
        simulator.ifPresent(s -> {
            s.traceEnabled(true);
            s.drainTrace();
        });
    }

    /** Runs one step and prints its title, kernel calls and result; returns the step's value. */
    <T> T step(String title, Supplier<T> action, Function<T, String> result) {
        out.printf("%n%d. %s%n", ++step, title);
        T value = action.get();
        printKernelCalls();
        out.printf("   => %s%n", result.apply(value));
        return value;
    }

    /** A step with nothing to return. */
    void step(String title, Runnable action, String result) {
        step(title, () -> {
            action.run();
            return null;
        }, ignored -> result);
    }

    void say(String text) {
        out.println(text);
    }

    boolean tracesKernelCalls() {
        return simulator.isPresent();
    }

    private void printKernelCalls() {
        if (simulator.isEmpty()) {
            return;
        }
        List<String> calls = simulator.get().drainTrace();
        if (calls.isEmpty()) {
            out.println("   kernel: (no kernel call: the driver core answered on its own)");
        }
        for (String call : calls) {
            out.printf("   kernel: %s%n", call);
        }
    }
}
