package org.resmap.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.resmap.Simulator;

/**
 * Prints a numbered walk through API calls: each step's title, the kernel calls the driver core made
 * for it (from the simulator's call trace), its result and any notes that say why; and records the
 * same for {@code --json}, with pictures of the address space taken at chosen steps for {@code --svg}.
 */
final class Narration {

    // A step with more kernel calls than this shows the first and last few of them.
    private static final int CALLS_SHOWN = 16;

    private final PrintWriter out;
    private final Optional<Simulator> simulator;
    private final boolean printing;
    private final Terminal terminal;
    private final List<Step> steps = new ArrayList<>();
    private final List<Picture.Snapshot> snapshots = new ArrayList<>();
    private final List<String> intro = new ArrayList<>();

    /**
     * One step as {@code --json} shows it.
     *
     * @param number from 1
     * @param title what the step does
     * @param kernelCalls the kernel calls the driver core made, as the trace writes them (simulator only)
     * @param result what came of it
     * @param notes why it happened so
     * @param addressSpace the address space after the step, when a picture was taken
     */
    record Step(int number, String title, List<String> kernelCalls, String result, List<String> notes,
                Picture.Model addressSpace) {
    }

    /**
     * @param printing false for {@code --json}: record only
     */
    Narration(PrintWriter out, Optional<Simulator> simulator, boolean printing, Terminal terminal) {
        this.out = out;
        this.simulator = simulator;
        this.printing = printing;
        this.terminal = terminal;
        simulator.ifPresent(s -> {
            s.traceEnabled(true);
            s.drainTrace();
        });
    }

    /** Runs one step and prints its title, kernel calls and result; returns the step's value. */
    <T> T step(String title, Supplier<T> action, Function<T, String> result) {
        if (printing) {
            out.printf("%n%d. %s%n", steps.size() + 1, title);
        }
        T value = action.get();
        List<String> calls = simulator.map(Simulator::drainTrace).orElse(List.of());
        printKernelCalls(calls);
        String outcome = result.apply(value);
        if (printing) {
            out.printf("   => %s%n", outcome);
        }
        steps.add(new Step(steps.size() + 1, title, calls, outcome, new ArrayList<>(), null));
        return value;
    }

    /** A step with nothing to return. */
    void step(String title, Runnable action, String result) {
        step(title, () -> {
            action.run();
            return null;
        }, ignored -> result);
    }

    /** Adds a line under the last step that says why. */
    void note(String text) {
        if (printing) {
            Table.wrap(text, terminal.interactive() ? terminal.width() - 12 : Integer.MAX_VALUE)
                    .forEach(line -> out.printf("   why: %s%n", line));
        }
        steps.get(steps.size() - 1).notes().add(text);
    }

    /** Prints a line outside the steps (also kept for {@code --json}). */
    void say(String text) {
        if (printing) {
            out.println(text);
        }
        intro.add(text);
    }

    /** On the simulator, takes a picture of the address space after the last step (printed on a terminal). */
    void picture(String title) {
        simulator.ifPresent(s -> {
            var space = s.addressSpace();
            snapshots.add(new Picture.Snapshot(title, space));
            Step last = steps.remove(steps.size() - 1);
            steps.add(new Step(last.number(), last.title(), last.kernelCalls(), last.result(), last.notes(),
                    Picture.model(space)));
            if (printing && terminal.interactive()) {
                out.print(Picture.text(space, terminal.width()));
            }
        });
    }

    boolean tracesKernelCalls() {
        return simulator.isPresent();
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    List<String> lines() {
        return List.copyOf(intro);
    }

    List<Picture.Snapshot> snapshots() {
        return List.copyOf(snapshots);
    }

    private void printKernelCalls(List<String> calls) {
        if (!printing || simulator.isEmpty()) {
            return;
        }
        if (calls.isEmpty()) {
            out.println("   kernel: (no kernel call)");
        }
        int keep = CALLS_SHOWN / 2;
        for (int i = 0; i < calls.size(); i++) {
            if (calls.size() > CALLS_SHOWN && i == keep) {
                out.printf("   kernel: ... %d more calls like these ...%n", calls.size() - CALLS_SHOWN);
                i = calls.size() - keep - 1;
                continue;
            }
            out.printf("   kernel: %s%n", calls.get(i));
        }
    }
}
