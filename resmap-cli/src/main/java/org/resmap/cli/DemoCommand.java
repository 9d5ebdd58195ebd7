package org.resmap.cli;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.resmap.CachingType;
import org.resmap.DeviceInfo;
import org.resmap.Mapping;
import org.resmap.PageSet;
import org.resmap.PageSlice;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.Reservation;
import org.resmap.UserBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code resmap demo}: the whole life of a reserved mapping, narrated, with the kernel calls the
 * driver core made at each step.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Walk through reserve, map, write, read, sub-range, user buffer, unmap and free, "
                + "showing the kernel calls behind each step.")
final class DemoCommand implements Callable<Integer> {

    static final PoolTag TAG = PoolTag.of("RsMp");
    static final int PAGES = 4;
    static final String GREETING = "Hello through a reserved mapping";
    static final String SUB_RANGE_TEXT = "seen through a sub-range";
    static final String KERNEL_TEXT = "written by the kernel";
    // Inside the second page, 0x10 bytes in: the sub-range mapping then starts 0x10 into the reservation.
    static final long SUB_RANGE_OFFSET = 0x1010;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ResMap device = main.openDevice()) {
            DeviceInfo info = device.info();
            long page = info.pageSize();
            Narration story = new Narration(out, device.simulator());
            story.say(String.format("resmap demo on the %s back end (protocol %d)%s",
                    device.backend().id(), info.protocolVersion(),
                    story.tracesKernelCalls()
                            ? "; each step lists the kernel calls the driver core made and what they"
                                    + " returned."
                                    + System.lineSeparator() + "The trace writes pool tags as C character constants, so "
                                    + TAG + " appears as '" + new StringBuilder(TAG.toString()).reverse() + "'."
                            : "; kernel calls are listed only on the simulator."));

            Reservation reservation = story.step(
                    "Reserve " + PAGES + " pages of system address space (tag " + TAG + ")",
                    () -> device.reserve(PAGES * page, TAG),
                    r -> String.format("a reservation of %d bytes (%d pages); nothing is mapped yet, "
                            + "so touching it would bugcheck 0x50", r.bytes(), r.pages()));

            PageSet pages = story.step("Allocate " + PAGES + " pages of memory (MmCached)",
                    () -> device.allocatePages(PAGES * page, CachingType.CACHED),
                    p -> String.format("a locked page set of %d bytes (%d pages)", p.bytes(), p.pages()));

            Mapping whole = story.step("Map the whole page set into the reservation",
                    () -> reservation.map(pages),
                    m -> String.format("%d bytes mapped at offset %d of the reservation", m.bytes(),
                            m.offsetInReservation()));

            story.step("Write through the mapping and read it back", () -> {
                write(whole, 0, GREETING);
                write(whole, SUB_RANGE_OFFSET, SUB_RANGE_TEXT);
                return read(whole, 0, GREETING.length());
            }, text -> "read back \"" + text + "\"");

            story.step("Unmap it (the reservation stays, ready for the next mapping)", whole::close,
                    "unmapped; the reservation's pages are empty again");

            Mapping sub = story.step(String.format("Map only bytes 0x%X..0x%X of the page set",
                            SUB_RANGE_OFFSET, SUB_RANGE_OFFSET + 0xFF),
                    () -> reservation.map(new PageSlice(pages, SUB_RANGE_OFFSET, 0x100)),
                    m -> String.format("%d bytes mapped at offset 0x%X of the reservation: the page-aligned "
                            + "base plus the sub-range's offset in its page; it reads \"%s\"", m.bytes(),
                            m.offsetInReservation(), read(m, 0, SUB_RANGE_TEXT.length())));

            story.step("Unmap the sub-range", sub::close, "unmapped");

            UserBuffer buffer = story.step("Allocate a Java buffer (direct memory the driver can lock)",
                    () -> device.allocateUserBuffer(page),
                    b -> String.format("%d bytes of this process's memory", b.bytes()));
            PageSet locked = story.step("Lock the Java buffer's pages (MmProbeAndLockPages)",
                    () -> device.lock(buffer),
                    p -> String.format("a page set over the Java buffer, %d page(s)", p.pages()));

            Mapping kernelView = story.step("Map the locked Java buffer into the reservation",
                    () -> reservation.map(locked),
                    m -> String.format("the Java buffer is now also visible at offset %d of the reservation",
                            m.offsetInReservation()));

            story.step("Write through the kernel mapping, then read the Java buffer directly", () -> {
                write(kernelView, 0, KERNEL_TEXT);
                return javaView(buffer.buffer(), KERNEL_TEXT.length());
            }, text -> "the Java ByteBuffer now holds \"" + text + "\"");

            story.step("Tear down: unmap, unlock, release the pages, free the reservation", () -> {
                kernelView.close();
                locked.close();
                buffer.close();
                pages.close();
                reservation.free(TAG);
            }, "everything released, in the order that cannot bugcheck");

            DeviceInfo after = device.info();
            story.say(String.format("%nLive objects now: %d reservations, %d page sets, %d mappings.",
                    after.liveReservations(), after.livePageSets(),
                    after.liveReservedMappings() + after.liveOrdinaryMappings()));
        }
        return 0;
    }

    private static void write(Mapping mapping, long offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        mapping.write(offset, bytes, 0, bytes.length);
    }

    private static String read(Mapping mapping, long offset, int length) {
        return new String(mapping.read(offset, length), StandardCharsets.US_ASCII);
    }

    private static String javaView(ByteBuffer buffer, int length) {
        byte[] bytes = new byte[length];
        buffer.get(0, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
