package org.resmap.catalogue;

import java.time.Duration;
import java.util.Optional;
import org.resmap.Backend;

/**
 * What happened when one scenario ran on one back end.
 *
 * @param scenario the scenario
 * @param backend where it ran
 * @param failure the reason it failed (an expectation not met, or an unexpected exception); empty when
 *     it passed or did not run
 * @param duration how long it took
 * @param skipped why it did not run on this back end (only the simulator can show what it checks);
 *     empty when it ran
 */
public record Outcome(Scenario scenario, Backend backend, Optional<Throwable> failure, Duration duration,
                      Optional<String> skipped) {

    /** A scenario that ran. */
    public Outcome(Scenario scenario, Backend backend, Optional<Throwable> failure, Duration duration) {
        this(scenario, backend, failure, duration, Optional.empty());
    }

    /** @return a scenario listed but not run on this back end, with the reason */
    public static Outcome skipped(Scenario scenario, Backend backend, String reason) {
        return new Outcome(scenario, backend, Optional.empty(), Duration.ZERO, Optional.of(reason));
    }

    /** @return whether the scenario ran and its statement held */
    public boolean passed() {
        return failure.isEmpty() && skipped.isEmpty();
    }

    /** @return whether it ran and its statement did not hold */
    public boolean failed() {
        return failure.isPresent();
    }

    /** @return whether it was not run on this back end */
    public boolean wasSkipped() {
        return skipped.isPresent();
    }

    /** @return one line: the failure's message, or its exception type when it has none */
    public String reason() {
        return failure.map(f -> f instanceof AssertionError && f.getMessage() != null
                ? f.getMessage()
                : f.getClass().getSimpleName() + (f.getMessage() == null ? "" : ": " + f.getMessage()))
                .orElse(skipped.orElse(""));
    }
}
