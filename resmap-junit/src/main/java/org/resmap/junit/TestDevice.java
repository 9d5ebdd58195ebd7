package org.resmap.junit;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.resmap.Backend;
import org.resmap.Bugcheck;
import org.resmap.ResMap;
import org.resmap.SimCounters;
import org.resmap.SimulatorConfig;
import org.resmap.Simulator;

/**
 * The device one test runs on, and what is checked when the test ends. Kept in the test's JUnit store,
 * which closes it should the extension's after-each callback never run.
 */
final class TestDevice implements AutoCloseable {

    /** How many of the last kernel calls a bug check report shows. */
    static final int TRACE_LINES = 40;

    // Totals and the call count are not holdings; every other counter must be back to an idle machine's.
    private static final Set<String> NOT_HOLDINGS = Set.of("ptesTotal", "framesTotal", "calls");

    private final ResMap device;
    /** The simulated machine's settings, or null on the kernel. */
    private final SimulatorConfig config;

    private TestDevice(ResMap device, SimulatorConfig config) {
        this.device = device;
        this.config = config;
    }

    static TestDevice open(Backend backend, SimulatorConfig config) {
        return backend == Backend.KERNEL
                ? new TestDevice(ResMap.open(Backend.KERNEL), null)
                : new TestDevice(ResMap.openSimulator(config), config);
    }

    ResMap device() {
        return device;
    }

    /**
     * Checks how the test left the device, then closes it.
     *
     * @param expected the bug check the test means to cause, if any
     * @param testFailed whether the test failed already (objects left open are then its consequence, not news)
     * @param baseline what an idle machine of a configuration holds after its device closed
     * @return what is wrong, as the failure message; empty if the test may pass
     */
    Optional<String> closeAndCheck(Optional<ExpectBugcheck> expected, boolean testFailed,
                                   Function<SimulatorConfig, SimCounters> baseline) {
        List<String> problems = new ArrayList<>();
        Optional<Simulator> machine = device.simulator();
        Optional<Bugcheck> bugcheck = machine.flatMap(Simulator::bugcheck);
        try {
            if (bugcheck.isPresent()) {
                if (expected.isEmpty() || !matches(expected.get(), bugcheck.get())) {
                    problems.add(bugcheckReport(bugcheck.get(), machine.orElseThrow(), expected));
                }
                return result(problems);
            }
            expected.ifPresent(e -> problems.add("expected bug check " + describe(e)
                    + ", but the simulated machine raised none"));
            if (!testFailed) {
                openObjectsReport().ifPresent(problems::add);
            }
        } finally {
            device.close();
        }
        if (!testFailed && machine.isPresent()) {
            leftoversReport(machine.get().counters(), baseline.apply(config)).ifPresent(problems::add);
        }
        return result(problems);
    }

    @Override
    public void close() {
        device.close();
    }

    private static Optional<String> result(List<String> problems) {
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", problems));
    }

    private static boolean matches(ExpectBugcheck expected, Bugcheck actual) {
        return expected.value() == actual.code()
                && (expected.parameter1() == -1 || expected.parameter1() == actual.params()[0]);
    }

    private static String describe(ExpectBugcheck expected) {
        return String.format("0x%X", expected.value())
                + (expected.parameter1() == -1 ? "" : String.format(" (0x%X, ...)", expected.parameter1()));
    }

    private static String bugcheckReport(Bugcheck bugcheck, Simulator machine, Optional<ExpectBugcheck> expected) {
        StringBuilder report = new StringBuilder("the simulated machine bugchecked: ").append(bugcheck);
        expected.ifPresent(e -> report.append(" (the test expected ").append(describe(e)).append(')'));
        report.append("\n  ").append(bugcheck.meaning());
        List<String> trace = machine.drainTrace();
        if (trace.isEmpty()) {
            report.append("\n  (no kernel call trace: the test turned tracing off)");
        } else {
            List<String> shown = trace.subList(Math.max(0, trace.size() - TRACE_LINES), trace.size());
            report.append("\n  kernel calls, oldest first").append(shown.size() < trace.size()
                    ? " (the last " + shown.size() + " of " + trace.size() + ")" : "").append(':');
            shown.forEach(line -> report.append("\n    ").append(line));
        }
        return report.toString();
    }

    private Optional<String> openObjectsReport() {
        List<AutoCloseable> open = device.openObjects();
        if (open.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder report = new StringBuilder("the test left ").append(open.size())
                .append(open.size() == 1 ? " object" : " objects")
                .append(" open (closed for it now; close each, e.g. with try-with-resources):");
        open.forEach(object -> report.append("\n  ").append(object));
        return Optional.of(report.toString());
    }

    private static Optional<String> leftoversReport(SimCounters after, SimCounters idle) {
        if (after.holdsSameAs(idle)) {
            return Optional.empty();
        }
        StringBuilder report = new StringBuilder("the simulated machine still held kernel resources after the "
                + "device closed (allocated through Simulator.kernel() and never freed?):");
        try {
            for (RecordComponent counter : SimCounters.class.getRecordComponents()) {
                Object held = counter.getAccessor().invoke(after);
                Object usual = counter.getAccessor().invoke(idle);
                if (!NOT_HOLDINGS.contains(counter.getName()) && !held.equals(usual)) {
                    report.append("\n  ").append(counter.getName()).append(' ').append(held)
                            .append(" (an idle machine: ").append(usual).append(')');
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read SimCounters", e);
        }
        return Optional.of(report.toString());
    }
}
