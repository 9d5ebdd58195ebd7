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
 *     it passed
 * @param duration how long it took
 */
public record Outcome(Scenario scenario, Backend backend, Optional<Throwable> failure, Duration duration) {

    /** @return whether the scenario's statement held */
    public boolean passed() {
        return failure.isEmpty();
    }

    /** @return one line: the failure's message, or its exception type when it has none */
    public String reason() {
        return failure.map(f -> f instanceof AssertionError && f.getMessage() != null
                ? f.getMessage()
                : f.getClass().getSimpleName() + (f.getMessage() == null ? "" : ": " + f.getMessage()))
                .orElse("");
    }
}
