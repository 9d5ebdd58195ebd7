package org.resmap;

/** The allocations a simulated machine can be told to refuse ({@code RESMAP_SIM_FAULT_*}). */
public enum FaultKind {
    /** {@code MmAllocateMappingAddress(Ex)} returns NULL. */
    RESERVATION(1),
    /** {@code MmAllocatePagesForMdlEx} returns NULL. */
    PAGES(2),
    /** {@code IoAllocateMdl} returns NULL. */
    MDL(3),
    /** Pool allocation returns NULL. */
    POOL(4),
    /** {@code MmMapLockedPagesSpecifyCache} returns NULL, as when system PTEs are short. */
    MAPPING(5);

    private final int value;

    FaultKind(int value) {
        this.value = value;
    }

    /** @return the simulator's {@code RESMAP_SIM_FAULT_*} value */
    public int value() {
        return value;
    }
}
