package org.resmap.cli;

import static org.resmap.cli.DemoCommand.TAG;

import java.nio.charset.StandardCharsets;
import org.resmap.CachingType;
import org.resmap.KernelCalls;
import org.resmap.ResMap;
import org.resmap.SimAddress;
import org.resmap.Simulator;
import org.resmap.SimulatorConfig;

/**
 * The ring buffer without wrap-around code, as Microsoft's MIDI driver builds it: a divisible
 * reservation of twice the buffer, the buffer's pages mapped at its start and again right behind, so
 * that bytes written past the end land at the start. The demo acts as the driver, calling the
 * simulated kernel directly: one write that crosses two mappings is a plain memory copy in a driver,
 * and no device request can express it (each transfer stays inside one mapping).
 */
final class RingBufferDemo implements DemoCommand.Demo {

    static final int RING_PAGES = 2;
    static final String RECORD = "wraps-around-end";
    // MM_ALLOCATE_FULLY_REQUIRED: all the pages or none.
    private static final int FULLY_REQUIRED = 0x4;

    @Override
    public void run(ResMap device, Narration story, MachineSettings machine) {
        Simulator simulator = device.simulator().orElseThrow(() -> new IllegalStateException(
                "the ring-buffer demo acts as a driver on the simulated kernel: a write across two mappings is a "
                        + "plain memory copy inside a driver, which no device request can express"));
        if (machine.buildNumber() < SimulatorConfig.WIN10_2004) {
            throw new IllegalStateException("the ring-buffer demo needs a divisible reservation "
                    + "(MmAllocateMappingAddressEx, Windows 10 2004 and later); build " + machine.buildNumber()
                    + " has none");
        }
        KernelCalls kernel = simulator.kernel();
        long page = device.info().pageSize();
        long ring = RING_PAGES * page;
        int cached = CachingType.CACHED.value();
        story.say("This demo calls the simulated kernel directly, as the driver itself would.");

        SimAddress pages = story.step("Allocate the ring's memory: " + RING_PAGES + " pages (MmAllocatePagesForMdlEx)",
                () -> nonNull(simulator, "MmAllocatePagesForMdlEx",
                        kernel.mmAllocatePagesForMdlEx(ring, cached, FULLY_REQUIRED)),
                mdl -> "an MDL of " + RING_PAGES + " locked pages, " + ring + " bytes");

        SimAddress base = story.step("Reserve twice the ring's size, divisible (MM_MAPPING_ADDRESS_DIVISIBLE)",
                () -> nonNull(simulator, "MmAllocateMappingAddressEx", kernel.mmAllocateMappingAddressEx(2 * ring, TAG,
                        KernelCalls.MM_MAPPING_ADDRESS_DIVISIBLE)),
                b -> "a reservation of " + 2 * RING_PAGES + " pages whose halves can be mapped separately");

        SimAddress va = kernel.mmGetMdlVirtualAddress(pages);
        SimAddress[] partials = story.step("Build one partial MDL per mapping (IoBuildPartialMdl over the whole ring)",
                () -> new SimAddress[] {partial(simulator, kernel, pages, va, ring),
                    partial(simulator, kernel, pages, va, ring)},
                p -> "two MDLs describing the same " + RING_PAGES + " pages");
        story.note("an MDL can have only one system mapping at a time, so each view of the ring maps its own.");

        SimAddress first = story.step("Map the ring at the start of the reservation", () -> nonNull(simulator,
                        "MmMapLockedPagesWithReservedMapping", kernel.mmMapLockedPagesWithReservedMapping(base, TAG,
                                partials[0], cached)),
                p -> "mapped at offset 0");
        SimAddress second = story.step("Map the same pages again, right behind the first view",
                () -> nonNull(simulator, "MmMapLockedPagesWithReservedMapping", kernel.mmMapLockedPagesWithReservedMapping(
                                base.plus(ring), TAG, partials[1], cached)),
                p -> String.format("mapped at offset 0x%X: the reservation now shows the ring twice, back to back",
                        p.minus(base)));
        story.picture("One ring, two views: each frame appears twice");

        long position = ring - RECORD.length() / 2;
        story.step(String.format("Write the %d-byte record \"%s\" at ring position 0x%X, across the ring's end",
                RECORD.length(), RECORD, position), () -> {
                    kernel.write(first.plus(position), RECORD.getBytes(StandardCharsets.US_ASCII));
                    byte[] end = kernel.read(first.plus(position), RECORD.length());
                    byte[] start = kernel.read(first, RECORD.length() / 2);
                    alive(simulator, "the copy");
                    return new String[] {new String(end, StandardCharsets.US_ASCII),
                        new String(start, StandardCharsets.US_ASCII)};
                }, read -> String.format("read back whole at 0x%X: \"%s\"; the ring's first %d bytes now read "
                        + "\"%s\": the part past the end landed at the start", position, read[0],
                        RECORD.length() / 2, read[1]));
        story.note("one plain memory copy, no kernel call and no wrap-around code: the bytes past the end of the "
                + "first view are in the second, which shows the same frames, so a reader finds the record whole "
                + "at its position and a writer never splits a record.");

        story.step("Tear down in the order that cannot bugcheck: unmap both views, free their MDLs, free the "
                + "pages, free the reservation", () -> {
                    kernel.mmUnmapReservedMapping(second, TAG, partials[1]);
                    kernel.mmUnmapReservedMapping(first, TAG, partials[0]);
                    kernel.ioFreeMdl(partials[1]);
                    kernel.ioFreeMdl(partials[0]);
                    kernel.mmFreePagesFromMdl(pages);
                    kernel.exFreePool(pages);
                    kernel.mmFreeMappingAddress(base, TAG);
                    alive(simulator, "the teardown");
                }, "everything released; the machine is still running");
        story.note("freeing the reservation while a view is mapped is 0xDA/0x103, and freeing a view's MDL while "
                + "it is mapped is 0xC4/0xB8 (Driver Verifier). Freeing the pages first raises nothing (as a "
                + "ReactOS kernel-mode test observed on Windows), but the views would go on showing frames the "
                + "kernel hands to others.");
    }

    private static SimAddress partial(Simulator simulator, KernelCalls kernel, SimAddress source, SimAddress va,
                                      long bytes) {
        SimAddress mdl = nonNull(simulator, "IoAllocateMdl", kernel.ioAllocateMdl(va, (int) bytes));
        kernel.ioBuildPartialMdl(source, mdl, va, (int) bytes);
        return mdl;
    }

    private static SimAddress nonNull(Simulator simulator, String call, SimAddress result) {
        alive(simulator, call);
        if (result == null) {
            throw new IllegalStateException(call + " returned NULL on the simulated machine");
        }
        return result;
    }

    private static void alive(Simulator simulator, String after) {
        simulator.bugcheck().ifPresent(b -> {
            throw new IllegalStateException("the simulated machine bugchecked in " + after + ": " + b + " "
                    + b.meaning());
        });
    }
}
