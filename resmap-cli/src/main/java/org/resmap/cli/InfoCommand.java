package org.resmap.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.resmap.DeviceInfo;
import org.resmap.ResMap;
import org.resmap.SimCounters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code resmap info}: which back end answers, its versions and limits, what is live, and the simulated machine. */
@Command(name = "info", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Show the back end, protocol and driver versions, limits, live objects and, on the "
                + "simulator, the machine the global options describe.",
        footerHeading = "%nExamples:%n",
        footer = {"  resmap info", "  resmap info --build win81 --system-ptes 64", "  resmap info --json"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:success", "2:an error, e.g. no driver"})
final class InfoCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    Json.Option_ json;

    /** What {@code info --json} prints. */
    record Report(String backend, int protocolVersion, String driverVersion, boolean divisibleSupported, int pageSize,
                  Limits limits, Live live, Machine machine) {
    }

    /** The per-handle limits. */
    record Limits(long maxObjects, long maxReservedBytes, long maxPageSetBytes, long maxTransfer) {
    }

    /** This handle's live objects. */
    record Live(long reservations, long reservedBytes, long pageSets, long pageSetBytes, long reservedMappings,
                long ordinaryMappings) {
    }

    /** The simulated machine: how it was built and what it holds now (absent on the kernel back end). */
    record Machine(int windowsBuild, String behavesAs, long systemPtes, long ptesUsed, long frames,
                   long framesInUse, long memoryBytes, boolean verifier, long kernelCalls) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ResMap device = main.openDevice()) {
            DeviceInfo info = device.info();
            MachineSettings settings = main.machine();
            Machine machine = device.simulator().map(simulator -> {
                SimCounters c = simulator.counters();
                return new Machine(settings.buildNumber(), WindowsBuild.behaviourOf(settings.buildNumber()).label(),
                        c.ptesTotal(), c.ptesUsed(), c.framesTotal(), c.framesAllocated() + c.framesUser(),
                        c.framesTotal() * info.pageSize(), settings.verifier(), c.calls());
            }).orElse(null);
            Report report = new Report(device.backend().id(), info.protocolVersion(),
                    (info.driverVersion() >>> 16) + "." + (info.driverVersion() & 0xFFFF), info.divisibleSupported(),
                    info.pageSize(),
                    new Limits(info.maxObjects(), info.maxReservedBytes(), info.maxPageSetBytes(), info.maxTransfer()),
                    new Live(info.liveReservations(), info.reservedBytes(), info.livePageSets(), info.pageSetBytes(),
                            info.liveReservedMappings(), info.liveOrdinaryMappings()),
                    machine);
            if (json.json) {
                Json.print(out, report);
            } else {
                printText(out, report, settings);
            }
        }
        return 0;
    }

    private static void printText(PrintWriter out, Report r, MachineSettings settings) {
        out.printf("backend            %s%n", r.backend());
        out.printf("protocol version   %d%n", r.protocolVersion());
        out.printf("driver version     %s%n", r.driverVersion());
        out.printf("divisible ranges   %s%n", r.divisibleSupported()
                ? "supported (MmAllocateMappingAddressEx)" : "not supported on this kernel");
        out.printf("page size          %d bytes%n", r.pageSize());
        out.printf("limits per handle  %d objects, %s reserved, %s of page sets, %s per transfer%n",
                r.limits().maxObjects(), Sizes.text(r.limits().maxReservedBytes()),
                Sizes.text(r.limits().maxPageSetBytes()), Sizes.text(r.limits().maxTransfer()));
        out.printf("live objects       %d reservations (%s), %d page sets (%s), %d reserved mappings, "
                        + "%d ordinary mappings%n", r.live().reservations(), Sizes.text(r.live().reservedBytes()),
                r.live().pageSets(), Sizes.text(r.live().pageSetBytes()), r.live().reservedMappings(),
                r.live().ordinaryMappings());
        if (r.machine() != null) {
            Machine m = r.machine();
            out.printf("simulated machine  %s%n", settings.describe());
            out.printf("machine now        %d of %d system PTEs used, %d of %d frames in use, %d kernel calls so far%n",
                    m.ptesUsed(), m.systemPtes(), m.framesInUse(), m.frames(), m.kernelCalls());
        }
    }
}
