package org.resmap.catalogue;

import static org.resmap.catalogue.DeviceScenarios.PAGE;
import static org.resmap.catalogue.DeviceScenarios.TAG;
import static org.resmap.catalogue.Scenario.onSimulator;
import static org.resmap.catalogue.Source.D;
import static org.resmap.catalogue.Source.K;
import static org.resmap.catalogue.Source.R;
import static org.resmap.catalogue.Source.X;

import java.util.Arrays;
import java.util.List;
import org.resmap.KernelCalls;
import org.resmap.PoolTag;
import org.resmap.SimAddress;
import org.resmap.SimCounters;
import org.resmap.SimulatorConfig;

/**
 * Statements about what the kernel functions themselves do when called correctly, or wrongly in ways
 * that do not bugcheck. Only the simulator lets a test call them directly; on the real kernel the
 * device never makes these calls in these ways (see {@link Refusals}).
 */
final class KernelScenarios {

    private KernelScenarios() {
    }

    static List<Scenario> all() {
        return List.of(
                onSimulator("kernel.tag-zero-returns-null",
                        "MmAllocateMappingAddress with tag 0 returns NULL; tag 1 works.", List.of(K, D),
                        KernelScenarios::tagZero),
                onSimulator("kernel.map-too-large-returns-null",
                        "An MDL spanning more pages than reserved makes the map return NULL, without a "
                                + "bug check.", List.of(D, K, R), KernelScenarios::mapTooLarge),
                onSimulator("kernel.map-returns-base-plus-byte-offset",
                        "The map returns the page-aligned base plus the MDL's byte offset.", List.of(D),
                        KernelScenarios::basePlusByteOffset),
                onSimulator("kernel.unaligned-address-maps-at-base",
                        "Since Windows 8 a mapping address 4 bytes into the first page maps at the base, "
                                + "and freeing Base+4 frees the range.", List.of(K),
                        KernelScenarios::unalignedAddress),
                onSimulator("kernel.mdl-flags",
                        "The map sets MDL_MAPPED_TO_SYSTEM_VA, and MDL_PARTIAL_HAS_BEEN_MAPPED for a partial "
                                + "MDL; the unmap clears them.", List.of(R, X), KernelScenarios::mdlFlags),
                onSimulator("kernel.cache-type-out-of-range-returns-null",
                        "A CacheType of 6 or more makes the map return NULL.", List.of(X),
                        KernelScenarios::cacheTypeOutOfRange),
                onSimulator("kernel.unmap-at-reservation-base",
                        "The unmap accepts the reservation's base as well as the address the map "
                                + "returned.", List.of(R, X), KernelScenarios::unmapAtBase),
                onSimulator("kernel.inner-address-modern",
                        "Windows 10 and later find a reservation from any address inside it: a map at an "
                                + "inner page of a non-divisible range maps at its start, and freeing an inner "
                                + "address frees the whole range.", List.of(X), KernelScenarios::innerAddressModern),
                onSimulator("kernel.header-build-ignores-tag-bit-0",
                        "Header-based builds (Windows 8.1 and earlier) ignore bit 0 of the tag.", List.of(K, R),
                        KernelScenarios::headerBuildTagBit0),
                onSimulator("kernel.partial-mdl-length-zero",
                        "IoBuildPartialMdl with Length 0 describes the source from Va to its end.", List.of(D),
                        KernelScenarios::partialLengthZero),
                onSimulator("kernel.allocated-pages-freed",
                        "Pages from MmAllocatePagesForMdlEx are freed with MmFreePagesFromMdl, then the MDL "
                                + "with ExFreePool; nothing is left.", List.of(D), KernelScenarios::pagesFreed),
                onSimulator("kernel.partial-mdl-shares-mapped-source",
                        "A partial MDL of a source that has a system mapping carries MDL_MAPPED_TO_SYSTEM_VA and "
                                + "points into that mapping (so MmGetSystemAddressForMdlSafe makes no second "
                                + "one); freeing it leaves the source's mapping alone.", List.of(D, R),
                        KernelScenarios::partialSharesMappedSource),
                onSimulator("kernel.pages-freed-while-mapped",
                        "Pages may be freed with MmFreePagesFromMdl while still mapped, then their MDL with "
                                + "ExFreePool: no bug check.", List.of(K),
                        KernelScenarios::pagesFreedWhileMapped),
                onSimulator("kernel.nonpaged-pool-locks-in-kernel-mode",
                        "MmProbeAndLockPages(KernelMode) locks a nonpaged pool buffer; a reserved mapping of "
                                + "its MDL shows the buffer's bytes, and the MDL names no process.",
                        List.of(D, R), KernelScenarios::nonpagedPoolLocks),
                onSimulator("kernel.build-mdl-for-nonpaged-pool",
                        "MmBuildMdlForNonPagedPool describes a nonpaged pool buffer without locking it: "
                                + "MDL_SOURCE_IS_NONPAGED_POOL is set, no page is locked and no PTE is used.",
                        List.of(D, R), KernelScenarios::buildMdlForNonPagedPool));
    }

