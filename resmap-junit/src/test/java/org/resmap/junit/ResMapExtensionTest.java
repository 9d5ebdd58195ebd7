package org.resmap.junit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;
import org.junit.platform.testkit.engine.Events;
import org.resmap.CachingType;
import org.resmap.Mapping;
import org.resmap.PageSet;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.Reservation;
import org.resmap.SimAddress;
import org.resmap.SimulatorConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The extension seen from outside: each nested class below is a small test class of the kind a user
 * writes (with the fault planted that the extension must catch), run by the JUnit engine through the
 * EngineTestKit, and what the engine reported is checked. The nested classes are not run on their own.
 */
class ResMapExtensionTest {

    private static final long PAGE = 4096;
    private static final PoolTag TAG = PoolTag.of("Test");

    /** Devices the planted tests saw, so the outer test can check what became of them. */
    private static final List<ResMap> seen = new ArrayList<>();
    private static final List<Boolean> divisible = new ArrayList<>();

    @BeforeEach
    void forget() {
        seen.clear();
        divisible.clear();
    }

    @ResMapTest
    static class Clean {
        @Test
        void mapsAndClosesEverything(ResMap device) {
            seen.add(device);
            try (Reservation reservation = device.reserve(2 * PAGE, TAG);
                 PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
                 Mapping mapping = reservation.map(pages)) {
                mapping.write(0, new byte[] {42}, 0, 1);
            }
        }
    }

    @Test
    void aCleanTestPassesAndItsDeviceIsClosedAfterwards() {
        Events tests = run(Clean.class);
        tests.assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertEquals(1, seen.size());
        assertTrue(seen.get(0).toString().contains("closed"), seen.get(0).toString());
    }

    @ResMapTest
    static class LeaksAReservation {
        @Test
        void forgetsToFree(ResMap device) {
            seen.add(device);
            device.reserve(4 * PAGE, TAG);
        }
    }

    @Test
    void aTestThatLeavesAReservationOpenFailsAndNamesIt() {
        String message = onlyFailure(run(LeaksAReservation.class));
        assertTrue(message.contains("the test left 1 object open"), message);
        assertTrue(message.contains("reservation 0x"), message);
        assertTrue(message.contains("16384 bytes, tag 'Test'"), message);
        assertTrue(seen.get(0).toString().contains("closed"), "closed even though the test failed");
    }

    @ResMapTest
    static class FreesAMappedReservation {
        @Test
        void freesWhileMapped(ResMap device) {
            var kernel = device.simulator().orElseThrow().kernel();
            SimAddress base = kernel.mmAllocateMappingAddress(PAGE, TAG);
            SimAddress mdl = kernel.mmAllocatePagesForMdlEx(PAGE, 1, 0);
            kernel.mmMapLockedPagesWithReservedMapping(base, TAG, mdl, 1);
            kernel.mmFreeMappingAddress(base, TAG);
        }
    }

    @Test
    void aTestThatBugchecksFailsWithTheBugchecksMeaningAndTheKernelCalls() {
        String message = onlyFailure(run(FreesAMappedReservation.class));
        assertTrue(message.startsWith("the simulated machine bugchecked: 0xDA (0x103, "), message);
        assertTrue(message.contains("SYSTEM_PTE_MISUSE"), message);
        assertTrue(message.contains("freed a range that is still mapped"), message);
        assertTrue(message.contains("MmMapLockedPagesWithReservedMapping("), message);
        assertTrue(message.contains("MmFreeMappingAddress(") && message.contains("BUGCHECK 0xDA"), message);
    }

    @ResMapTest
    static class ExpectsBugchecks {
        @Test
        @ExpectBugcheck(value = 0xDA, parameter1 = 0x103)
        void theExpectedOne(ResMap device) {
            new FreesAMappedReservation().freesWhileMapped(device);
        }

        @Test
        @ExpectBugcheck(0xDA)
        void noneAtAll(ResMap device) {
            device.reserve(PAGE, TAG).close();
        }

        @Test
        @ExpectBugcheck(0x50)
        void anotherOne(ResMap device) {
            new FreesAMappedReservation().freesWhileMapped(device);
        }
    }

    @Test
    void anExpectedBugcheckPassesAndAMissingOrDifferentOneFails() {
        Events tests = run(ExpectsBugchecks.class);
        tests.assertStatistics(s -> s.started(3).succeeded(1).failed(2));
        assertEquals("expected bug check 0xDA, but the simulated machine raised none", failureOf(tests, "noneAtAll"));
        String other = failureOf(tests, "anotherOne");
        assertTrue(other.startsWith("the simulated machine bugchecked: 0xDA") && other.contains("(the test expected 0x50)"),
                other);
    }

