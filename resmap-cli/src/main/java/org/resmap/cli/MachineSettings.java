package org.resmap.cli;

import org.resmap.SimulatorConfig;

/**
 * The simulated machine the global options describe; a setting left out is the simulator's default.
 *
 * @param build {@code --build}, or null
 * @param systemPtes {@code --system-ptes}, or null
 * @param memoryBytes {@code --memory}, or null
 * @param verifier false under {@code --no-verifier}
 */
record MachineSettings(WindowsBuild.Choice build, Integer systemPtes, Long memoryBytes, boolean verifier) {

    static final int MIN_PTES = 3;
    static final int MAX_PTES = 262_144;
    static final int DEFAULT_PTES = 4096;
    static final long PAGE = 4096;
    static final long MAX_MEMORY = 65_536 * PAGE;
    static final long DEFAULT_MEMORY = 8192 * PAGE;

    /** Checks the values against what the simulator accepts, with an error that says the range. */
    MachineSettings {
        if (systemPtes != null && (systemPtes < MIN_PTES || systemPtes > MAX_PTES)) {
            throw new IllegalArgumentException("--system-ptes must be " + MIN_PTES + " to " + MAX_PTES + ", not "
                    + systemPtes);
        }
        if (memoryBytes != null && (memoryBytes < 16 * PAGE || memoryBytes > MAX_MEMORY
                || memoryBytes % PAGE != 0)) {
            throw new IllegalArgumentException("--memory must be whole pages from 64 KiB to 256 MiB, not "
                    + Sizes.text(memoryBytes));
        }
    }

    /** @return whether any setting was given (then the simulator is meant) */
    boolean given() {
        return build != null || systemPtes != null || memoryBytes != null || !verifier;
    }

    /** @return the same settings on another build */
    MachineSettings onBuild(WindowsBuild other) {
        return onBuild(other.number());
    }

    /** @return the same settings on another build number */
    MachineSettings onBuild(int buildNumber) {
        return new MachineSettings(new WindowsBuild.Choice(buildNumber), systemPtes, memoryBytes, verifier);
    }

    /** @return the build number the machine behaves as */
    int buildNumber() {
        return build == null ? SimulatorConfig.DEFAULT_BUILD : build.number();
    }

    int ptes() {
        return systemPtes == null ? DEFAULT_PTES : systemPtes;
    }

    long memory() {
        return memoryBytes == null ? DEFAULT_MEMORY : memoryBytes;
    }

    /** @return the simulator configuration */
    SimulatorConfig config() {
        return SimulatorConfig.builder().windowsBuild(buildNumber()).systemPtes(ptes())
                .physicalPages((int) (memory() / PAGE)).verifier(verifier).build();
    }

    /** @return one line, e.g. {@code "Windows build 22631 (...), 4096 system PTEs, 32 MiB, Driver Verifier on"} */
    String describe() {
        return "Windows build " + new WindowsBuild.Choice(buildNumber()).describe() + ", " + ptes()
                + " system PTEs, " + Sizes.text(memory()) + " of memory (" + memory() / PAGE + " frames), Driver Verifier "
                + (verifier ? "on" : "off");
    }
}
