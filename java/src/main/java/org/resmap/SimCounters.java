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
 * @param framesLocked user frames currently locked by {@code MmProbeAndLockPages}
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
     * @return true when nothing is held: no reservations, mappings, used PTEs, allocated or locked
     *     frames, MDLs, pool blocks, user buffers or sessions
     */
    public boolean nothingHeld() {
        return reservations == 0 && reservedPages == 0 && reservedMappedPages == 0 && ordinaryMappings == 0
                && ordinaryMappedPages == 0 && ptesUsed == 0 && framesAllocated == 0 && framesUser == 0
                && framesLocked == 0 && mdls == 0 && poolAllocations == 0 && poolBytes == 0 && userBuffers == 0
                && sessions == 0;
    }
}