    @ResMapTest
    static class LeaksThroughTheKernel {
        @Test
        void reservesDirectly(ResMap device) {
            device.simulator().orElseThrow().kernel().mmAllocateMappingAddress(2 * PAGE, TAG);
        }
    }

    @Test
    void kernelResourcesStillHeldAfterTheDeviceClosedFailTheTest() {
        String message = onlyFailure(run(LeaksThroughTheKernel.class));
        assertTrue(message.startsWith("the simulated machine still held kernel resources"), message);
        assertTrue(message.contains("reservations 1 (an idle machine: 0)"), message);
        assertTrue(message.contains("reservedPages 2 (an idle machine: 0)"), message);
    }

    @ResMapTest
    @Machine(windowsBuild = SimulatorConfig.WIN81, systemPtes = 64)
    static class OnAnOldSmallMachine {
        @Test
        void classSettings(ResMap device) {
            assertFalse(device.info().divisibleSupported(), "Windows 8.1 has no MmAllocateMappingAddressEx");
            assertEquals(64, device.simulator().orElseThrow().counters().ptesTotal());
        }

        @Test
        @Machine(windowsBuild = SimulatorConfig.WIN10_2004)
        void methodSettingsReplaceTheClasss(ResMap device) {
            assertTrue(device.info().divisibleSupported());
            assertEquals(SimulatorConfig.defaults().systemPtes() == 0 ? 4096 : SimulatorConfig.defaults().systemPtes(),
                    device.simulator().orElseThrow().counters().ptesTotal());
        }

        @Test
        @Machine(verifier = false)
        void verifierOff(ResMap device) {
            // With Verifier on, asking MmMapLockedPagesSpecifyCache to bugcheck on failure is 0xC4/0x82.
            var kernel = device.simulator().orElseThrow().kernel();
            SimAddress mdl = kernel.mmAllocatePagesForMdlEx(PAGE, 1, 0);
            SimAddress va = kernel.mmMapLockedPagesSpecifyCache(mdl, 1, true, 16);
            assertTrue(device.simulator().orElseThrow().bugcheck().isEmpty());
            kernel.mmUnmapLockedPages(va, mdl);
            kernel.mmFreePagesFromMdl(mdl);
            kernel.exFreePool(mdl);
        }
    }

    @Test
    void machineSettingsComeFromTheMethodElseTheClass() {
        run(OnAnOldSmallMachine.class).assertStatistics(s -> s.started(3).succeeded(3));
    }

    @ResMapTest
    static class EveryBuild {
        @AcrossBuilds
        void reserves(ResMap device) {
            divisible.add(device.info().divisibleSupported());
            device.reserve(PAGE, TAG).close();
        }
    }

    @Test
    void acrossBuildsRunsOncePerBuildEachOnAMachineOfThatBuild() {
        Events tests = run(EveryBuild.class);
        tests.assertStatistics(s -> s.started(4).succeeded(4));
        assertEquals(List.of(false, false, true, true), divisible);
        assertEquals(List.of("build 9600 (Windows 8.1)", "build 10240 (Windows 10 1507)",
                        "build 19041 (Windows 10 2004)", "build 22631 (Windows 11 23H2)"),
                tests.started().stream().map(e -> e.getTestDescriptor().getDisplayName()).toList());
    }

    @ResMapTest
    static class SharesTheDevice {
        ResMap before;

        @BeforeEach
        void setUp(ResMap device) {
            before = device;
        }

        @Test
        void sameDevice(ResMap device) {
            assertSame(before, device);
        }
    }

    @ResMapTest
    static class WantsADeviceForTheWholeClass {
        @BeforeAll
        static void setUp(ResMap device) {
        }

        @Test
        void neverRuns() {
        }
    }

    @ResMapTest
    static class WantsADeviceInItsConstructor {
        WantsADeviceInItsConstructor(ResMap device) {
        }

        @Test
        void neverRuns() {
        }
    }

    @ResMapTest
    @Machine(windowsBuild = SimulatorConfig.WIN81)
    static class Outer {
        @org.junit.jupiter.api.Nested
        class Inner {
            @Test
            void getsTheEnclosingClasssMachine(ResMap device) {
                assertFalse(device.info().divisibleSupported());
            }
        }
    }

