package org.resmap.cli;

import static org.resmap.cli.DemoCommand.TAG;

import java.util.ArrayList;
import java.util.List;
import org.resmap.CachingType;
import org.resmap.Mapping;
import org.resmap.NtStatus;
import org.resmap.PageSet;
import org.resmap.ResMap;
import org.resmap.ResMapException;
import org.resmap.Reservation;
import org.resmap.SimCounters;
import org.resmap.Simulator;

/**
 * Why the family exists: a driver reserves address space while system PTEs are plentiful; when they
 * run out, ordinary mappings fail, and the reserved mapping still maps, unmaps and maps again. Runs on
 * the simulator only: a real kernel has far more system PTEs than one handle may map.
 */
final class ForwardProgressDemo implements DemoCommand.Demo {

    // Ordinary mappings fill the pool in chunks of about this fraction of it, then page by page.
    private static final int CHUNKS = 32;
    private static final int MAX_CHUNK_PAGES = 1024;

    @Override
    public void run(ResMap device, Narration story, MachineSettings machine) {
        Simulator simulator = device.simulator().orElseThrow(() -> new IllegalStateException(
                "the forward-progress demo runs on the simulator: a real kernel has far more system PTEs than one "
                        + "handle may map (the device's quota), so they cannot be exhausted from here"));
        long page = device.info().pageSize();

        Reservation reservation = story.step("At start-up, while system PTEs are plentiful, reserve one page (tag "
                        + TAG + ")", () -> device.reserve(page, TAG),
                r -> "reserved " + r.pages() + " page; " + ptes(simulator));
        story.note("the reservation holds its PTEs (its page and two header PTEs) from now on, mapped or not.");

        PageSet data = story.step("Allocate the page the driver will need to map under pressure",
                () -> device.allocatePages(page, CachingType.CACHED), p -> "a page set of " + p.pages() + " page");
        long free = simulator.counters().ptesTotal() - simulator.counters().ptesUsed();
        int chunk = (int) Math.max(1, Math.min(free / CHUNKS, MAX_CHUNK_PAGES));
        PageSet filler = story.step("Allocate " + chunk + " page(s) to map ordinarily, over and over",
                () -> device.allocatePages(chunk * page, CachingType.CACHED), p -> "a page set of " + p.pages()
                        + " page(s); " + ptes(simulator));

        List<Mapping> ordinary = new ArrayList<>();
        String stop = story.step("Map ordinary mappings (MmMapLockedPagesSpecifyCache) until the system PTE pool "
                + "runs out", () -> fill(filler, data, ordinary), why -> ordinary.size() + " ordinary mappings hold "
                + simulator.counters().ordinaryMappedPages() + " PTEs; " + ptes(simulator) + "; the next one was "
                + "refused: " + why);
        story.note((chunk > 1 ? "mappings of " + chunk + " pages while they fit, then of one page, " : "one page at a time, ")
                + "until a one-page mapping is refused: then no mapping of any size can be made. The driver core "
                + "maps with priority 0x40000010, NormalPagePriority (0x10) with MdlMappingNoExecute (0x40000000), "
                + "and BugCheckOnFailure FALSE, so a failure is NULL, not a bug check.");

        story.step("Now a driver without a reservation needs a mapping: an ordinary one", () -> {
            try {
                ordinary.add(data.mapOrdinary());
                return "it was mapped (the pool was not exhausted)";
            } catch (ResMapException e) {
                return "refused with " + e.status() + ": such a driver must fail or postpone the I/O";
            }
        }, result -> result + "; " + ptes(simulator));

        Mapping reserved = story.step("The driver with a reservation maps its page into it",
                () -> reservation.map(data), m -> "mapped " + m.bytes() + " bytes; " + ptes(simulator));
        story.note("no PTE is taken: the reservation's PTEs were taken in step 1, which is the point of reserving "
                + "them early (forward progress when system PTEs run short).");
        story.picture("System PTEs exhausted by ordinary mappings; the reservation still maps");

        story.step("Use it, unmap it, and map it again", () -> {
            LifecycleDemo.write(reserved, 0, "forward progress");
            String read = LifecycleDemo.read(reserved, 0, "forward progress".length());
            reserved.close();
            String afterUnmap = ptes(simulator);
            reserved.remap();
            return "read back \"" + read + "\"; after the unmap " + afterUnmap + "; mapped again; " + ptes(simulator);
        }, result -> result);

        story.step("Tear down: unmap everything, release the pages, free the reservation", () -> {
            reserved.close();
            ordinary.forEach(Mapping::close);
            filler.close();
            data.close();
            reservation.free(TAG);
        }, "released");
        story.say(String.format("%nAfterwards, %s.", ptes(simulator)));
    }

    /** Maps ordinary mappings until the pool refuses a one-page one; returns the refusal. */
    private static String fill(PageSet filler, PageSet single, List<Mapping> mappings) {
        PageSet current = filler;
        while (true) {
            try {
                mappings.add(current.mapOrdinary());
            } catch (ResMapException e) {
                if (e.status() == NtStatus.STATUS_INSUFFICIENT_RESOURCES && current != single) {
                    current = single;
                    continue;
                }
                return e.status().toString();
            }
        }
    }

    private static String ptes(Simulator simulator) {
        SimCounters c = simulator.counters();
        return "system PTEs used: " + c.ptesUsed() + " of " + c.ptesTotal();
    }
}
