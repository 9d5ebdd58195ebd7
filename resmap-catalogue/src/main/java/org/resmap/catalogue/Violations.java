package org.resmap.catalogue;

import static org.resmap.catalogue.DeviceScenarios.PAGE;
import static org.resmap.catalogue.DeviceScenarios.TAG;
import static org.resmap.catalogue.Source.D;
import static org.resmap.catalogue.Source.K;
import static org.resmap.catalogue.Source.R;
import static org.resmap.catalogue.Source.X;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.resmap.FaultKind;
import org.resmap.KernelCalls;
import org.resmap.SimAddress;
import org.resmap.SimulatorConfig;

/**
 * The misuses the real kernel answers with a bug check (0xDA SYSTEM_PTE_MISUSE, 0x50, and Driver
 * Verifier's 0xC4), each committed on a fresh simulated machine. Where the sources name a code only
 * for one family of builds, the violation runs on such a build.
 */
public final class Violations {

    private static final int PTE_MISUSE = 0xDA;
    private static final int PAGE_FAULT = 0x50;
    private static final int VERIFIER = 0xC4;
    private static final int MODERN = SimulatorConfig.DEFAULT_BUILD;
    private static final int HEADER_BASED = SimulatorConfig.WIN81;

    private static final List<Violation> ALL = List.of(
            new Violation("reserve-zero-pages",
                    "Reserving 0 bytes asks for 0 pages: bug check 0xDA, parameter 0x100.",
                    List.of(D, R, X), MODERN, PTE_MISUSE, p1(0x100), Refusals.ZERO_BYTES,
                    m -> m.calls().mmAllocateMappingAddress(0, TAG)),
            new Violation("free-wrong-tag",
                    "Freeing with another tag than the owner's: 0xDA/0x101 on header-based builds.",
                    List.of(D, R), HEADER_BASED, PTE_MISUSE, p1(0x101), Refusals.FREE_WRONG_TAG,
                    m -> m.calls().mmFreeMappingAddress(m.reserve(PAGE, TAG), Refusals.WRONG_TAG)),
            new Violation("free-wrong-tag-modern",
                    "Freeing with another tag on Windows 10 and later: 0xDA/0x101 as documented (reverse "
                            + "engineering reports 0x102; the documented code is the one modelled).",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x101), Refusals.FREE_WRONG_TAG,
                    m -> m.calls().mmFreeMappingAddress(m.reserve(PAGE, TAG), Refusals.WRONG_TAG)),
            new Violation("free-while-mapped",
                    "Freeing a range that is still mapped: 0xDA/0x103; unmap first.",
                    List.of(D, R, X), MODERN, PTE_MISUSE, p1(0x103), Refusals.FREE_WHILE_MAPPED,
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        m.map(base, TAG, m.allocatePages(PAGE));
                        m.calls().mmFreeMappingAddress(base, TAG);
                    }),
            new Violation("map-wrong-tag",
                    "Mapping into a range with another tag than the owner's: 0xDA/0x104.",
                    List.of(D, R, X), MODERN, PTE_MISUSE, p1(0x104), Refusals.UNMAP_WRONG_TAG,
                    m -> m.calls().mmMapLockedPagesWithReservedMapping(m.reserve(PAGE, TAG), Refusals.WRONG_TAG,
                            m.allocatePages(PAGE), KernelMachine.MM_CACHED)),
            new Violation("map-outside-any-reservation",
                    "Mapping at an address inside no reservation reportedly raises 0xDA/0x106 (P4 = 1).",
                    List.of(X), MODERN, PTE_MISUSE, p1(0x106), Refusals.FOREIGN_OBJECT,
                    m -> {
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.calls().mmMapLockedPagesWithReservedMapping(freedReservation(m), TAG, mdl,
                                KernelMachine.MM_CACHED);
                    }),
            new Violation("map-inner-page-header-build",
                    "Header-based builds find the reservation from the page the address falls in, so a map "
                            + "at a later page of the range misreads it: 0xDA/0x104 in ReactOS.",
                    List.of(R, K), HEADER_BASED, PTE_MISUSE, p1(0x104), Refusals.NON_DIVISIBLE_OFFSET,
                    m -> {
                        SimAddress base = m.reserve(2 * PAGE, TAG);
                        m.calls().mmMapLockedPagesWithReservedMapping(base.plus(PAGE), TAG, m.allocatePages(PAGE),
                                KernelMachine.MM_CACHED);
                    }),
            new Violation("unmap-outside-any-reservation",
                    "Unmapping at an address inside no reservation reportedly raises 0xDA/0x106 (P4 = 2).",
                    List.of(X), MODERN, PTE_MISUSE, p1(0x106), Refusals.FOREIGN_OBJECT,
                    m -> {
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.calls().mmUnmapReservedMapping(freedReservation(m), TAG, mdl);
                    }),
            new Violation("free-outside-any-reservation",
                    "Freeing an address inside no reservation reportedly raises 0xDA/0x106 (P4 = 0).",
                    List.of(X), MODERN, PTE_MISUSE, p1(0x106), Refusals.FOREIGN_OBJECT,
                    m -> m.calls().mmFreeMappingAddress(freedReservation(m), TAG)),
            new Violation("map-while-mapped",
                    "Mapping into a range that is already mapped: 0xDA/0x107; unmap first.",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x107), Refusals.MAP_WHILE_MAPPED,
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        m.map(base, TAG, m.allocatePages(PAGE));
                        m.calls().mmMapLockedPagesWithReservedMapping(base, TAG, m.allocatePages(PAGE),
                                KernelMachine.MM_CACHED);
                    }),
            new Violation("unmap-wrong-tag",
                    "Unmapping with another tag than the owner's: 0xDA/0x108 on header-based builds.",
                    List.of(D, R), HEADER_BASED, PTE_MISUSE, p1(0x108), Refusals.UNMAP_WRONG_TAG,
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.calls().mmUnmapReservedMapping(m.map(base, TAG, mdl), Refusals.WRONG_TAG, mdl);
                    }),
            new Violation("unmap-more-than-reserved",
                    "Unmapping with an MDL larger than the range: 0xDA/0x10A.",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x10A), Refusals.MAP_TOO_LARGE,
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        SimAddress big = m.allocatePages(2 * PAGE);
                        m.map(base, TAG, m.partial(big, 0, (int) PAGE));
                        m.calls().mmUnmapReservedMapping(base, TAG, big);
                    }),
            new Violation("unmap-not-mapped",
                    "Unmapping a range that is not mapped: 0xDA/0x10B.",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x10B), Refusals.UNMAP_TWICE,
                    m -> m.calls().mmUnmapReservedMapping(m.reserve(PAGE, TAG), TAG, m.allocatePages(PAGE))),
            new Violation("unmap-part",
                    "Leaving part of a non-divisible range mapped (unmapping with a shorter MDL): 0xDA/0x10C.",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x10C), Refusals.UNMAP_TWICE,
                    m -> {
                        SimAddress base = m.reserve(2 * PAGE, TAG);
                        SimAddress pages = m.allocatePages(2 * PAGE);
                        m.map(base, TAG, pages);
                        m.calls().mmUnmapReservedMapping(base, TAG, m.partial(pages, 0, (int) PAGE));
                    }),
            new Violation("touch-unmapped-reserved-page",
                    "Touching a reserved page that is not mapped: 0x50 PAGE_FAULT_IN_NONPAGED_AREA, "
                            + "which no exception handler can catch.",
                    List.of(K), MODERN, PAGE_FAULT, OptionalLong.empty(), Refusals.READ_OUTSIDE,
                    m -> m.calls().touch(m.reserve(PAGE, TAG))),
            new Violation("map-pages-not-locked",
                    "Driver Verifier: mapping an MDL whose pages were never locked: 0xC4/0x85.",
                    List.of(D), MODERN, VERIFIER, p1(0x85), Refusals.FOREIGN_OBJECT,
                    m -> {
                        KernelCalls calls = m.calls();
                        SimAddress user = calls.userAlloc(PAGE);
                        calls.mmMapLockedPagesWithReservedMapping(m.reserve(PAGE, TAG), TAG,
                                calls.ioAllocateMdl(user, (int) PAGE), KernelMachine.MM_CACHED);
                    }),
            new Violation("ordinary-map-bugcheck-on-failure",
                    "Driver Verifier: an ordinary mapping with BugCheckOnFailure = TRUE raises 0xC4/0x82, "
                            + "whether or not it would fail (here: system PTEs short).",
                    List.of(D), MODERN, VERIFIER, p1(0x82), DeviceScenarios.FORWARD_PROGRESS,
                    m -> {
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.simulator().failNth(FaultKind.MAPPING, 1);
                        m.calls().mmMapLockedPagesSpecifyCache(mdl, KernelMachine.MM_CACHED, true,
                                KernelCalls.NORMAL_PAGE_PRIORITY);
                    }),
            new Violation("free-mdl-while-mapped",
                    "Driver Verifier: IoFreeMdl on an MDL that is still mapped: 0xC4/0xB8.",
                    List.of(D), MODERN, VERIFIER, p1(0xB8), Refusals.RELEASE_MAPPED_PAGES,
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        SimAddress partial = m.partial(m.allocatePages(PAGE), 0, (int) PAGE);
                        m.map(base, TAG, partial);
                        m.calls().ioFreeMdl(partial);
                    }),
            new Violation("unlock-partial-mdl",
                    "Driver Verifier: MmUnlockPages on a partial MDL: 0xC4/0xB4.",
                    List.of(D), MODERN, VERIFIER, p1(0xB4), Refusals.RELEASE_MAPPED_PAGES,
                    m -> m.calls().mmUnlockPages(m.partial(m.allocatePages(PAGE), 0, (int) PAGE))),
            new Violation("lock-locked-mdl",
                    "Driver Verifier: MmProbeAndLockPages on an MDL that is locked already: 0xC4/0xB0.",
                    List.of(D), MODERN, VERIFIER, p1(0xB0), Refusals.FOREIGN_OBJECT,
                    m -> m.calls().mmProbeAndLockPages(m.allocatePages(PAGE), (byte) 0, 0)),
            new Violation("second-ordinary-mapping",
                    "Driver Verifier: a second MmMapLockedPagesSpecifyCache of an MDL that has a system "
                            + "mapping: 0xC4/0xB2.",
                    List.of(D), MODERN, VERIFIER, p1(0xB2), Refusals.MAP_WHILE_MAPPED,
                    m -> {
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.mapOrdinary(mdl);
                        m.calls().mmMapLockedPagesSpecifyCache(mdl, KernelMachine.MM_CACHED, false,
                                KernelCalls.NORMAL_PAGE_PRIORITY);
                    }),
            new Violation("unmap-mdl-not-mapped",
                    "MmUnmapLockedPages of an MDL that is not mapped there (here: mapped in a reservation): "
                            + "0xDA/0x06.",
                    List.of(D), MODERN, PTE_MISUSE, p1(0x06), Refusals.UNMAP_TWICE,
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.calls().mmUnmapLockedPages(m.map(base, TAG, mdl), mdl);
                    }),
            new Violation("unlock-pages-in-a-reservation",
                    "MmUnlockPages of pages still mapped in a reservation releases PTEs it may not: 0xDA/0x301; "
                            + "unmap the reserved mapping first.",
                    List.of(D), MODERN, PTE_MISUSE, p1(0x301), Refusals.RELEASE_MAPPED_PAGES,
                    m -> {
                        KernelCalls calls = m.calls();
                        SimAddress mdl = calls.ioAllocateMdl(calls.userAlloc(PAGE), (int) PAGE);
                        calls.mmProbeAndLockPages(mdl, (byte) 1, 1);
                        m.map(m.reserve(PAGE, TAG), TAG, mdl);
                        calls.mmUnlockPages(mdl);
                    }),
            new Violation("unlock-never-locked",
                    "Driver Verifier: MmUnlockPages on an MDL that was never locked: 0xC4/0x7C.",
                    List.of(D), MODERN, VERIFIER, p1(0x7C), Refusals.RELEASE_MAPPED_PAGES,
                    m -> {
                        KernelCalls calls = m.calls();
                        SimAddress user = calls.userAlloc(PAGE);
                        calls.mmUnlockPages(calls.ioAllocateMdl(user, (int) PAGE));
                    }));

    private Violations() {
    }

    /** @return every violation, in catalogue order */
    public static List<Violation> all() {
        return ALL;
    }

    /** @return the violation with this id, if there is one */
    public static Optional<Violation> byId(String id) {
        return ALL.stream().filter(v -> v.id().equals(id)).findFirst();
    }

    /**
     * Reserves a page and frees it again (the machine must survive the free), for the violations that
     * use an address inside no reservation.
     *
     * @return the freed range's base
     */
    private static SimAddress freedReservation(KernelMachine m) {
        SimAddress base = m.reserve(PAGE, TAG);
        m.calls().mmFreeMappingAddress(base, TAG);
        m.expectAlive("MmFreeMappingAddress");
        return base;
    }

    private static OptionalLong p1(long parameter1) {
        return OptionalLong.of(parameter1);
    }
}
