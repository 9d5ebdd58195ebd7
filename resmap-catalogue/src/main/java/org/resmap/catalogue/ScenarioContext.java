package org.resmap.catalogue;

import java.util.function.Consumer;
import org.resmap.Exchange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.resmap.Backend;
import org.resmap.Bugcheck;
import org.resmap.ResMap;
import org.resmap.Simulator;
import org.resmap.SimulatorConfig;

/**
 * What one scenario runs against: a device of its own, opened on first use (a fresh simulated machine
 * built as the runner was told, or a fresh handle on the driver), and any number of extra simulated
 * machines. Closes them all.
 */
public final class ScenarioContext implements AutoCloseable {

    private final Backend backend;
    private final SimulatorConfig machine;
    private final Consumer<Exchange> listener;
    private final List<ResMap> machines = new ArrayList<>();
    private ResMap device;

    ScenarioContext(Backend backend, SimulatorConfig machine) {
        this(backend, machine, null);
    }

    /** @param listener told of every request {@link #device()} sends, or null */
    ScenarioContext(Backend backend, SimulatorConfig machine, Consumer<Exchange> listener) {
        this.backend = backend;
        this.machine = machine;
        this.listener = listener;
    }

    /** A context whose device is given (by the resmap JUnit extension, in the catalogue's tests); closed with it. */
    ScenarioContext(ResMap device) {
        this.backend = device.backend();
        this.machine = SimulatorConfig.defaults();
        this.listener = null;
        this.device = device;
    }

    /** @return the back end this scenario runs on */
    public Backend backend() {
        return backend;
    }

    /**
     * @return this scenario's device; on the kernel back end, a missing driver is an error here, so a
     *     run that asked for the kernel fails rather than skips
     */
    public ResMap device() {
        if (device == null) {
            if (listener != null) {
                device = ResMap.recording(backend, machine, listener);
            } else {
                device = backend == Backend.SIMULATOR ? ResMap.openSimulator(machine) : ResMap.open(backend);
            }
        }
        return device;
    }

    /** @return the simulated machine behind {@link #device()}; only for simulator-only scenarios */
    public Simulator simulator() {
        return device().simulator().orElseThrow(
                () -> new IllegalStateException("this scenario needs the simulator, not " + backend));
    }

    /** @return a device on a new simulated machine built with config, closed with this context */
    public ResMap machine(SimulatorConfig config) {
        ResMap machine = ResMap.openSimulator(config);
        machines.add(machine);
        return machine;
    }

    /** Closes the device now (its simulated machine's counters stay readable). */
    void closeDevice() {
        device().close();
    }

    /**
     * A request the device accepted or refused must never have brought the simulated machine down:
     * that is the device's whole promise.
     */
    void checkDeviceNeverBugchecked() {
        if (device == null) {
            return;
        }
        Optional<Bugcheck> bugcheck = device.simulator().flatMap(Simulator::bugcheck);
        if (bugcheck.isPresent()) {
            throw new AssertionError("the device let the simulated kernel bugcheck: expected no bug check, observed "
                    + bugcheck.get() + " " + bugcheck.get().meaning());
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        List<ResMap> all = new ArrayList<>(machines);
        if (device != null) {
            all.add(device);
        }
        for (ResMap open : all) {
            try {
                open.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
