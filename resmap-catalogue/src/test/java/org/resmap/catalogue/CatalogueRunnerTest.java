package org.resmap.catalogue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.resmap.Backend;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both back ends report every scenario of the catalogue, so that their results line up row by row. */
class CatalogueRunnerTest {

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "there the kernel back end may really be installed")
    void theKernelListsSimulatorOnlyScenariosAsSkipped() {
        List<Outcome> outcomes = new CatalogueRunner(Backend.KERNEL).runAll((index, total, scenario) -> { });
        assertEquals(Catalogue.all().size(), outcomes.size());
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome outcome = outcomes.get(i);
            assertEquals(Catalogue.all().get(i), outcome.scenario(), "catalogue order");
            boolean runsHere = outcome.scenario().appliesTo(Backend.KERNEL);
            assertEquals(!runsHere, outcome.wasSkipped(), outcome.scenario().id());
            assertFalse(outcome.passed(), outcome.scenario().id() + ": no driver here, nothing can pass");
            if (!runsHere) {
                assertFalse(outcome.failed(), outcome.scenario().id());
                assertTrue(outcome.reason().startsWith("simulator only"), outcome.reason());
            }
        }
        assertTrue(outcomes.stream().anyMatch(Outcome::wasSkipped), "the catalogue has simulator-only scenarios");
    }
}
