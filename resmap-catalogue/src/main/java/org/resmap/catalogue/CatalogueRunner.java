package org.resmap.catalogue;

import java.util.function.Consumer;
import java.util.function.Function;
import org.resmap.Exchange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import org.resmap.Backend;
import org.resmap.SimulatorConfig;

/** Runs the catalogue's scenarios on one back end, each on a fresh device, and collects the outcomes. */
public final class CatalogueRunner {

    /** Told before each scenario starts, for progress display. */
    @FunctionalInterface
    public interface Progress {
        /** Called with the 1-based index of the scenario about to run and the number of scenarios. */
        void starting(int index, int total, Scenario scenario);
    }

    /** Why a simulator-only scenario is skipped elsewhere. */
    static final String SIMULATOR_ONLY = "simulator only: it checks what only a simulated machine can show "
            + "(a bugcheck, an injected fault, the kernel's own state)";

    private final Backend backend;
    private final SimulatorConfig machine;
    private final Function<Scenario, Consumer<Exchange>> listeners;

    /** @param backend where every scenario runs, each on a fresh device (a default simulated machine) */
    public CatalogueRunner(Backend backend) {
        this(backend, SimulatorConfig.defaults());
    }

    /**
     * @param backend where every scenario runs, each on a fresh device
     * @param machine on the simulator, how each scenario's machine is built (e.g. another Windows
     *     build); scenarios about one particular build still build their own machines
     */
    public CatalogueRunner(Backend backend, SimulatorConfig machine) {
        this(backend, machine, scenario -> null);
    }

    /**
     * @param backend where every scenario runs, each on a fresh device
     * @param machine as above
     * @param listeners for each scenario, what to tell of every request its device sends (or null): what
     *     {@code selftest --record} writes down
     */
    public CatalogueRunner(Backend backend, SimulatorConfig machine, Function<Scenario, Consumer<Exchange>> listeners) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.machine = Objects.requireNonNull(machine, "machine");
        this.listeners = Objects.requireNonNull(listeners, "listeners");
    }

    /**
     * @return the outcome of every scenario of the catalogue, in catalogue order: those that cannot run
     *     on this back end are there too, as skipped, so that the results of two back ends line up
     */
    public List<Outcome> runAll(Progress progress) {
        List<Scenario> scenarios = Catalogue.all();
        List<Outcome> outcomes = new ArrayList<>(scenarios.size());
        for (int i = 0; i < scenarios.size(); i++) {
            Scenario scenario = scenarios.get(i);
            if (!scenario.appliesTo(backend)) {
                outcomes.add(Outcome.skipped(scenario, backend, SIMULATOR_ONLY));
                continue;
            }
            progress.starting(i + 1, scenarios.size(), scenario);
            outcomes.add(run(scenario));
        }
        return outcomes;
    }

    /** Runs one scenario; never throws for the scenario's own failures, which the outcome carries. */
    public Outcome run(Scenario scenario) {
        long start = System.nanoTime();
        Optional<Throwable> failure;
        try {
            runOrThrow(scenario);
            failure = Optional.empty();
        } catch (Exception | AssertionError e) {
            failure = Optional.of(e);
        }
        return new Outcome(scenario, backend, failure, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Runs one scenario and lets its failure propagate (what JUnit wants). */
    public void runOrThrow(Scenario scenario) throws Exception {
        if (!scenario.appliesTo(backend)) {
            throw new IllegalArgumentException(scenario.id() + " cannot be checked on " + backend);
        }
        try (ScenarioContext context = new ScenarioContext(backend, machine, listeners.apply(scenario))) {
            scenario.body().run(context);
            context.checkDeviceNeverBugchecked();
        }
    }
}
