package org.resmap.catalogue;

import static org.resmap.catalogue.DeviceScenarios.PAGE;
import static org.resmap.catalogue.DeviceScenarios.TAG;
import static org.resmap.catalogue.Scenario.onEveryBackend;
import static org.resmap.catalogue.Source.D;
import static org.resmap.catalogue.Source.K;
import static org.resmap.catalogue.Source.R;
import static org.resmap.catalogue.Source.X;

import java.time.Duration;
import java.util.List;
import org.resmap.CachingType;
import org.resmap.DeviceInfo;
import org.resmap.Mapping;
import org.resmap.NtStatus;
import org.resmap.PageSet;
import org.resmap.PageSlice;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.Reservation;
import org.resmap.UserBuffer;

/**
 * For each use the real kernel punishes with a bug check (see {@link Violations}), the device's answer
 * instead: a distinct status, or a rejection by the Java API before the request is sent. On the
 * simulator the runner also checks that the machine is still alive afterwards.
 */
final class Refusals {

    static final PoolTag WRONG_TAG = PoolTag.of("Oops");

    static final String ZERO_BYTES = "refuse.zero-bytes";
    static final String TAG_ZERO = "refuse.tag-zero";
    static final String FREE_WRONG_TAG = "refuse.free-wrong-tag";
    static final String FREE_WHILE_MAPPED = "refuse.free-while-mapped";
    static final String MAP_WHILE_MAPPED = "refuse.map-while-mapped";
    static final String UNMAP_WRONG_TAG = "refuse.unmap-wrong-tag";
    static final String MAP_TOO_LARGE = "refuse.map-too-large";
    static final String NON_DIVISIBLE_OFFSET = "refuse.non-divisible-offset";
    static final String RELEASE_MAPPED_PAGES = "refuse.release-mapped-pages";
    static final String SLICE_OUTSIDE = "refuse.slice-outside-page-set";
    static final String ZERO_LENGTH_MDL = "refuse.zero-length-mdl";
    static final String READ_OUTSIDE = "refuse.read-outside-mapping";
    static final String UNMAP_TWICE = "refuse.unmap-twice";
    static final String FOREIGN_OBJECT = "refuse.foreign-object";
    static final String WRITE_READ_ONLY_BUFFER = "refuse.write-read-only-buffer";
    static final String BENCH_BOUNDS = "refuse.bench-beyond-its-bounds";

    private Refusals() {
    }

