package org.resmap.catalogue;

import static org.resmap.catalogue.Scenario.onEveryBackend;
import static org.resmap.catalogue.Scenario.onSimulator;
import static org.resmap.catalogue.Source.D;
import static org.resmap.catalogue.Source.K;
import static org.resmap.catalogue.Source.R;
import static org.resmap.catalogue.Source.X;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.resmap.BenchResult;
import org.resmap.CachingType;
import org.resmap.DeviceInfo;
import org.resmap.FaultKind;
import org.resmap.Mapping;
import org.resmap.NtStatus;
import org.resmap.ObjectState;
import org.resmap.PageSet;
import org.resmap.PageSlice;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.Reservation;
import org.resmap.SimCounters;
import org.resmap.UserBuffer;

/**
 * Statements checked through the device, so they hold on the real kernel and on the simulator alike:
 * what the four functions do when used correctly, as the device exposes it.
 */
final class DeviceScenarios {

    static final long PAGE = 4096;
    static final PoolTag TAG = PoolTag.of("RsMp");
    static final String FORWARD_PROGRESS = "forward-progress.reserved-maps-when-ptes-short";

    private DeviceScenarios() {
    }

    static List<Scenario> all() {
        return List.of(
                onEveryBackend("reserve.one-byte-is-one-page",
                        "Reserving 1 byte reserves one whole page.", List.of(K), DeviceScenarios::oneByteOnePage),
                onEveryBackend("reserve.tag-one-works",
                        "Any non-zero tag is accepted, even 1.", List.of(K), DeviceScenarios::tagOneWorks),
                onEveryBackend("map.whole-page-set",
                        "Locked pages mapped into a reservation are readable and writable through it, "
                                + "at offset 0.", List.of(D), DeviceScenarios::wholePageSet),
                onEveryBackend("map.address-includes-byte-offset",
                        "The mapped address is the page-aligned base plus the MDL's byte offset.",
                        List.of(D), DeviceScenarios::addressIncludesByteOffset),
                onEveryBackend("map.strict-subset",
                        "A sub-range of the pages may be mapped; it must fit in the reservation but "
                                + "may be smaller.", List.of(D), DeviceScenarios::strictSubset),
                onEveryBackend("map.repeatable",
                        "A reservation can be mapped and unmapped any number of times.",
                        List.of(D), DeviceScenarios::repeatable),
                onEveryBackend("map.same-mdl-again",
                        "The same pages can be mapped again after an unmap.", List.of(K),
                        DeviceScenarios::samePagesAgain),
                onEveryBackend("map.frames-shared",
                        "A mapping shows the pages' frames in order: a write through the reserved mapping "
                                + "is seen through an ordinary mapping of the same pages.", List.of(K),
                        DeviceScenarios::framesShared),
                onEveryBackend("map.user-buffer",
                        "A caller's buffer locked with MmProbeAndLockPages can be mapped; writes through "
                                + "the system mapping land in the caller's memory.", List.of(D),
                        DeviceScenarios::userBuffer),
                onEveryBackend("map.user-buffer-byte-offset",
                        "A buffer that starts inside a page maps at the base plus its byte offset.",
                        List.of(D), DeviceScenarios::userBufferByteOffset),
                onEveryBackend("map.caching-types",
                        "Allocated pages have no caching type of their own, so the map's CacheType decides; "
                                + "MmNonCached, MmCached and MmWriteCombined are all valid.", List.of(D),
                        DeviceScenarios::cachingTypes),
                onEveryBackend("divisible.independent-sub-ranges",
                        "A divisible reservation (Windows 10 2004 and later) takes separate mappings of "
                                + "page-aligned sub-ranges, e.g. the same pages twice for a ring buffer; "
                                + "older kernels refuse it.", List.of(D), DeviceScenarios::divisible),
                onEveryBackend("bench.cycles-leave-nothing-behind",
                        "The in-driver bench maps and unmaps a page set N times on each path (reserved, then "
                                + "ordinary, alternating), timed with KeQueryPerformanceCounter: the reservation is "
                                + "reserved again after each MmUnmapReservedMapping, so afterwards it is unmapped "
                                + "and every count and quota is as before.", List.of(D),
                        DeviceScenarios::benchLeavesNothingBehind),
                onEveryBackend("teardown.objects-closed-in-safe-order",
                        "Unmap, then release the pages, then free the range: every count returns to zero.",
                        List.of(D), DeviceScenarios::teardown),
                onSimulator(FORWARD_PROGRESS,
                        "When system PTEs are short an ordinary mapping fails, while a reserved range "
                                + "still maps: the reason the API exists.", List.of(D, X),
                        DeviceScenarios::forwardProgress),
                onSimulator("teardown.close-releases-everything",
                        "Closing the device handle unmaps, unlocks, releases and frees everything; the "
                                + "machine is left as it was.", List.of(D, R), DeviceScenarios::closeReleases));
    }

