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

    // What the device does instead, where it differs from "this request is refused as scenario X says".
    private static final DeviceAnswer MAP_TAG_CHECKED = refused(Refusals.UNMAP_WRONG_TAG,
            "the Java API always maps with the reservation's own tag; a map request with another tag, "
                    + "which other clients of the protocol could send, is refused with STATUS_ACCESS_DENIED "
                    + "before the kernel is called (driver core C test), as an unmap with another tag is");
    private static final DeviceAnswer NO_FOREIGN_ADDRESS = refused(Refusals.FOREIGN_OBJECT,
            "requests name the caller's own objects by handle, never an address, so an address inside "
                    + "no reservation cannot be given");
    private static final DeviceAnswer UNMAPS_WITH_ITS_OWN_MDL = DeviceAnswer.cannotBeAsked(
            "an unmap request names a mapping, and the device unmaps it with the very MDL it mapped; pages "
                    + "that would not fit the reservation are refused at map time with "
                    + "STATUS_ALLOTTED_SPACE_EXCEEDED (" + Refusals.MAP_TOO_LARGE + ")");
    private static final DeviceAnswer UNMAPS_WHOLE = DeviceAnswer.cannotBeAsked(
            "an unmap request names a mapping, and the device always unmaps the whole of it with the MDL it "
                    + "mapped, so part of a range cannot be left mapped");
    private static final DeviceAnswer MAPS_ONLY_LOCKED_PAGES = DeviceAnswer.cannotBeAsked(
            "the device maps only page sets, which are locked for their whole life: pages it allocated "
                    + "(MmAllocatePagesForMdlEx) or a buffer it locked (MmProbeAndLockPages)");
    private static final DeviceAnswer NEVER_BUGCHECK_ON_FAILURE = refused(DeviceScenarios.FORWARD_PROGRESS,
            "the device always passes BugCheckOnFailure = FALSE, so a shortage of system PTEs is "
                    + "STATUS_INSUFFICIENT_RESOURCES for an ordinary mapping");
    private static final DeviceAnswer LOCKS_ONCE = DeviceAnswer.cannotBeAsked(
            "the device locks a buffer's MDL once, when it creates the page set, and never locks an MDL it "
                    + "allocated pages for (those come locked)");
    private static final DeviceAnswer OWN_PARTIAL_MDL = DeviceAnswer.cannotBeAsked(
            "every mapping the device makes maps its own partial MDL, so no MDL gets a second system mapping; "
                    + "mapping a page set twice is allowed and safe");
    private static final DeviceAnswer UNMAPS_WITH_MATCHING_CALL = DeviceAnswer.cannotBeAsked(
            "the device unmaps a reserved mapping with MmUnmapReservedMapping and an ordinary one with "
                    + "MmUnmapLockedPages, each with the MDL it mapped");
    private static final DeviceAnswer DESCRIBES_NO_POOL = DeviceAnswer.cannotBeAsked(
            "the device never describes its own pool with an MDL: it maps only pages it allocated or the "
                    + "caller's locked buffer");
    private static final DeviceAnswer UNLOCKS_ONLY_WHAT_IT_LOCKED = DeviceAnswer.cannotBeAsked(
            "the device unlocks only the MDL it locked itself, once, when its page set is closed; it never "
                    + "unlocks a partial MDL or one it did not lock");

    private static final List<Violation> ALL = List.of(
            new Violation("reserve-zero-pages",
                    "Reserving 0 bytes asks for 0 pages: bug check 0xDA, parameter 0x100.",
                    List.of(D, R, X), MODERN, PTE_MISUSE, p1(0x100), refused(Refusals.ZERO_BYTES),
                    m -> m.calls().mmAllocateMappingAddress(0, TAG)),
            new Violation("free-wrong-tag",
                    "Freeing with another tag than the owner's: 0xDA/0x101 on header-based builds.",
                    List.of(D, R), HEADER_BASED, PTE_MISUSE, p1(0x101), refused(Refusals.FREE_WRONG_TAG),
                    m -> m.calls().mmFreeMappingAddress(m.reserve(PAGE, TAG), Refusals.WRONG_TAG)),
            new Violation("free-wrong-tag-modern",
                    "Freeing with another tag on Windows 10 and later: 0xDA/0x101 as documented (reverse "
                            + "engineering reports 0x102; the documented code is the one modelled).",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x101), refused(Refusals.FREE_WRONG_TAG),
                    m -> m.calls().mmFreeMappingAddress(m.reserve(PAGE, TAG), Refusals.WRONG_TAG)),
            new Violation("free-while-mapped",
                    "Freeing a range that is still mapped: 0xDA/0x103; unmap first.",
                    List.of(D, R, X), MODERN, PTE_MISUSE, p1(0x103), refused(Refusals.FREE_WHILE_MAPPED),
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        m.map(base, TAG, m.allocatePages(PAGE));
                        m.calls().mmFreeMappingAddress(base, TAG);
                    }),
            new Violation("map-wrong-tag",
                    "Mapping into a range with another tag than the owner's: 0xDA/0x104.",
                    List.of(D, R, X), MODERN, PTE_MISUSE, p1(0x104), MAP_TAG_CHECKED,
                    m -> m.calls().mmMapLockedPagesWithReservedMapping(m.reserve(PAGE, TAG), Refusals.WRONG_TAG,
                            m.allocatePages(PAGE), KernelMachine.MM_CACHED)),
            new Violation("map-outside-any-reservation",
                    "Mapping at an address inside no reservation reportedly raises 0xDA/0x106 (P4 = 1).",
                    List.of(X), MODERN, PTE_MISUSE, p1(0x106), NO_FOREIGN_ADDRESS,
                    m -> {
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.calls().mmMapLockedPagesWithReservedMapping(freedReservation(m), TAG, mdl,
                                KernelMachine.MM_CACHED);
                    }),
            new Violation("map-inner-page-header-build",
                    "Header-based builds find the reservation from the page the address falls in, so a map "
                            + "at a later page of the range misreads it: 0xDA/0x104 in ReactOS.",
                    List.of(R, K), HEADER_BASED, PTE_MISUSE, p1(0x104), refused(Refusals.NON_DIVISIBLE_OFFSET),
                    m -> {
                        SimAddress base = m.reserve(2 * PAGE, TAG);
                        m.calls().mmMapLockedPagesWithReservedMapping(base.plus(PAGE), TAG, m.allocatePages(PAGE),
                                KernelMachine.MM_CACHED);
                    }),
            new Violation("unmap-outside-any-reservation",
                    "Unmapping at an address inside no reservation reportedly raises 0xDA/0x106 (P4 = 2).",
                    List.of(X), MODERN, PTE_MISUSE, p1(0x106), NO_FOREIGN_ADDRESS,
                    m -> {
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.calls().mmUnmapReservedMapping(freedReservation(m), TAG, mdl);
                    }),
            new Violation("free-outside-any-reservation",
                    "Freeing an address inside no reservation reportedly raises 0xDA/0x106 (P4 = 0).",
                    List.of(X), MODERN, PTE_MISUSE, p1(0x106), NO_FOREIGN_ADDRESS,
                    m -> m.calls().mmFreeMappingAddress(freedReservation(m), TAG)),
            new Violation("map-while-mapped",
                    "Mapping into a range that is already mapped: 0xDA/0x107; unmap first.",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x107), refused(Refusals.MAP_WHILE_MAPPED),
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        m.map(base, TAG, m.allocatePages(PAGE));
                        m.calls().mmMapLockedPagesWithReservedMapping(base, TAG, m.allocatePages(PAGE),
                                KernelMachine.MM_CACHED);
                    }),
            new Violation("unmap-wrong-tag",
                    "Unmapping with another tag than the owner's: 0xDA/0x108 on header-based builds.",
                    List.of(D, R), HEADER_BASED, PTE_MISUSE, p1(0x108), refused(Refusals.UNMAP_WRONG_TAG),
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.calls().mmUnmapReservedMapping(m.map(base, TAG, mdl), Refusals.WRONG_TAG, mdl);
                    }),
            new Violation("unmap-more-than-reserved",
                    "Unmapping with an MDL larger than the range: 0xDA/0x10A.",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x10A), UNMAPS_WITH_ITS_OWN_MDL,
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        SimAddress big = m.allocatePages(2 * PAGE);
                        m.map(base, TAG, m.partial(big, 0, (int) PAGE));
                        m.calls().mmUnmapReservedMapping(base, TAG, big);
                    }),
            new Violation("unmap-not-mapped",
                    "Unmapping a range that is not mapped: 0xDA/0x10B.",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x10B), refused(Refusals.UNMAP_TWICE),
                    m -> m.calls().mmUnmapReservedMapping(m.reserve(PAGE, TAG), TAG, m.allocatePages(PAGE))),
            new Violation("unmap-part",
                    "Leaving part of a non-divisible range mapped (unmapping with a shorter MDL): 0xDA/0x10C.",
                    List.of(D, X), MODERN, PTE_MISUSE, p1(0x10C), UNMAPS_WHOLE,
                    m -> {
                        SimAddress base = m.reserve(2 * PAGE, TAG);
                        SimAddress pages = m.allocatePages(2 * PAGE);
                        m.map(base, TAG, pages);
                        m.calls().mmUnmapReservedMapping(base, TAG, m.partial(pages, 0, (int) PAGE));
                    }),
            new Violation("touch-unmapped-reserved-page",
                    "Touching a reserved page that is not mapped: 0x50 PAGE_FAULT_IN_NONPAGED_AREA, "
                            + "which no exception handler can catch.",
                    List.of(K), MODERN, PAGE_FAULT, OptionalLong.empty(), refused(Refusals.READ_OUTSIDE),
                    m -> m.calls().touch(m.reserve(PAGE, TAG))),
            new Violation("map-pages-not-locked",
                    "Driver Verifier: mapping an MDL whose pages were never locked: 0xC4/0x85.",
                    List.of(D), MODERN, VERIFIER, p1(0x85), MAPS_ONLY_LOCKED_PAGES,
                    m -> {
                        KernelCalls calls = m.calls();
                        SimAddress user = calls.userAlloc(PAGE);
                        calls.mmMapLockedPagesWithReservedMapping(m.reserve(PAGE, TAG), TAG,
                                calls.ioAllocateMdl(user, (int) PAGE), KernelMachine.MM_CACHED);
                    }),
            new Violation("ordinary-map-bugcheck-on-failure",
                    "Driver Verifier: an ordinary mapping with BugCheckOnFailure = TRUE raises 0xC4/0x82, "
                            + "whether or not it would fail (here: system PTEs short).",
                    List.of(D), MODERN, VERIFIER, p1(0x82), NEVER_BUGCHECK_ON_FAILURE,
                    m -> {
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.simulator().failNth(FaultKind.MAPPING, 1);
                        m.calls().mmMapLockedPagesSpecifyCache(mdl, KernelMachine.MM_CACHED, true,
                                KernelCalls.NORMAL_PAGE_PRIORITY);
                    }),
            new Violation("free-mdl-while-mapped",
                    "Driver Verifier: IoFreeMdl on an MDL that is still mapped: 0xC4/0xB8.",
                    List.of(D), MODERN, VERIFIER, p1(0xB8), refused(Refusals.RELEASE_MAPPED_PAGES),
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        SimAddress partial = m.partial(m.allocatePages(PAGE), 0, (int) PAGE);
                        m.map(base, TAG, partial);
                        m.calls().ioFreeMdl(partial);
                    }),
            new Violation("unlock-partial-mdl",
                    "Driver Verifier: MmUnlockPages on a partial MDL: 0xC4/0xB4.",
                    List.of(D), MODERN, VERIFIER, p1(0xB4), UNLOCKS_ONLY_WHAT_IT_LOCKED,
                    m -> m.calls().mmUnlockPages(m.partial(m.allocatePages(PAGE), 0, (int) PAGE))),
            new Violation("lock-locked-mdl",
                    "Driver Verifier: MmProbeAndLockPages on an MDL that is locked already: 0xC4/0xB0.",
                    List.of(D), MODERN, VERIFIER, p1(0xB0), LOCKS_ONCE,
                    m -> m.calls().mmProbeAndLockPages(m.allocatePages(PAGE), (byte) 0, 0)),
            new Violation("lock-nonpaged-pool-mdl",
                    "Driver Verifier: MmProbeAndLockPages of an MDL built by MmBuildMdlForNonPagedPool, "
                            + "which must not be locked: 0xC4/0xB0 (P4 MDL_SOURCE_IS_NONPAGED_POOL).",
                    List.of(D), MODERN, VERIFIER, p1(0xB0), DESCRIBES_NO_POOL,
                    m -> {
                        SimAddress mdl = m.mdlFor(m.nonpagedPool(PAGE, TAG), (int) PAGE);
                        m.calls().mmBuildMdlForNonPagedPool(mdl);
                        m.calls().mmProbeAndLockPages(mdl, KernelCalls.KERNEL_MODE, KernelCalls.IO_READ_ACCESS);
                    }),
            new Violation("second-ordinary-mapping",
                    "Driver Verifier: a second MmMapLockedPagesSpecifyCache of an MDL that has a system "
                            + "mapping: 0xC4/0xB2.",
                    List.of(D), MODERN, VERIFIER, p1(0xB2), OWN_PARTIAL_MDL,
                    m -> {
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.mapOrdinary(mdl);
                        m.calls().mmMapLockedPagesSpecifyCache(mdl, KernelMachine.MM_CACHED, false,
                                KernelCalls.NORMAL_PAGE_PRIORITY);
                    }),
            new Violation("unmap-mdl-not-mapped",
                    "MmUnmapLockedPages of an MDL that is not mapped there (here: mapped in a reservation): "
                            + "0xDA/0x06.",
                    List.of(D), MODERN, PTE_MISUSE, p1(0x06), UNMAPS_WITH_MATCHING_CALL,
                    m -> {
                        SimAddress base = m.reserve(PAGE, TAG);
                        SimAddress mdl = m.allocatePages(PAGE);
                        m.calls().mmUnmapLockedPages(m.map(base, TAG, mdl), mdl);
                    }),
            new Violation("unlock-pages-in-a-reservation",
                    "MmUnlockPages of pages still mapped in a reservation releases PTEs it may not: 0xDA/0x301; "
                            + "unmap the reserved mapping first.",
                    List.of(D), MODERN, PTE_MISUSE, p1(0x301), refused(Refusals.RELEASE_MAPPED_PAGES),
                    m -> {
                        KernelCalls calls = m.calls();
                        SimAddress mdl = calls.ioAllocateMdl(calls.userAlloc(PAGE), (int) PAGE);
                        calls.mmProbeAndLockPages(mdl, (byte) 1, 1);
                        m.map(m.reserve(PAGE, TAG), TAG, mdl);
                        calls.mmUnlockPages(mdl);
                    }),
            new Violation("unlock-never-locked",
                    "Driver Verifier: MmUnlockPages on an MDL that was never locked: 0xC4/0x7C.",
                    List.of(D), MODERN, VERIFIER, p1(0x7C), UNLOCKS_ONLY_WHAT_IT_LOCKED,
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

    /** @return the violation with this id, in any letter case, if there is one */
    public static Optional<Violation> byId(String id) {
        return ALL.stream().filter(v -> v.id().equalsIgnoreCase(id)).findFirst();
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

    private static DeviceAnswer refused(String refusalId) {
        return DeviceAnswer.refusedAs(refusalId);
    }

    private static DeviceAnswer refused(String refusalId, String reason) {
        return DeviceAnswer.refusedAs(refusalId, reason);
    }

    private static OptionalLong p1(long parameter1) {
        return OptionalLong.of(parameter1);
    }
}