    static List<Scenario> all() {
        return List.of(
                onEveryBackend(ZERO_BYTES,
                        "A reservation of 0 bytes (0xDA/0x100 in the kernel) never leaves the Java API.",
                        List.of(D, R), Refusals::zeroBytes),
                onEveryBackend(TAG_ZERO,
                        "Tag 0 is invalid: the kernel returns NULL, the device refuses it with "
                                + "STATUS_INVALID_PARAMETER.", List.of(D, K), Refusals::tagZero),
                onEveryBackend(FREE_WRONG_TAG,
                        "Freeing with another tag than the reservation's (0xDA/0x101) is refused with "
                                + "STATUS_ACCESS_DENIED, and the reservation stays usable.", List.of(D, R),
                        Refusals::freeWrongTag),
                onEveryBackend(FREE_WHILE_MAPPED,
                        "Freeing a mapped reservation (0xDA/0x103) is refused with "
                                + "STATUS_INVALID_DEVICE_STATE.", List.of(D, R, X), Refusals::freeWhileMapped),
                onEveryBackend(MAP_WHILE_MAPPED,
                        "Mapping into a reservation that is already mapped (0xDA/0x107) is refused with "
                                + "STATUS_CONFLICTING_ADDRESSES.", List.of(D, X), Refusals::mapWhileMapped),
                onEveryBackend(UNMAP_WRONG_TAG,
                        "Unmapping with another tag (0xDA/0x108) is refused with STATUS_ACCESS_DENIED, and "
                                + "the mapping stays.", List.of(D, R), Refusals::unmapWrongTag),
                onEveryBackend(MAP_TOO_LARGE,
                        "Pages spanning more than the reservation (the kernel returns NULL) are refused "
                                + "with STATUS_ALLOTTED_SPACE_EXCEEDED.", List.of(D, K, R), Refusals::mapTooLarge),
                onEveryBackend(NON_DIVISIBLE_OFFSET,
                        "A non-divisible reservation maps only at its start; another offset is refused "
                                + "with STATUS_INVALID_PARAMETER.", List.of(X), Refusals::nonDivisibleOffset),
                onEveryBackend(RELEASE_MAPPED_PAGES,
                        "Releasing pages that are still mapped (freeing or unlocking a mapped MDL) is "
                                + "refused with STATUS_SHARING_VIOLATION.", List.of(D),
                        Refusals::releaseMappedPages),
                onEveryBackend(SLICE_OUTSIDE,
                        "A partial MDL must lie inside its source: a slice beyond the page set is refused "
                                + "with STATUS_END_OF_FILE.", List.of(D), Refusals::sliceOutside),
                onEveryBackend(ZERO_LENGTH_MDL,
                        "An MDL of 0 bytes must never be mapped: a slice that describes no byte is refused with "
                                + "STATUS_END_OF_FILE, for reserved and ordinary mappings alike.", List.of(R, X),
                        Refusals::zeroLengthMdl),
                onEveryBackend(READ_OUTSIDE,
                        "Access beyond a mapping (an unmapped reserved page: 0x50) is refused with "
                                + "STATUS_END_OF_FILE.", List.of(K), Refusals::readOutside),
                onEveryBackend(UNMAP_TWICE,
                        "Unmapping what is not mapped (0xDA/0x10B) never leaves the Java API.",
                        List.of(D, X), Refusals::unmapTwice),
                onEveryBackend(FOREIGN_OBJECT,
                        "Objects of another handle (an address in no reservation of yours: 0xDA/0x106) "
                                + "never leave the Java API.", List.of(X), Refusals::foreignObject),
                onEveryBackend(WRITE_READ_ONLY_BUFFER,
                        "A user buffer locked for reading only (IoReadAccess) is read through its mappings, but a "
                                + "write through any of them is refused with STATUS_MEDIA_WRITE_PROTECTED and the "
                                + "buffer keeps its bytes; an ordinary mapping of it is made with MdlMappingNoWrite.",
                        List.of(D), Refusals::writeReadOnlyBuffer),
                onEveryBackend(BENCH_BOUNDS,
                        "The in-driver bench holds the handle's lock while it runs, so the driver bounds it: more "
                                + "than 100,000 iterations or a budget over one second is refused with "
                                + "STATUS_INVALID_PARAMETER, and a bench into a mapped reservation (0xDA/0x107) with "
                                + "STATUS_CONFLICTING_ADDRESSES, as the map itself would be; nothing changes.",
                        List.of(D, X), Refusals::benchBeyondItsBounds));
    }

