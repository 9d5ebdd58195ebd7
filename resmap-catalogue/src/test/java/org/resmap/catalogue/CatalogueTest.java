package org.resmap.catalogue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.resmap.Backend;
import org.resmap.ResMap;
import org.resmap.junit.ResMapTest;
import org.resmap.SimulatorConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every catalogue scenario as a JUnit test on every back end this run covers: the simulator
 * wherever it is built (everywhere but Windows), and the kernel driver when {@code -Dresmap.backend=kernel} asks for it. A kernel run opens
 * the driver in each scenario, so a missing driver fails every kernel scenario rather than skipping it.
 * The device's own promises (the scenarios for every back end) run on the back end the resmap JUnit
 * extension picks from the same property, on the device it gives each test, so its checks apply too:
 * the simulated machine holds nothing once the scenario's session is closed.
 */
@ResMapTest
class CatalogueTest {

    /** @return the back end the extension gives each test a device of */
    private static Backend extensionBackend() {
        return chosenBackend().equals("kernel") ? Backend.KERNEL : Backend.SIMULATOR;
    }

    private static String chosenBackend() {
        return System.getProperty(ResMap.BACKEND_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
    }

    static Stream<Named<Scenario>> deviceScenarios() {
        return Catalogue.forBackend(extensionBackend()).stream().filter(CatalogueTest::onTheExtensionsDevice)
                .map(scenario -> Named.of(scenario.id() + " " + scenario.sourceTags() + " " + scenario.statement(), scenario));
    }

    private static boolean onTheExtensionsDevice(Scenario scenario) {
        return scenario.appliesTo(Backend.KERNEL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deviceScenarios")
    void everyDeviceStatementOnTheExtensionsDevice(Scenario scenario, ResMap device) throws Exception {
        try (ScenarioContext context = new ScenarioContext(device)) {
            scenario.body().run(context);
            context.checkDeviceNeverBugchecked();
        }
    }

    private static Set<Backend> backendsUnderTest() {
        Set<Backend> backends = EnumSet.noneOf(Backend.class);
        // The simulator is a Linux library; the Windows build does not have it (see resmap-api/pom.xml).
        if (!System.getProperty("os.name").startsWith("Windows")) {
            backends.add(Backend.SIMULATOR);
        }
        if (chosenBackend().equals("kernel")) {
            backends.add(Backend.KERNEL);
        }
        return backends;
    }

    @TestFactory
    Stream<DynamicContainer> everyStatementOnEveryBackend() {
        return backendsUnderTest().stream().map(backend -> {
            CatalogueRunner runner = new CatalogueRunner(backend);
            return DynamicContainer.dynamicContainer(backend.name().toLowerCase(Locale.ROOT),
                    Catalogue.forBackend(backend).stream()
                            .filter(scenario -> backend != extensionBackend() || !onTheExtensionsDevice(scenario))
                            .map(scenario -> DynamicTest.dynamicTest(
                            scenario.id() + " " + scenario.sourceTags() + " " + scenario.statement(),
                            () -> runner.runOrThrow(scenario))));
        });
    }

    /** A runner told how to build the machine builds every scenario's device so: a pool too small fails a map. */
    @Test
    void aRunnersMachineSettingsReachEveryScenariosDevice() {
        if (!backendsUnderTest().contains(Backend.SIMULATOR)) {
            return;
        }
        Scenario map = Catalogue.byId("map.whole-page-set").orElseThrow();
        assertTrue(new CatalogueRunner(Backend.SIMULATOR).run(map).passed());
        // Two pages and their two header PTEs do not fit in three PTEs.
        Outcome tiny = new CatalogueRunner(Backend.SIMULATOR, SimulatorConfig.builder().systemPtes(3).build()).run(map);
        assertFalse(tiny.passed(), "the runner's machine was not used");
        assertTrue(tiny.reason().contains("STATUS_INSUFFICIENT_RESOURCES"), tiny.reason());
    }

    @Test
    void everyScenarioNamesItsSourceAndHasAStatement() {
        for (Scenario scenario : Catalogue.all()) {
            assertFalse(scenario.sources().isEmpty(), scenario.id());
            assertTrue(scenario.statement().endsWith("."), scenario.id() + ": a statement is a sentence");
            assertTrue(scenario.id().matches("[a-z0-9-]+(\\.[a-z0-9-]+)+"), scenario.id() + ": ids are dotted lower case");
        }
    }

    @Test
    void everyViolationHasAKernelScenarioAndADeviceScenarioForTheSafeWay() {
        for (Violation violation : Violations.all()) {
            assertTrue(Catalogue.byId(violation.scenario().id()).isPresent(), violation.id());
            DeviceAnswer device = violation.device();
            assertTrue(device.refusalId().isPresent() || !device.reason().isBlank(),
                    violation.id() + ": says why the device cannot be asked for it");
            device.refusalId().ifPresent(id -> {
                Scenario safeWay = Catalogue.byId(id).orElseThrow();
                assertFalse(safeWay.id().startsWith("kernel."),
                        violation.id() + ": must point at what the device does instead, not at another violation");
            });
        }
    }

    @Test
    void docsCatalogueListsEveryScenario() throws Exception {
        String page = FileUtils.readFileToString(new File("../docs/catalogue.md"), StandardCharsets.UTF_8);
        for (Scenario scenario : Catalogue.all()) {
            assertTrue(page.contains("| `" + scenario.id() + "` |"), scenario.id() + " is missing from docs/catalogue.md");
        }
    }

    @Test
    void theKernelRunsEveryScenarioThatDoesNotNeedTheSimulatedKernel() {
        List<Scenario> kernel = Catalogue.forBackend(Backend.KERNEL);
        assertFalse(kernel.isEmpty());
        assertTrue(kernel.stream().noneMatch(s -> s.id().startsWith("kernel.")),
                "committing a violation on a real kernel would crash it");
        assertEquals(Catalogue.all().size(), Catalogue.forBackend(Backend.SIMULATOR).size(),
                "the simulator checks everything");
    }
}
