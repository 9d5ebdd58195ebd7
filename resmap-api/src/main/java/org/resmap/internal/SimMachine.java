package org.resmap.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.resmap.AddressSpace;
import org.resmap.Bugcheck;
import org.resmap.FaultKind;
import org.resmap.NtStatus;
import org.resmap.PoolTag;
import org.resmap.ResMapException;
import org.resmap.SimCounters;
import org.resmap.SimulatorConfig;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One simulated machine of libresmap-sim, owned from creation to {@link #close()}. After close, the
 * counters and bug check last seen stay readable, so a test can check that closing released everything.
 */
public final class SimMachine implements AutoCloseable {

    private static final int TRACE_CHUNK = 64 * 1024;
    // resmap_sim_pte_view and resmap_sim_frame_view: their sizes, and how many are read per call.
    private static final int PTE_VIEW_SIZE = 32;
    private static final int FRAME_VIEW_SIZE = 24;
    private static final int VIEW_CHUNK = 1024;

    private Pointer machine;
    private SimCounters finalCounters;
    private Optional<Bugcheck> finalBugcheck = Optional.empty();

    /**
     * Creates a machine.
     *
     * @param config its configuration
     * @throws ResMapException with STATUS_INSUFFICIENT_RESOURCES if the host refused memory
     */
    public SimMachine(SimulatorConfig config) {
        SimNative.Config native_ = new SimNative.Config();
        native_.struct_size = native_.size();
        native_.windows_build = config.windowsBuild();
        native_.physical_pages = config.physicalPages();
        native_.system_ptes = config.systemPtes();
        native_.pool_bytes = config.poolBytes();
        native_.flags = (config.verifier() ? 0 : SimNative.FLAG_NO_VERIFIER) | (config.trace() ? SimNative.FLAG_TRACE : 0);
        machine = SimNative.resmap_sim_create(native_);
        if (machine == null) {
            throw new ResMapException("create a simulated machine", NtStatus.STATUS_INSUFFICIENT_RESOURCES.value());
        }
    }

    /** @return the native machine */
    public synchronized Pointer pointer() {
        return live();
    }

    /** Makes this machine the calling thread's current one, for {@link SimLibrary} kernel calls. */
    public synchronized void select() {
        SimNative.resmap_sim_select(live());
    }

    /** @return the bug check, once the machine has raised one (also after close) */
    public synchronized Optional<Bugcheck> bugcheck() {
        if (machine == null) {
            return finalBugcheck;
        }
        int[] code = new int[1];
        long[] params = new long[4];
        if (SimNative.resmap_sim_bugcheck(machine, code, params) == 1) {
            return Optional.of(new Bugcheck(code[0], params));
        }
        return Optional.empty();
    }

    /** @return the resource counters now, or as they were just before close */
    public synchronized SimCounters counters() {
        if (machine == null) {
            return finalCounters;
        }
        SimNative.Counters c = new SimNative.Counters();
        SimNative.resmap_sim_get_counters(machine, c);
        c.read();
        return new SimCounters(c.reservations, c.reserved_pages, c.reserved_mapped_pages, c.ordinary_mappings,
                c.ordinary_mapped_pages, c.ptes_used, c.ptes_total, c.frames_allocated, c.frames_user,
                c.frames_locked, c.frames_total, c.mdls, c.pool_allocations, c.pool_bytes, c.user_buffers,
                c.sessions, c.calls);
    }

    /** @param on whether kernel calls are recorded */
    public synchronized void traceEnabled(boolean on) {
        SimLibrary.INSTANCE.resmap_sim_trace_enable(live(), on ? 1 : 0);
    }

    /** @return the recorded call trace lines, removed from the trace */
    public synchronized List<String> drainTrace() {
        List<String> lines = new ArrayList<>();
        try (Memory chunk = new Memory(TRACE_CHUNK)) {
            long read;
            while ((read = SimLibrary.INSTANCE.resmap_sim_trace_read(live(), chunk, TRACE_CHUNK)) > 0) {
                chunk.getString(0, StandardCharsets.UTF_8.name()).lines().forEach(lines::add);
            }
        }
        return lines;
    }

    /**
     * @param kind the allocation to refuse
     * @param n 1 = the very next one; 0 cancels
     */
    public synchronized void failNth(FaultKind kind, int n) {
        SimLibrary.INSTANCE.resmap_sim_fail_nth(live(), kind.value(), n);
    }

    /** @return allocations of this kind attempted so far */
    public synchronized long allocations(FaultKind kind) {
        return SimLibrary.INSTANCE.resmap_sim_allocations(live(), kind.value());
    }

    /**
     * Reads one byte at a system address the way kernel code would; an unmapped page records bug check
     * 0x50 instead of faulting.
     *
     * @return the byte (0..255), or -1 if the access bugchecked
     */
    public synchronized int touch(Pointer va) {
        byte[] value = new byte[1];
        return SimLibrary.INSTANCE.resmap_sim_touch(live(), va, value) == 0 ? value[0] & 0xFF : -1;
    }

    /**
     * @return every system PTE as {@code resmap_sim_view_ptes} describes it, in order
     */
    public synchronized List<AddressSpace.Pte> ptes() {
        List<AddressSpace.Pte> ptes = new ArrayList<>();
        try (Memory chunk = new Memory((long) VIEW_CHUNK * PTE_VIEW_SIZE)) {
            long filled;
            while ((filled = SimLibrary.INSTANCE.resmap_sim_view_ptes(live(), ptes.size(), chunk, VIEW_CHUNK)) > 0) {
                for (int i = 0; i < filled; i++) {
                    long at = (long) i * PTE_VIEW_SIZE;
                    long frame = chunk.getLong(at + 16);
                    ptes.add(new AddressSpace.Pte(ptes.size(), AddressSpace.PteKind.values()[chunk.getInt(at)],
                            PoolTag.ofValue(chunk.getInt(at + 4)), chunk.getLong(at + 8),
                            frame == -1L ? OptionalLong.empty() : OptionalLong.of(frame), chunk.getInt(at + 24) != 0));
                }
            }
        }
        return ptes;
    }

    /** @return every frame that is not free, as {@code resmap_sim_view_frames} describes it */
    public synchronized List<AddressSpace.Frame> frames() {
        List<AddressSpace.Frame> frames = new ArrayList<>();
        try (Memory chunk = new Memory((long) VIEW_CHUNK * FRAME_VIEW_SIZE)) {
            long first = 0;
            long filled;
            while ((filled = SimLibrary.INSTANCE.resmap_sim_view_frames(live(), first, chunk, VIEW_CHUNK)) > 0) {
                for (int i = 0; i < filled; i++) {
                    long at = (long) i * FRAME_VIEW_SIZE;
                    int use = chunk.getInt(at);
                    if (use != 0) {
                        frames.add(new AddressSpace.Frame(first + i, AddressSpace.FrameUse.values()[use],
                                chunk.getInt(at + 4), chunk.getLong(at + 8), chunk.getInt(at + 16),
                                chunk.getInt(at + 20)));
                    }
                }
                first += filled;
            }
        }
        return frames;
    }

    /** @return value as the trace writes a bugcheck parameter: {@code sysva+0x2000}, {@code mdl#3}, else hex */
    public synchronized String describe(long value) {
        byte[] text = new byte[64];
        long length = SimLibrary.INSTANCE.resmap_sim_describe(live(), value, text, text.length);
        return new String(text, 0, (int) length, StandardCharsets.US_ASCII);
    }

    /** @return page-aligned simulated user memory, or null when frames ran out */
    public synchronized Pointer userAlloc(long bytes) {
        return SimNative.resmap_sim_user_alloc(live(), bytes);
    }

    /** @return false if the memory is still locked and was not freed */
    public synchronized boolean userFree(Pointer p) {
        return SimNative.resmap_sim_user_free(live(), p) == 0;
    }

    /**
     * @param bytes at least 1
     * @return a direct little-endian buffer over new simulated user memory
     */
    ByteBuffer userBuffer(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a user buffer is at most " + Integer.MAX_VALUE + " bytes, not " + bytes);
        }
        Pointer memory = userAlloc(bytes);
        if (memory == null) {
            throw new ResMapException("allocate " + bytes + " bytes of simulated user memory",
                    NtStatus.STATUS_INSUFFICIENT_RESOURCES.value());
        }
        return memory.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** @return true once {@link #close()} ran */
    public synchronized boolean closed() {
        return machine == null;
    }

    /** Destroys the machine, keeping its last counters and bug check. Idempotent. */
    @Override
    public synchronized void close() {
        if (machine == null) {
            return;
        }
        finalCounters = counters();
        finalBugcheck = bugcheck();
        SimNative.resmap_sim_destroy(machine);
        machine = null;
    }

    private Pointer live() {
        if (machine == null) {
            throw new IllegalStateException("the simulated machine has been closed");
        }
        return machine;
    }
}