    private static KernelMachine machine(ScenarioContext context, int build) {
        return new KernelMachine(context.machine(SimulatorConfig.builder().windowsBuild(build).build()));
    }

    private static KernelMachine machine(ScenarioContext context) {
        return machine(context, SimulatorConfig.DEFAULT_BUILD);
    }

    private static void tagZero(ScenarioContext context) {
        KernelMachine m = machine(context);
        Expect.equal("MmAllocateMappingAddress(4096, 0)", null, m.calls().mmAllocateMappingAddress(PAGE, PoolTag.ofValue(0)));
        m.expectAlive("MmAllocateMappingAddress with tag 0");
        SimAddress base = m.reserve(PAGE, PoolTag.ofValue(1));
        m.calls().mmFreeMappingAddress(base, PoolTag.ofValue(1));
        m.expectAlive("MmFreeMappingAddress with tag 1");
    }

    private static void mapTooLarge(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress base = m.reserve(PAGE, TAG);
        SimAddress mdl = m.allocatePages(2 * PAGE);
        Expect.equal("map of 2 pages into 1", null,
                m.calls().mmMapLockedPagesWithReservedMapping(base, TAG, mdl, KernelMachine.MM_CACHED));
        m.expectAlive("the refused map");
        m.calls().mmFreeMappingAddress(base, TAG);
        m.expectAlive("MmFreeMappingAddress after the refused map");
    }

    private static void basePlusByteOffset(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress base = m.reserve(2 * PAGE, TAG);
        SimAddress partial = m.partial(m.allocatePages(2 * PAGE), PAGE + 0x30, 0x40);
        Expect.equal("byte offset of the partial MDL", 0x30, m.calls().mmGetMdlByteOffset(partial));
        SimAddress mapped = m.map(base, TAG, partial);
        Expect.equal("mapped address - base", 0x30L, mapped.minus(base));
    }

    private static void unalignedAddress(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress base = m.reserve(PAGE, TAG);
        SimAddress mdl = m.allocatePages(PAGE);
        SimAddress mapped = m.map(base.plus(4), TAG, mdl);
        Expect.equal("mapped address - base, mapping at Base+4", 0L, mapped.minus(base));
        m.calls().mmUnmapReservedMapping(mapped, TAG, mdl);
        m.calls().mmFreeMappingAddress(base.plus(4), TAG);
        m.expectAlive("MmFreeMappingAddress(Base+4)");
        Expect.equal("reservations left", 0L, m.simulator().counters().reservations());
    }

    private static void mdlFlags(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress base = m.reserve(PAGE, TAG);
        SimAddress partial = m.partial(m.allocatePages(PAGE), 0, (int) PAGE);
        Expect.isTrue("MDL_PARTIAL on a partial MDL", (m.calls().mdlFlags(partial) & KernelMachine.MDL_PARTIAL) != 0);
        int mappedFlags = KernelMachine.MDL_MAPPED_TO_SYSTEM_VA | KernelMachine.MDL_PARTIAL_HAS_BEEN_MAPPED;
        SimAddress mapped = m.map(base, TAG, partial);
        Expect.equal("flags 0x21 after the map", mappedFlags, m.calls().mdlFlags(partial) & mappedFlags);
        m.calls().mmUnmapReservedMapping(mapped, TAG, partial);
        m.expectAlive("MmUnmapReservedMapping");
        Expect.equal("flags 0x21 after the unmap", 0, m.calls().mdlFlags(partial) & mappedFlags);
    }