    @Test
    void aNestedClassGetsTheEnclosingClasssMachineAndAConstructorGetsNoDevice() {
        run(Outer.class).assertStatistics(s -> s.started(1).succeeded(1));
        String message = failure(run(WantsADeviceInItsConstructor.class).failed().stream().findFirst().orElseThrow())
                .getMessage();
        assertTrue(message.contains("a ResMap parameter belongs to one test"), message);
    }

    @Test
    void beforeEachAndTheTestShareOneDeviceButBeforeAllGetsNone() {
        run(SharesTheDevice.class).assertStatistics(s -> s.started(1).succeeded(1));
        Events containers = EngineTestKit.engine("junit-jupiter").selectors(selectClass(WantsADeviceForTheWholeClass.class))
                .execute().containerEvents();
        String message = containers.failed().stream().findFirst().orElseThrow().getRequiredPayload(
                org.junit.platform.engine.TestExecutionResult.class).getThrowable().orElseThrow().getMessage();
        assertTrue(message.contains("a ResMap parameter belongs to one test"), message);
    }

    @ResMapTest
    static class FailsWithAnObjectOpen {
        @Test
        void assertionFails(ResMap device) {
            device.reserve(PAGE, TAG);
            throw new AssertionError("the test's own failure");
        }
    }

    @Test
    void aTestThatFailsOnItsOwnIsNotAlsoBlamedForWhatItLeftOpen() {
        Events tests = run(FailsWithAnObjectOpen.class);
        Throwable failure = failure(tests.failed().stream().findFirst().orElseThrow());
        assertEquals("the test's own failure", failure.getMessage());
        assertEquals(0, failure.getSuppressed().length);
    }

    @ResMapTest
    static class OnTheKernel {
        @Test
        void plain(ResMap device) {
        }

        @Test
        @Machine(systemPtes = 64)
        void needsTheSimulator(ResMap device) {
        }

        @Test
        @ExpectBugcheck(0xDA)
        void bugchecks(ResMap device) {
        }
    }

    @Test
    void theKernelBackEndIsUsedWhenThePropertyAsksAndSkipsSimulatorOnlyTests() {
        org.junit.jupiter.api.Assumptions.assumeFalse(System.getProperty("os.name").startsWith("Windows"),
                "on Windows the driver may well be installed");
        Events tests = withBackend("kernel", () -> run(OnTheKernel.class));
        tests.assertStatistics(s -> s.skipped(2).started(1).failed(1));
        String message = failureOf(tests, "plain");
        assertTrue(message.contains("the kernel back end needs Windows"), "not quietly the simulator: " + message);
        assertTrue(tests.skipped().stream().allMatch(e -> e.getPayload(String.class).orElseThrow()
                .contains("needs a simulated machine")));
    }

    @Test
    void anUnknownBackEndIsAnError() {
        IllegalArgumentException e = withBackend("vm",
                () -> assertThrows(IllegalArgumentException.class, ResMapExtension::requestedBackend));
        assertTrue(e.getMessage().contains("must be kernel or simulator, not \"vm\""), e.getMessage());
    }

    /** Runs with -Dresmap.backend set as a user would, then puts the property back. */
    private static <T> T withBackend(String backend, java.util.function.Supplier<T> action) {
        String before = System.getProperty(ResMap.BACKEND_PROPERTY);
        System.setProperty(ResMap.BACKEND_PROPERTY, backend);
        try {
            return action.get();
        } finally {
            if (before == null) {
                System.clearProperty(ResMap.BACKEND_PROPERTY);
            } else {
                System.setProperty(ResMap.BACKEND_PROPERTY, before);
            }
        }
    }

    private static Events run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute().testEvents();
    }

    /** @return the message of the one test that ran, which must have failed */
    private static String onlyFailure(Events tests) {
        tests.assertStatistics(s -> s.started(1).failed(1));
        return failure(tests.failed().stream().findFirst().orElseThrow()).getMessage();
    }

    private static String failureOf(Events tests, String method) {
        Predicate<Event> named = e -> e.getTestDescriptor().getDisplayName().startsWith(method + "(");
        Optional<Event> failed = tests.failed().stream().filter(named).findFirst();
        return failure(failed.orElseThrow(() -> new AssertionError(method + " did not fail"))).getMessage();
    }

    private static Throwable failure(Event event) {
        assertEquals(EventType.FINISHED, event.getType());
        return event.getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class).getThrowable().orElseThrow();
    }
}
