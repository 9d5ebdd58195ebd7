package org.resmap.catalogue;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.resmap.Backend;

/**
 * One documented statement about the reserved-mapping family, with its sources, and the code that
 * checks it.
 *
 * @param id a short stable name, e.g. {@code reserve.one-byte-is-one-page}
 * @param statement the statement, in the project's words
 * @param sources where it comes from
 * @param backends the back ends on which it can be checked
 * @param body the check; throws {@link AssertionError} (expectation and observation) when it fails
 */
public record Scenario(String id, String statement, List<Source> sources, Set<Backend> backends, Body body) {

    /** The executable part of a scenario. */
    @FunctionalInterface
    public interface Body {
        /** Checks the statement; throws AssertionError, or any exception, when it does not hold. */
        void run(ScenarioContext context) throws Exception;
    }

    /** Checks that a scenario has an id, a statement, a body, at least one source and one back end. */
    public Scenario {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(body, "body");
        sources = List.copyOf(sources);
        backends = Set.copyOf(backends);
        if (sources.isEmpty() || backends.isEmpty()) {
            throw new IllegalArgumentException(id + ": a scenario needs a source and a back end");
        }
    }

    /** A scenario the device and the real kernel behind it can both be asked about. */
    static Scenario onEveryBackend(String id, String statement, List<Source> sources, Body body) {
        return new Scenario(id, statement, sources, EnumSet.allOf(Backend.class), body);
    }

    /** A scenario only the simulator can check (it needs the simulated kernel or fault injection). */
    static Scenario onSimulator(String id, String statement, List<Source> sources, Body body) {
        return new Scenario(id, statement, sources, EnumSet.of(Backend.SIMULATOR), body);
    }

    /** @return whether the scenario can be checked on this back end */
    public boolean appliesTo(Backend backend) {
        return backends.contains(backend);
    }

    /** @return the source tags, e.g. {@code [D][K]} */
    public String sourceTags() {
        return sources.stream().map(Source::tag).collect(Collectors.joining());
    }
}