    private static void cacheTypeOutOfRange(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress base = m.reserve(PAGE, TAG);
        Expect.equal("map with CacheType 6", null,
                m.calls().mmMapLockedPagesWithReservedMapping(base, TAG, m.allocatePages(PAGE), 6));
        m.expectAlive("the map with CacheType 6");
    }

    private static void unmapAtBase(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress base = m.reserve(2 * PAGE, TAG);
        SimAddress partial = m.partial(m.allocatePages(2 * PAGE), 0x80, 0x100);
        m.map(base, TAG, partial);
        m.calls().mmUnmapReservedMapping(base, TAG, partial);
        m.expectAlive("MmUnmapReservedMapping at the reservation's base");
        Expect.equal("mapped reserved pages after the unmap", 0L, m.simulator().counters().reservedMappedPages());
    }

    private static void innerAddressModern(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress base = m.reserve(2 * PAGE, TAG);
        SimAddress mdl = m.allocatePages(PAGE);
        SimAddress mapped = m.map(base.plus(PAGE), TAG, mdl);
        Expect.equal("mapped address - base, mapping at an inner page", 0L, mapped.minus(base));
        m.calls().mmUnmapReservedMapping(mapped, TAG, mdl);
        m.calls().mmFreeMappingAddress(base.plus(PAGE + 8), TAG);
        m.expectAlive("MmFreeMappingAddress at an inner address");
        Expect.equal("reservations left", 0L, m.simulator().counters().reservations());
    }

    private static void headerBuildTagBit0(ScenarioContext context) {
        KernelMachine m = machine(context, SimulatorConfig.WIN81);
        SimAddress base = m.reserve(PAGE, TAG);
        PoolTag bit0Flipped = PoolTag.ofValue(TAG.value() ^ 1);
        SimAddress mdl = m.allocatePages(PAGE);
        SimAddress mapped = m.map(base, bit0Flipped, mdl);
        m.calls().mmUnmapReservedMapping(mapped, bit0Flipped, mdl);
        m.calls().mmFreeMappingAddress(base, bit0Flipped);
        m.expectAlive("map, unmap and free with bit 0 of the tag flipped");
    }

    private static void partialLengthZero(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress source = m.allocatePages(2 * PAGE);
        SimAddress va = m.calls().mmGetMdlVirtualAddress(source).plus(0x100);
        SimAddress partial = m.calls().ioAllocateMdl(va, (int) (2 * PAGE - 0x100));
        m.calls().ioBuildPartialMdl(source, partial, va, 0);
        m.expectAlive("IoBuildPartialMdl with Length 0");
        Expect.equal("ByteCount of the partial MDL", (int) (2 * PAGE - 0x100), m.calls().mmGetMdlByteCount(partial));
    }

    private static void pagesFreed(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimCounters before = m.simulator().counters();
        SimAddress mdl = m.allocatePages(3 * PAGE);
        Expect.equal("ByteCount of the allocation", (int) (3 * PAGE), m.calls().mmGetMdlByteCount(mdl));
        Expect.equal("frames allocated", before.framesAllocated() + 3, m.simulator().counters().framesAllocated());
        m.calls().mmFreePagesFromMdl(mdl);
        m.calls().exFreePool(mdl);
        m.expectAlive("MmFreePagesFromMdl + ExFreePool");
        SimCounters after = m.simulator().counters();
        Expect.equal("frames allocated after the free", before.framesAllocated(), after.framesAllocated());
        Expect.equal("MDLs after the free", before.mdls(), after.mdls());
    }

