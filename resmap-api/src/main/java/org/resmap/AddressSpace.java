package org.resmap;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A simulated machine's system address space at one moment, as the simulator itself records it: every
 * system PTE (PTE i is the page at {@code sysva + i * pageSize} in the call trace) and every frame in
 * use, with who holds it. Only the simulator can show this; the driver discloses no kernel addresses
 * or frame numbers.
 *
 * @param pageSize bytes per page
 * @param ptes every system PTE, in order
 * @param frames every frame that is not free, in frame order
 */
public record AddressSpace(int pageSize, List<Pte> ptes, List<Frame> frames) {

    /** What a system PTE is part of ({@code RESMAP_SIM_PTE_*}). */
    public enum PteKind {
        /** In no reservation and no mapping. */
        FREE,
        /** One of the two header PTEs in front of a reservation. */
        HEADER,
        /** A page of a reservation, mapped or not. */
        RESERVED,
        /** A page of an ordinary ({@code MmMapLockedPagesSpecifyCache}) mapping. */
        ORDINARY
    }

    /** Who holds a frame ({@code RESMAP_SIM_FRAME_*}); free frames are not listed. */
    public enum FrameUse {
        /** Not used (never listed in {@link #frames()}). */
        FREE,
        /** Held by an {@code MmAllocatePagesForMdlEx} MDL: a page set the driver allocated. */
        ALLOCATED,
        /** Backs simulated user memory: a caller's buffer. */
        USER
    }

    /**
     * One system PTE.
     *
     * @param index its number; its page is {@code sysva + index * pageSize}
     * @param kind what it is part of
     * @param tag header and reserved: the reservation's tag; otherwise tag 0
     * @param owner header and reserved: the index of the reservation's first page; ordinary: of the
     *     mapping's first page; free: 0
     * @param frame the frame it maps, if any
     * @param divisible reserved: whether the reservation is divisible
     */
    public record Pte(int index, PteKind kind, PoolTag tag, long owner, OptionalLong frame, boolean divisible) {
    }

    /**
     * One frame in use.
     *
     * @param number the frame number (a page index in the simulated physical memory)
     * @param use who holds it
     * @param mdl allocated: the number of the MDL holding it ({@code mdl#N} in the trace); user: 0
     * @param page allocated: its page index in that MDL; user: its page index in user memory
     *     ({@code user + page * pageSize} in the trace)
     * @param locks {@code MmProbeAndLockPages} references
     * @param maps system PTEs mapping it now
     */
    public record Frame(long number, FrameUse use, int mdl, long page, int locks, int maps) {
    }

    /** Copies the lists, so that the record stays immutable. */
    public AddressSpace {
        ptes = List.copyOf(ptes);
        frames = List.copyOf(frames);
    }

    /** @return the frames in use by number */
    public Map<Long, Frame> framesByNumber() {
        return frames.stream().collect(Collectors.toMap(Frame::number, Function.identity()));
    }

    /** @return the number of the last PTE that is not free, or -1 when all are */
    public int lastUsedPte() {
        for (int i = ptes.size() - 1; i >= 0; i--) {
            if (ptes.get(i).kind() != PteKind.FREE) {
                return i;
            }
        }
        return -1;
    }
}
