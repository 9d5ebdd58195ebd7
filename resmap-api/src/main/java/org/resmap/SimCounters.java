package org.resmap;

/**
 * Every resource count of a simulated machine ({@code resmap_sim_counters}), for leak checks.
 *
 * @param reservations live {@code MmAllocateMappingAddress(Ex)} ranges
 * @param reservedPages pages in those ranges
 * @param reservedMappedPages reserved pages currently mapped
 * @param ordinaryMappings live {@code MmMapLockedPagesSpecifyCache} mappings
 * @param ordinaryMappedPages pages in those mappings
 * @param ptesUsed system PTEs in use
 * @param ptesTotal system PTEs in the pool
 * @param framesAllocated frames held by {@code MmAllocatePagesForMdlEx} MDLs
 * @param framesUser frames backing simulated user memory
 * @param framesLocked frames currently locked by {@code MmProbeAndLockPages} (user memory or pool)
 * @param framesTotal frames of simulated physical memory
 * @param mdls live MDLs
 * @param poolAllocations live pool blocks, MDLs excluded
 * @param poolBytes bytes in those blocks
 * @param userBuffers live simulated user buffers
 * @param sessions open device sessions
 * @param calls kernel calls made so far
 */
public record SimCounters(long reservations, long reservedPages, long reservedMappedPages, long ordinaryMappings,
                          long ordinaryMappedPages, long ptesUsed, long ptesTotal, long framesAllocated,
                          long framesUser, long framesLocked, long framesTotal, long mdls, long poolAllocations,
                          long poolBytes, long userBuffers, long sessions, long calls) {

    /**
     * Compares what two snapshots hold, ignoring the call count. A machine never returns to all zeroes
     * once a device was opened on it: the driver core's device block stays in pool until the driver
     * unloads (here, until the machine is destroyed), as it does on Windows. Leak checks therefore
     * compare with a machine that was opened and closed without doing anything.
     *
     * @param other another snapshot
     * @return true when both hold the same reservations, mappings, PTEs, frames, MDLs, pool, user
     *     buffers and sessions
     */
    public boolean holdsSameAs(SimCounters other) {
        return reservations == other.reservations && reservedPages == other.reservedPages
                && reservedMappedPages == other.reservedMappedPages && ordinaryMappings == other.ordinaryMappings
                && ordinaryMappedPages == other.ordinaryMappedPages && ptesUsed == other.ptesUsed
                && ptesTotal == other.ptesTotal && framesAllocated == other.framesAllocated
                && framesUser == other.framesUser && framesLocked == other.framesLocked
                && framesTotal == other.framesTotal && mdls == other.mdls
                && poolAllocations == other.poolAllocations && poolBytes == other.poolBytes
                && userBuffers == other.userBuffers && sessions == other.sessions;
    }
}
