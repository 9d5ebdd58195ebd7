package org.resmap.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.resmap.DeviceInfo;
import org.resmap.ResMap;
import org.resmap.SimCounters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code resmap info}: which back end answers, its versions and limits, and what is live. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the back end, protocol and driver versions, limits and live objects.")
final class InfoCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ResMap device = main.openDevice()) {
            DeviceInfo info = device.info();
            out.printf("backend            %s%n", device.backend().id());
            out.printf("protocol version   %d%n", info.protocolVersion());
            out.printf("driver version     %d.%d%n", info.driverVersion() >>> 16, info.driverVersion() & 0xFFFF);
            out.printf("divisible ranges   %s%n", info.divisibleSupported()
                    ? "supported (MmAllocateMappingAddressEx)" : "not supported on this kernel");
            out.printf("page size          %d bytes%n", info.pageSize());
            out.printf("limits per handle  %d objects, %s reserved, %s of page sets, %s per transfer%n",
                    info.maxObjects(), Sizes.text(info.maxReservedBytes()), Sizes.text(info.maxPageSetBytes()),
                    Sizes.text(info.maxTransfer()));
            out.printf("live objects       %d reservations (%s), %d page sets (%s), "
                            + "%d reserved mappings, %d ordinary mappings%n",
                    info.liveReservations(), Sizes.text(info.reservedBytes()), info.livePageSets(),
                    Sizes.text(info.pageSetBytes()), info.liveReservedMappings(), info.liveOrdinaryMappings());
            device.simulator().ifPresent(simulator -> {
                SimCounters counters = simulator.counters();
                out.printf("simulated machine  %d of %d system PTEs used, %d of %d frames allocated, "
                                + "%d kernel calls so far%n",
                        counters.ptesUsed(), counters.ptesTotal(), counters.framesAllocated() + counters.framesUser(),
                        counters.framesTotal(), counters.calls());
            });
        }
        return 0;
    }
}