    private static void partialSharesMappedSource(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress source = m.allocatePages(2 * PAGE);
        SimAddress mapped = m.mapOrdinary(source);
        SimAddress partial = m.partial(source, PAGE, (int) PAGE);
        Expect.isTrue("MDL_MAPPED_TO_SYSTEM_VA on the partial MDL",
                (m.calls().mdlFlags(partial) & KernelMachine.MDL_MAPPED_TO_SYSTEM_VA) != 0);
        m.calls().ioFreeMdl(partial);
        m.expectAlive("IoFreeMdl of the partial MDL");
        Expect.equal("ordinary mappings after freeing the partial MDL", 1L,
                m.simulator().counters().ordinaryMappings());
        m.calls().mmUnmapLockedPages(mapped, source);
        m.expectAlive("MmUnmapLockedPages of the source");
    }

    private static void pagesFreedWhileMapped(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress mdl = m.allocatePages(PAGE);
        m.mapOrdinary(mdl);
        m.calls().mmFreePagesFromMdl(mdl);
        m.calls().exFreePool(mdl);
        m.expectAlive("MmFreePagesFromMdl of mapped pages");
    }

    private static void nonpagedPoolLocks(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress block = m.nonpagedPool(2 * PAGE, TAG);
        byte[] marker = { 0x52, 0x65, 0x73, 0x4D };
        m.calls().write(block.plus(PAGE), marker);
        SimAddress mdl = m.mdlFor(block, (int) (2 * PAGE));
        m.calls().mmProbeAndLockPages(mdl, KernelCalls.KERNEL_MODE, KernelCalls.IO_WRITE_ACCESS);
        m.expectAlive("MmProbeAndLockPages(KernelMode) of nonpaged pool");
        Expect.isTrue("MDL_PAGES_LOCKED after the lock",
                (m.calls().mdlFlags(mdl) & KernelMachine.MDL_PAGES_LOCKED) != 0);
        Expect.equal("frames locked", 2L, m.simulator().counters().framesLocked());
        SimAddress base = m.reserve(2 * PAGE, TAG);
        SimAddress mapped = m.map(base, TAG, mdl);
        Expect.equal("bytes seen through the reserved mapping", Arrays.toString(marker),
                Arrays.toString(m.calls().read(mapped.plus(PAGE), marker.length)));
        m.calls().mmUnmapReservedMapping(base, TAG, mdl);
        m.calls().mmUnlockPages(mdl);
        m.expectAlive("unmap and unlock");
        Expect.equal("frames locked after the unlock", 0L, m.simulator().counters().framesLocked());
        m.calls().ioFreeMdl(mdl);
        m.calls().mmFreeMappingAddress(base, TAG);
        m.calls().exFreePoolWithTag(block, TAG);
        m.expectAlive("freeing everything");
    }

    private static void buildMdlForNonPagedPool(ScenarioContext context) {
        KernelMachine m = machine(context);
        SimAddress block = m.nonpagedPool(PAGE, TAG);
        SimAddress mdl = m.mdlFor(block, (int) PAGE);
        SimCounters before = m.simulator().counters();
        m.calls().mmBuildMdlForNonPagedPool(mdl);
        m.expectAlive("MmBuildMdlForNonPagedPool");
        int flags = m.calls().mdlFlags(mdl);
        Expect.isTrue("MDL_SOURCE_IS_NONPAGED_POOL set", (flags & KernelMachine.MDL_SOURCE_IS_NONPAGED_POOL) != 0);
        Expect.isTrue("MDL_PAGES_LOCKED clear", (flags & KernelMachine.MDL_PAGES_LOCKED) == 0);
        SimCounters after = m.simulator().counters();
        Expect.equal("frames locked", before.framesLocked(), after.framesLocked());
        Expect.equal("system PTEs in use", before.ptesUsed(), after.ptesUsed());
        m.calls().ioFreeMdl(mdl);
        m.calls().exFreePoolWithTag(block, TAG);
        m.expectAlive("IoFreeMdl and ExFreePoolWithTag");
    }
}
