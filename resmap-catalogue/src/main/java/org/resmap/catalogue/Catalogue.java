package org.resmap.catalogue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.resmap.Backend;

/**
 * Every documented statement about MmAllocateMappingAddress(Ex), MmMapLockedPagesWithReservedMapping,
 * MmUnmapReservedMapping, MmFreeMappingAddress and their MDL helpers, as executable scenarios: what the
 * device does with correct use, what the kernel itself does, the bug check for each misuse, and the
 * device's refusal of that misuse.
 */
public final class Catalogue {

    private static final List<Scenario> ALL = build();

    private Catalogue() {
    }

    /** @return every scenario, in a fixed order */
    public static List<Scenario> all() {
        return ALL;
    }

    /** @return the scenarios that can be checked on the given back end */
    public static List<Scenario> forBackend(Backend backend) {
        return ALL.stream().filter(s -> s.appliesTo(backend)).toList();
    }

    /** @return the scenario with this id, if there is one */
    public static Optional<Scenario> byId(String id) {
        return all().stream().filter(s -> s.id().equals(id)).findFirst();
    }

    private static List<Scenario> build() {
        List<Scenario> all = new ArrayList<>();
        all.addAll(DeviceScenarios.all());
        all.addAll(Refusals.all());
        all.addAll(KernelScenarios.all());
        Violations.all().forEach(v -> all.add(v.scenario()));
        Set<String> ids = new HashSet<>();
        for (Scenario scenario : all) {
            if (!ids.add(scenario.id())) {
                throw new IllegalStateException("two catalogue scenarios share the id " + scenario.id());
            }
        }
        for (Violation violation : Violations.all()) {
            violation.device().refusalId().filter(id -> !ids.contains(id)).ifPresent(id -> {
                throw new IllegalStateException(violation.id() + " names an unknown refusal " + id);
            });
        }
        return Collections.unmodifiableList(all);
    }
}
