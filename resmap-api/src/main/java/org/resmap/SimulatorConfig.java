package org.resmap;

/**
 * How to build a simulated machine ({@code resmap_sim_config}). Zero in a numeric field means the
 * simulator's default. Create with {@link #defaults()} or {@link #builder()}.
 *
 * @param windowsBuild the Windows build to behave like, e.g. {@link #WIN81}; 0 = {@link #DEFAULT_BUILD}
 * @param physicalPages frames of simulated physical memory; 0 = 8192 (32 MiB)
 * @param systemPtes size of the system PTE pool in pages; 0 = 4096
 * @param poolBytes nonpaged pool limit; 0 = 16 MiB
 * @param verifier whether Driver Verifier's checks (bug check 0xC4) are modelled
 * @param trace whether the kernel call trace is recorded from the start
 */
public record SimulatorConfig(int windowsBuild, int physicalPages, int systemPtes, int poolBytes,
                              boolean verifier, boolean trace) {

    /** Windows 8.1: header-based reservations, no {@code MmAllocateMappingAddressEx}. */
    public static final int WIN81 = 9600;
    /** Windows 10 1507: reservation tree, no {@code MmAllocateMappingAddressEx}. */
    public static final int WIN10_1507 = 10240;
    /** Windows 10 2004: the first build with {@code MmAllocateMappingAddressEx}. */
    public static final int WIN10_2004 = 19041;
    /** Windows 11 23H2, the simulator's default. */
    public static final int DEFAULT_BUILD = 22631;

    /**
     * @throws IllegalArgumentException if a number is negative
     */
    public SimulatorConfig {
        Checks.notNegative("windowsBuild", windowsBuild);
        Checks.notNegative("physicalPages", physicalPages);
        Checks.notNegative("systemPtes", systemPtes);
        Checks.notNegative("poolBytes", poolBytes);
    }

    /** @return the simulator's defaults, with Driver Verifier on and tracing off */
    public static SimulatorConfig defaults() {
        return builder().build();
    }

    /** @return a builder starting from {@link #defaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link SimulatorConfig}; every setter returns the builder. */
    public static final class Builder {
        private int windowsBuild;
        private int physicalPages;
        private int systemPtes;
        private int poolBytes;
        private boolean verifier = true;
        private boolean trace;

        private Builder() {
        }

        /** @param build a Windows build number, e.g. {@link SimulatorConfig#WIN81} @return this */
        public Builder windowsBuild(int build) {
            this.windowsBuild = build;
            return this;
        }

        /** @param pages frames of simulated physical memory @return this */
        public Builder physicalPages(int pages) {
            this.physicalPages = pages;
            return this;
        }

        /** @param ptes size of the system PTE pool in pages @return this */
        public Builder systemPtes(int ptes) {
            this.systemPtes = ptes;
            return this;
        }

        /** @param bytes nonpaged pool limit @return this */
        public Builder poolBytes(int bytes) {
            this.poolBytes = bytes;
            return this;
        }

        /** @param on whether Driver Verifier's checks are modelled @return this */
        public Builder verifier(boolean on) {
            this.verifier = on;
            return this;
        }

        /** @param on whether the kernel call trace is recorded from the start @return this */
        public Builder trace(boolean on) {
            this.trace = on;
            return this;
        }

        /** @return the configuration */
        public SimulatorConfig build() {
            return new SimulatorConfig(windowsBuild, physicalPages, systemPtes, poolBytes, verifier, trace);
        }
    }
}