    private static void oneByteOnePage(ScenarioContext context) {
        try (Reservation reservation = context.device().reserve(1, TAG)) {
            Expect.equal("pages reserved for 1 byte", 1, reservation.pages());
            Expect.equal("bytes reserved for 1 byte", PAGE, reservation.bytes());
        }
    }

    private static void tagOneWorks(ScenarioContext context) {
        try (Reservation reservation = context.device().reserve(PAGE, PoolTag.ofValue(1))) {
            Expect.equal("reservation state", ObjectState.RESERVED, reservation.query().state());
            Expect.equal("tag kept", PoolTag.ofValue(1), reservation.query().tag());
        }
    }

    private static void wholePageSet(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            Expect.equal("mapped bytes", 2 * PAGE, mapping.bytes());
            Expect.equal("offset of the mapping", 0L, mapping.offsetInReservation());
            byte[] text = ascii("through the reserved mapping");
            mapping.write(PAGE + 7, text, 0, text.length);
            Expect.equal("bytes read back", Arrays.toString(text),
                    Arrays.toString(mapping.read(PAGE + 7, text.length)));
            Expect.equal("reservation state while mapped", ObjectState.MAPPED, reservation.query().state());
        }
    }

    private static void addressIncludesByteOffset(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(new PageSlice(pages, PAGE + 0x10, 0x20))) {
            Expect.equal("offset of a sub-range starting 0x10 into its page", 0x10L, mapping.offsetInReservation());
            Expect.equal("mapped bytes", 0x20L, mapping.bytes());
        }
    }

    private static void strictSubset(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(4 * PAGE, TAG);
             PageSet pages = device.allocatePages(4 * PAGE, CachingType.CACHED)) {
            byte[] text = ascii("third page");
            try (Mapping whole = reservation.map(pages)) {
                whole.write(2 * PAGE, text, 0, text.length);
            }
            try (Mapping part = reservation.map(new PageSlice(pages, 2 * PAGE, 2 * PAGE))) {
                Expect.equal("mapped bytes of the sub-range", 2 * PAGE, part.bytes());
                Expect.equal("offset of the sub-range", 0L, part.offsetInReservation());
                Expect.equal("first bytes of the sub-range", "third page",
                        new String(part.read(0, text.length), StandardCharsets.US_ASCII));
            }
        }
    }

    private static void repeatable(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED)) {
            for (int i = 0; i < 100; i++) {
                try (Mapping mapping = reservation.map(pages)) {
                    mapping.write(0, new byte[] {(byte) i}, 0, 1);
                }
            }
            Expect.equal("reservation state after 100 cycles", ObjectState.RESERVED, reservation.query().state());
        }
    }

    private static void samePagesAgain(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED)) {
            try (Mapping first = reservation.map(pages)) {
                first.write(0, ascii("kept"), 0, 4);
            }
            try (Mapping second = reservation.map(pages)) {
                Expect.equal("data seen by the second mapping", "kept",
                        new String(second.read(0, 4), StandardCharsets.US_ASCII));
            }
        }
    }

    private static void framesShared(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
             Mapping reserved = reservation.map(pages);
             Mapping ordinary = pages.mapOrdinary()) {
            byte[] text = ascii("same frames");
            reserved.write(PAGE + 3, text, 0, text.length);
            Expect.equal("ordinary mapping of the same pages reads", "same frames",
                    new String(ordinary.read(PAGE + 3, text.length), StandardCharsets.US_ASCII));
        }
    }

    private static void userBuffer(ScenarioContext context) {
        ResMap device = context.device();
        try (UserBuffer buffer = device.allocateUserBuffer(PAGE);
             Reservation reservation = device.reserve(PAGE, TAG);
             PageSet locked = device.lock(buffer);
             Mapping mapping = reservation.map(locked)) {
            byte[] text = ascii("from the kernel");
            mapping.write(5, text, 0, text.length);
            byte[] seen = new byte[text.length];
            buffer.buffer().get(5, seen);
            Expect.equal("caller's buffer after a write through the mapping", "from the kernel",
                    new String(seen, StandardCharsets.US_ASCII));
        }
    }

    private static void userBufferByteOffset(ScenarioContext context) {
        ResMap device = context.device();
        try (UserBuffer buffer = device.allocateUserBuffer(2 * PAGE);
             Reservation reservation = device.reserve(PAGE, TAG);
             PageSet locked = device.lock(buffer, 0x20, 0x40, true);
             Mapping mapping = reservation.map(locked)) {
            Expect.equal("byte offset of the locked buffer", 0x20L, locked.byteOffset());
            Expect.equal("offset of its mapping", 0x20L, mapping.offsetInReservation());
        }
    }

    private static void cachingTypes(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG)) {
            for (CachingType caching : CachingType.values()) {
                try (PageSet pages = device.allocatePages(PAGE, caching);
                     Mapping mapping = reservation.map(pages)) {
                    Expect.equal("caching type of a mapping of " + caching + " pages", caching.value(),
                            mapping.query().cachingType());
                }
            }
        }
    }

    private static void divisible(ScenarioContext context) {
        ResMap device = context.device();
        DeviceInfo info = device.info();
        if (!info.divisibleSupported()) {
            Expect.refused("divisible reservation on a kernel without MmAllocateMappingAddressEx",
                    NtStatus.STATUS_NOT_SUPPORTED, () -> device.reserveDivisible(2 * PAGE, TAG).close());
            return;
        }
        try (Reservation ring = device.reserveDivisible(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
             Mapping low = ring.map(pages.all(), 0);
             Mapping high = ring.map(pages.all(), PAGE)) {
            Expect.equal("offset of the second mapping", PAGE, high.offsetInReservation());
            low.write(0, ascii("ring"), 0, 4);
            Expect.equal("the same pages seen at the second offset", "ring",
                    new String(high.read(0, 4), StandardCharsets.US_ASCII));
            Expect.equal("mappings of the reservation", 2, ring.query().mappingCount());
        }
    }

    private static void benchLeavesNothingBehind(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(4 * PAGE, TAG);
             PageSet pages = device.allocatePages(4 * PAGE, CachingType.CACHED)) {
            DeviceInfo before = device.info();
            BenchResult result = device.bench(pages, reservation, 8);
            Expect.equal("cycles run", 8, result.cycles());
            Expect.equal("pages per mapping", 4, result.pages());
            Expect.equal("reserved path ran", true, result.reserved().isPresent());
            Expect.equal("ordinary path ran", true, result.ordinary().isPresent());
            Expect.equal("device counts and quotas after the bench", before, device.info());
            Expect.equal("reservation state after the bench", ObjectState.RESERVED, reservation.query().state());
            try (Mapping mapping = reservation.map(pages)) {
                Expect.equal("bytes mapped after the bench", 4 * PAGE, mapping.bytes());
            }
        }
    }

    private static void teardown(ScenarioContext context) {
        ResMap device = context.device();
        Reservation reservation = device.reserve(PAGE, TAG);
        PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
        Mapping mapping = reservation.map(pages);
        mapping.unmap(TAG);
        pages.close();
        reservation.free(TAG);
        DeviceInfo info = device.info();
        Expect.equal("live reservations", 0, info.liveReservations());
        Expect.equal("live page sets", 0, info.livePageSets());
        Expect.equal("live reserved mappings", 0, info.liveReservedMappings());
        Expect.equal("reserved bytes held", 0L, info.reservedBytes());
    }

    private static void forwardProgress(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED)) {
            context.simulator().failNth(FaultKind.MAPPING, 1);
            Expect.refused("ordinary mapping while system PTEs are short", NtStatus.STATUS_INSUFFICIENT_RESOURCES,
                    () -> pages.mapOrdinary().close());
            try (Mapping mapping = reservation.map(pages)) {
                Expect.equal("reserved mapping while system PTEs are short", PAGE, mapping.bytes());
            }
        }
    }

    private static void closeReleases(ScenarioContext context) {
        ResMap device = context.device();
        UserBuffer buffer = device.allocateUserBuffer(PAGE);
        Reservation reservation = device.reserve(2 * PAGE, TAG);
        PageSet allocated = device.allocatePages(PAGE, CachingType.CACHED);
        reservation.map(allocated);
        device.lock(buffer).mapOrdinary();
        SimCounters before = context.simulator().counters();
        Expect.isTrue("something is mapped before the close", before.reservedMappedPages() > 0);
        context.closeDevice();
        SimCounters after = context.simulator().counters();
        Expect.equal("live reservations after close", 0L, after.reservations());
        Expect.equal("mapped reserved pages after close", 0L, after.reservedMappedPages());
        Expect.equal("ordinary mappings after close", 0L, after.ordinaryMappings());
        Expect.equal("allocated frames after close", 0L, after.framesAllocated());
        Expect.equal("locked frames after close", 0L, after.framesLocked());
        Expect.equal("live MDLs after close", 0L, after.mdls());
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