    private static void benchBeyondItsBounds(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED)) {
            DeviceInfo before = device.info();
            Expect.refused("bench 100,001 iterations", NtStatus.STATUS_INVALID_PARAMETER,
                    () -> device.bench(pages, reservation, 100_001));
            Expect.refused("bench with a budget of 1.001 s", NtStatus.STATUS_INVALID_PARAMETER,
                    () -> device.bench(pages.all(), reservation, 0, 1, Duration.ofMillis(1001)));
            try (Mapping mapping = reservation.map(pages)) {
                Expect.refused("bench into a mapped reservation", NtStatus.STATUS_CONFLICTING_ADDRESSES,
                        () -> device.bench(pages, reservation, 1));
                Expect.equal("mappings of the reservation after the refusal", 1, reservation.query().mappingCount());
            }
            Expect.equal("device counts and quotas after the refusals", before, device.info());
        }
    }

    private static void writeReadOnlyBuffer(ScenarioContext context) {
        ResMap device = context.device();
        try (UserBuffer buffer = device.allocateUserBuffer(PAGE)) {
            buffer.buffer().put(0, (byte) 0x5A);
            try (PageSet pages = device.lock(buffer, 0, PAGE, false);
                 Reservation reservation = device.reserve(PAGE, TAG);
                 Mapping reserved = reservation.map(pages);
                 Mapping ordinary = pages.mapOrdinary()) {
                for (Mapping mapping : List.of(reserved, ordinary)) {
                    Expect.refused("write through a mapping of a read-only buffer",
                            NtStatus.STATUS_MEDIA_WRITE_PROTECTED, () -> mapping.write(0, new byte[] { 1 }, 0, 1));
                    Expect.equal("the byte read back", (byte) 0x5A, mapping.read(0, 1)[0]);
                }
            }
        }
    }

    private static void zeroBytes(ScenarioContext context) {
        Expect.rejected("reserve 0 bytes", IllegalArgumentException.class,
                () -> context.device().reserve(0, TAG).close());
    }

    private static void tagZero(ScenarioContext context) {
        Expect.refused("reserve with tag 0", NtStatus.STATUS_INVALID_PARAMETER,
                () -> context.device().reserve(PAGE, PoolTag.ofValue(0)).close());
    }

    private static void freeWrongTag(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED)) {
            Expect.refused("free with a wrong tag", NtStatus.STATUS_ACCESS_DENIED, () -> reservation.free(WRONG_TAG));
            try (Mapping mapping = reservation.map(pages)) {
                Expect.equal("bytes mapped after the refused free", PAGE, mapping.bytes());
            }
        }
    }

    private static void freeWhileMapped(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            Expect.refused("free while mapped", NtStatus.STATUS_INVALID_DEVICE_STATE, () -> reservation.free(TAG));
            Expect.equal("mappings of the reservation after the refusal", 1, reservation.query().mappingCount());
        }
    }

    private static void mapWhileMapped(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            Expect.refused("second map into a mapped reservation", NtStatus.STATUS_CONFLICTING_ADDRESSES,
                    () -> reservation.map(pages).close());
        }
    }

    private static void unmapWrongTag(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            Expect.refused("unmap with a wrong tag", NtStatus.STATUS_ACCESS_DENIED, () -> mapping.unmap(WRONG_TAG));
            Expect.equal("bytes still readable after the refusal", 1, mapping.read(0, 1).length);
        }
    }

    private static void mapTooLarge(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED)) {
            Expect.refused("map 2 pages into a 1-page reservation", NtStatus.STATUS_ALLOTTED_SPACE_EXCEEDED,
                    () -> reservation.map(pages).close());
            // One byte either side of a page boundary spans two pages: ADDRESS_AND_SIZE_TO_SPAN_PAGES.
            Expect.refused("map 2 bytes straddling a page boundary into a 1-page reservation",
                    NtStatus.STATUS_ALLOTTED_SPACE_EXCEEDED,
                    () -> reservation.map(new PageSlice(pages, PAGE - 1, 2)).close());
        }
    }

    private static void nonDivisibleOffset(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED)) {
            Expect.refused("map at page 1 of a non-divisible reservation", NtStatus.STATUS_INVALID_PARAMETER,
                    () -> reservation.map(pages.all(), PAGE).close());
        }
    }

    private static void releaseMappedPages(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            Expect.refused("release mapped pages", NtStatus.STATUS_SHARING_VIOLATION, pages::close);
            Expect.equal("mappings of the page set after the refusal", 1, pages.query().mappingCount());
        }
    }

    private static void sliceOutside(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(4 * PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED)) {
            Expect.refused("slice that ends past the page set", NtStatus.STATUS_END_OF_FILE,
                    () -> reservation.map(new PageSlice(pages, PAGE, 2 * PAGE)).close());
            Expect.refused("slice that starts at the page set's end", NtStatus.STATUS_END_OF_FILE,
                    () -> reservation.map(new PageSlice(pages, 2 * PAGE, 0)).close());
        }
    }

    // The Java API has no way to ask for 0 bytes explicitly (length 0 means "to the end"), so the empty
    // slice is the one that starts where the page set ends.
    private static void zeroLengthMdl(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED)) {
            PageSlice empty = pages.slice(pages.bytes(), 0);
            Expect.refused("reserved mapping of an empty slice", NtStatus.STATUS_END_OF_FILE,
                    () -> reservation.map(empty).close());
            Expect.refused("ordinary mapping of an empty slice", NtStatus.STATUS_END_OF_FILE,
                    () -> pages.mapOrdinary(empty).close());
            Expect.equal("mappings of the page set after the refusals", 0, pages.query().mappingCount());
        }
    }

    private static void readOutside(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(2 * PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED);
             Mapping mapping = reservation.map(pages)) {
            Expect.refused("read the reservation's unmapped second page", NtStatus.STATUS_END_OF_FILE,
                    () -> mapping.read(PAGE, 1));
            Expect.refused("write past the mapping", NtStatus.STATUS_END_OF_FILE,
                    () -> mapping.write(PAGE - 1, new byte[2], 0, 2));
        }
    }

    private static void unmapTwice(ScenarioContext context) {
        ResMap device = context.device();
        try (Reservation reservation = device.reserve(PAGE, TAG);
             PageSet pages = device.allocatePages(PAGE, CachingType.CACHED)) {
            Mapping mapping = reservation.map(pages);
            mapping.unmap(TAG);
            Expect.rejected("second unmap", IllegalStateException.class, () -> mapping.unmap(TAG));
        }
    }

    private static void foreignObject(ScenarioContext context) {
        ResMap device = context.device();
        try (ResMap other = ResMap.open(context.backend());
             Reservation reservation = device.reserve(PAGE, TAG);
             PageSet foreign = other.allocatePages(PAGE, CachingType.CACHED)) {
            Expect.rejected("map a page set of another handle", IllegalArgumentException.class,
                    () -> reservation.map(foreign).close());
        }
    }
}
