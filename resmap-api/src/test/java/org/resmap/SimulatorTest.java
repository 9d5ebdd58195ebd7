package org.resmap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.resmap.internal.SimulatorTransport;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only the simulator back end offers: counters, fault injection, bug checks, independent machines. */
@DisabledIfSystemProperty(named = ResMap.BACKEND_PROPERTY, matches = "kernel",
        disabledReason = "simulator-only: the kernel back end has no simulated machine to inspect")
class SimulatorTest {

    private static final PoolTag TAG = PoolTag.of("RsMp");
    private static final int PAGE = 4096;

    @Test
    void theSimulatorIsPresentOnlyOnTheSimulatorBackEnd() {
        try (ResMap device = ResMap.open(Backend.SIMULATOR)) {
            assertSame(Backend.SIMULATOR, device.backend());
            assertTrue(device.simulator().isPresent());
            assertTrue(device.simulator().orElseThrow().bugcheck().isEmpty());
        }
    }

    /**
     * The driver core's device block (72 bytes of pool) outlives every session, as a loaded driver's
     * device does, so "everything released" means "as after an idle open and close".
     */
    @Test
    void closingTheDeviceReleasesEverythingInTheMachine() {
        ResMap untouched = ResMap.openSimulator(SimulatorConfig.defaults());
        Simulator untouchedMachine = untouched.simulator().orElseThrow();
        untouched.close();
        SimCounters idle = untouchedMachine.counters();
        assertEquals(0, idle.sessions());
        assertEquals(0, idle.reservations() + idle.mdls() + idle.framesAllocated() + idle.userBuffers());

        ResMap device = ResMap.openSimulator(SimulatorConfig.defaults());
        Simulator machine = device.simulator().orElseThrow();
        Reservation reservation = device.reserve(2 * PAGE, TAG);
        PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
        reservation.map(pages);
        pages.mapOrdinary();
        UserBuffer buffer = device.allocateUserBuffer(2 * PAGE);
        device.lock(buffer);

        SimCounters busy = machine.counters();
        assertEquals(1, busy.reservations());
        assertEquals(2, busy.reservedMappedPages());
        assertEquals(1, busy.ordinaryMappings());
        assertEquals(2, busy.framesAllocated());
        assertEquals(2, busy.framesLocked());
        assertEquals(1, busy.userBuffers());
        assertEquals(1, busy.sessions());
        assertFalse(busy.holdsSameAs(idle));

        device.close();

        SimCounters after = machine.counters();
        assertTrue(after.holdsSameAs(idle), "left behind: " + after + ", idle: " + idle);
        assertTrue(after.calls() > busy.calls());
        assertThrows(IllegalStateException.class, machine::drainTrace, "the machine itself is gone");
    }

    /**
     * What the driver's file cleanup does when a process dies holding everything: the handle is closed
     * with no object closed first, so the core alone must unmap, unlock, free and release, in an order
     * that cannot bugcheck (0x76 if user pages stayed locked, 0xDA if a mapped range were freed).
     */
    @Test
    void closingOnlyTheHandleLetsTheDriverReleaseEverything() {
        ResMap untouched = ResMap.openSimulator(SimulatorConfig.defaults());
        Simulator untouchedMachine = untouched.simulator().orElseThrow();
        untouched.close();
        SimCounters idle = untouchedMachine.counters();

        SimulatorTransport transport = new SimulatorTransport(SimulatorConfig.defaults());
        ResMap device = ResMap.over(transport);
        Reservation reservation = device.reserve(2 * PAGE, TAG);
        PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
        reservation.map(pages.slice(0, PAGE));
        pages.mapOrdinary();
        UserBuffer buffer = device.allocateUserBuffer(PAGE);
        device.reserve(PAGE, TAG).map(device.lock(buffer));
        SimCounters busy = transport.machine().counters();
        assertEquals(2, busy.reservedMappedPages());
        assertEquals(1, busy.ordinaryMappings());
        assertEquals(1, busy.framesLocked());

        transport.close();

        assertTrue(transport.machine().bugcheck().isEmpty(), "cleanup made the kernel bugcheck");
        SimCounters after = transport.machine().counters();
        assertTrue(after.holdsSameAs(idle), "left behind: " + after + ", idle: " + idle);
    }

