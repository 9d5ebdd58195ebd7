package org.resmap.cli;

import static org.resmap.cli.DemoCommand.TAG;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.resmap.CachingType;
import org.resmap.DeviceInfo;
import org.resmap.Mapping;
import org.resmap.PageSet;
import org.resmap.PageSlice;
import org.resmap.ResMap;
import org.resmap.Reservation;
import org.resmap.UserBuffer;

/**
 * The whole life of a reserved mapping through the device: reserve, allocate, map, write, read, unmap,
 * map a sub-range, lock and map a Java buffer, tear down.
 */
final class LifecycleDemo implements DemoCommand.Demo {

    static final int PAGES = 4;
    static final String GREETING = "Hello through a reserved mapping";
    static final String SUB_RANGE_TEXT = "seen through a sub-range";
    static final String KERNEL_TEXT = "written by the kernel";
    // Inside the second page, 0x10 bytes in: the sub-range mapping then starts 0x10 into the reservation.
    static final long SUB_RANGE_OFFSET = 0x1010;

    @Override
    public void run(ResMap device, Narration story, MachineSettings machine) {
        long page = device.info().pageSize();
        Reservation reservation = story.step(
                "Reserve " + PAGES + " pages of system address space (tag " + TAG + ")",
                () -> device.reserve(PAGES * page, TAG),
                r -> String.format("a reservation of %d bytes (%d pages); nothing is mapped yet, "
                        + "so touching it would bugcheck 0x50", r.bytes(), r.pages()));
        story.note("the driver core first allocates its own record of the object from nonpaged pool (tag RsMc, "
                + "'cmsR' in C): every object a handle owns is such a block, found by its handle and freed when "
                + "the object or the handle is closed.");
        if (story.tracesKernelCalls()) {
            story.note("the address is sysva+0x2000, not sysva+0x0, because a reservation takes two header PTEs "
                    + "in front of its pages (ReactOS keeps the range's size and tag there, and the simulator does "
                    + "the same): on this fresh machine, PTEs 0 and 1.");
        }
        story.picture("Reserved: two header PTEs, then four empty pages");

        PageSet pages = story.step("Allocate " + PAGES + " pages of memory (MmCached)",
                () -> device.allocatePages(PAGES * page, CachingType.CACHED),
                p -> String.format("a locked page set of %d bytes (%d pages)", p.bytes(), p.pages()));
        if (story.tracesKernelCalls()) {
            story.note("flags 0x4 is MM_ALLOCATE_FULLY_REQUIRED: all the pages or none, so a page set never "
                    + "comes back short.");
        }

        Mapping whole = story.step("Map the whole page set into the reservation",
                () -> reservation.map(pages),
                m -> String.format("%d bytes mapped at offset %d of the reservation", m.bytes(),
                        m.offsetInReservation()));
        story.note("the driver core maps a partial MDL built from the page set's MDL (IoBuildPartialMdl over all "
                + "of it): an MDL may have only one system mapping at a time, and a partial MDL per mapping lets "
                + "the same pages be mapped more than once.");
        story.picture("The page set mapped: each reserved page shows one of its frames");

        story.step(String.format("Write \"%s\" at offset 0 and \"%s\" at offset 0x%X, read the first back",
                GREETING, SUB_RANGE_TEXT, SUB_RANGE_OFFSET), () -> {
                    write(whole, 0, GREETING);
                    write(whole, SUB_RANGE_OFFSET, SUB_RANGE_TEXT);
                    return read(whole, 0, GREETING.length());
                }, text -> "read back \"" + text + "\"");

        story.step("Unmap it (the reservation stays, ready for the next mapping)", whole::close,
                "unmapped; the reservation's pages are empty again");

        Mapping sub = story.step(String.format("Map only bytes 0x%X..0x%X of the page set",
                        SUB_RANGE_OFFSET, SUB_RANGE_OFFSET + 0xFF),
                () -> reservation.map(new PageSlice(pages, SUB_RANGE_OFFSET, 0x100)),
                m -> String.format("%d bytes mapped at offset 0x%X of the reservation; they read \"%s\", written "
                        + "in step 4 at offset 0x%X of the page set", m.bytes(), m.offsetInReservation(),
                        read(m, 0, SUB_RANGE_TEXT.length()), SUB_RANGE_OFFSET));
        story.note(String.format("the map returns the page-aligned base plus the MDL's byte offset: the sub-range "
                + "starts 0x%X bytes into its page (page 1 of the set), and that page is mapped at the "
                + "reservation's first page, so its bytes appear at offset 0x%X.", SUB_RANGE_OFFSET % page,
                SUB_RANGE_OFFSET % page));
        story.picture("A sub-range mapped: page 1 of the set now shows at the reservation's first page");

        story.step("Unmap the sub-range", sub::close, "unmapped");

        UserBuffer buffer = story.step("Allocate a Java buffer (direct memory the driver can lock)",
                () -> device.allocateUserBuffer(page),
                b -> String.format("%d bytes of this process's memory", b.bytes()));
        PageSet locked = story.step("Lock the Java buffer's pages (MmProbeAndLockPages)",
                () -> device.lock(buffer),
                p -> String.format("a page set over the Java buffer, %d page(s)", p.pages()));
        story.note("IoAllocateMdl describes the buffer; MmProbeAndLockPages(UserMode, IoModifyAccess) checks that "
                + "this process may write it and pins its frames, so they cannot move while the kernel uses them.");

        Mapping kernelView = story.step("Map the locked Java buffer into the reservation",
                () -> reservation.map(locked),
                m -> String.format("the Java buffer is now also visible at offset %d of the reservation",
                        m.offsetInReservation()));
        story.picture("The Java buffer's frame mapped into system space");

        story.step("Write through the kernel mapping, then read the Java buffer directly", () -> {
            write(kernelView, 0, KERNEL_TEXT);
            return javaView(buffer.buffer(), KERNEL_TEXT.length());
        }, text -> "the Java ByteBuffer now holds \"" + text + "\"");
        story.note("reads and writes are copies through the mapped address; they need no kernel call.");

        story.step("Tear down: unmap, unlock, release the pages, free the reservation", () -> {
            kernelView.close();
            locked.close();
            buffer.close();
            pages.close();
            reservation.free(TAG);
        }, "everything released, in the order that cannot bugcheck");
        story.note("unmap first: unlocking pages still mapped in a reservation is 0xDA/0x301 and freeing a mapped "
                + "reservation 0xDA/0x103; the device refuses both (STATUS_SHARING_VIOLATION, "
                + "STATUS_INVALID_DEVICE_STATE).");

        DeviceInfo after = device.info();
        story.say(String.format("%nLive objects now: %d reservations, %d page sets, %d mappings.",
                after.liveReservations(), after.livePageSets(),
                after.liveReservedMappings() + after.liveOrdinaryMappings()));
    }

    static void write(Mapping mapping, long offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        mapping.write(offset, bytes, 0, bytes.length);
    }

    static String read(Mapping mapping, long offset, int length) {
        return new String(mapping.read(offset, length), StandardCharsets.US_ASCII);
    }

    private static String javaView(ByteBuffer buffer, int length) {
        byte[] bytes = new byte[length];
        buffer.get(0, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