    @Test
    void twoDevicesHaveIndependentMachines() {
        try (ResMap first = ResMap.open(Backend.SIMULATOR); ResMap second = ResMap.open(Backend.SIMULATOR)) {
            first.reserve(3 * PAGE, TAG);
            assertEquals(1, first.simulator().orElseThrow().counters().reservations());
            assertEquals(0, second.simulator().orElseThrow().counters().reservations());

            Simulator dying = first.simulator().orElseThrow();
            KernelCalls kernel = dying.kernel();
            SimAddress base = kernel.mmAllocateMappingAddress(PAGE, TAG);
            assertNotNull(base);
            kernel.mmFreeMappingAddress(base, PoolTag.of("Oops"));
            Bugcheck bugcheck = dying.bugcheck().orElseThrow();
            assertEquals(0xDA, bugcheck.code(), bugcheck.toString());
            assertTrue(bugcheck.meaning().startsWith("SYSTEM_PTE_MISUSE"), bugcheck.meaning());

            ResMapException dead = assertThrows(ResMapException.class, first::info);
            assertSame(NtStatus.RESMAP_SIM_STATUS_BUGCHECKED, dead.status());

            assertTrue(second.simulator().orElseThrow().bugcheck().isEmpty());
            try (Reservation alive = second.reserve(PAGE, TAG)) {
                assertEquals(PAGE, alive.bytes());
            }
        }
    }

    @Test
    void injectedFaultsSurfaceAsInsufficientResources() {
        try (ResMap device = ResMap.open(Backend.SIMULATOR)) {
            Simulator machine = device.simulator().orElseThrow();
            machine.failNth(FaultKind.RESERVATION, 1);
            ResMapException refused = assertThrows(ResMapException.class, () -> device.reserve(PAGE, TAG));
            assertSame(NtStatus.STATUS_INSUFFICIENT_RESOURCES, refused.status());
            assertTrue(machine.allocations(FaultKind.RESERVATION) >= 1);

            try (Reservation reservation = device.reserve(PAGE, TAG);
                 PageSet pages = device.allocatePages(PAGE, CachingType.CACHED)) {
                machine.failNth(FaultKind.MAPPING, 1);
                ResMapException noPtes = assertThrows(ResMapException.class, pages::mapOrdinary);
                assertSame(NtStatus.STATUS_INSUFFICIENT_RESOURCES, noPtes.status());
                try (Mapping reserved = reservation.map(pages)) {
                    assertEquals(PAGE, reserved.bytes(), "the reserved range still maps when PTEs are short");
                }
            }
            assertTrue(machine.counters().reservations() == 0 && machine.counters().mdls() == 0,
                    "a refused request leaks nothing: " + machine.counters());
        }
    }

    @Test
    void oldBuildsHaveNoDivisibleReservations() {
        SimulatorConfig win81 = SimulatorConfig.builder().windowsBuild(SimulatorConfig.WIN81).build();
        try (ResMap device = ResMap.openSimulator(win81)) {
            assertFalse(device.info().divisibleSupported());
            ResMapException refused = assertThrows(ResMapException.class, () -> device.reserveDivisible(PAGE, TAG));
            assertSame(NtStatus.STATUS_NOT_SUPPORTED, refused.status());
        }
        try (ResMap device = ResMap.open(Backend.SIMULATOR)) {
            assertTrue(device.info().divisibleSupported());
        }
    }

    @Test
    void theTraceRecordsKernelCalls() {
        try (ResMap device = ResMap.openSimulator(SimulatorConfig.builder().trace(true).build())) {
            Simulator machine = device.simulator().orElseThrow();
            machine.drainTrace();
            device.reserve(2 * PAGE, TAG).close();
            List<String> trace = machine.drainTrace();
            assertTrue(trace.stream().anyMatch(line -> line.startsWith("MmAllocateMappingAddress")), trace.toString());
            assertTrue(trace.stream().anyMatch(line -> line.startsWith("MmFreeMappingAddress")), trace.toString());
            assertTrue(machine.drainTrace().isEmpty(), "draining removes the lines");
            machine.traceEnabled(false);
            device.reserve(PAGE, TAG).close();
            assertTrue(machine.drainTrace().isEmpty());
        }
    }

    @Test
    void touchingAnUnmappedReservedPageIsBugcheck0x50() {
        try (ResMap device = ResMap.open(Backend.SIMULATOR)) {
            Simulator machine = device.simulator().orElseThrow();
            SimAddress base = machine.kernel().mmAllocateMappingAddress(PAGE, TAG);
            assertEquals(-1, machine.kernel().touch(base));
            Bugcheck bugcheck = machine.bugcheck().orElseThrow();
            assertEquals(0x50, bugcheck.code());
            assertTrue(bugcheck.meaning().startsWith("PAGE_FAULT_IN_NONPAGED_AREA"), bugcheck.meaning());
        }
    }

    @Test
    void theKernelBackEndNeedsWindows() {
        org.junit.jupiter.api.Assumptions.assumeFalse(com.sun.jna.Platform.isWindows());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ResMap.open(Backend.KERNEL));
        assertTrue(e.getMessage().contains("docs/windows-vm.md"), e.getMessage());
    }
}
