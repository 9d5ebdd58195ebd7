package org.resmap.bench;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The floors the Java API is measured against, all in libresmap-sim (bench_floor.c), reached by JNA
 * direct mapping, which adds nothing to the heap:
 * <ul>
 *   <li>{@link Request}: the same map and unmap IOCTLs the API sends, issued from C through the
 *       simulated I/O manager, on a machine and session of its own;
 *   <li>{@link Host}: the bare host pair any map + unmap costs at least (mmap of each run of memfd
 *       pages, then PROT_NONE back over the range).
 *   <li>{@link Calls}: two JNA direct calls that return at once, what the transitions of one map +
 *       unmap cycle of the Java API cost before any work is done.
 * </ul>
 * The first two run many cycles per native call, so the JNA transition is spread thin.
 */
final class Floors {

    static {
        Native.register("resmap-sim");
    }

    private Floors() {
    }

    private static native Pointer resmap_sim_bench_request_open(int pages, int ordinary, int contiguous);

    private static native int resmap_sim_bench_request_run(Pointer floor, int iterations);

    private static native void resmap_sim_bench_request_close(Pointer floor);

    private static native Pointer resmap_sim_bench_host_open(int pages, int runPages);

    private static native int resmap_sim_bench_host_run(Pointer floor, int iterations);

    private static native void resmap_sim_bench_host_close(Pointer floor);

    private static native int resmap_sim_ioctl(long session, int code, long in, int inLength, long out,
                                               int outLength, long bytesReturned);

    /** Map + unmap IOCTLs from C, reserved or ordinary, on a page set of contiguous or scattered frames. */
    static final class Request implements AutoCloseable {
        private final Pointer floor;

        Request(int pages, boolean ordinary, boolean contiguous) {
            floor = resmap_sim_bench_request_open(pages, ordinary ? 1 : 0, contiguous ? 1 : 0);
            if (floor == null) {
                throw new IllegalStateException("resmap_sim_bench_request_open(" + pages + ") returned NULL");
            }
        }

        void run(int cycles) {
            check("request floor", resmap_sim_bench_request_run(floor, cycles));
        }

        @Override
        public void close() {
            resmap_sim_bench_request_close(floor);
        }
    }

    /** The bare host pair for {@code pages} pages in runs of {@code runPages}. */
    static final class Host implements AutoCloseable {
        private final Pointer floor;

        Host(int pages, int runPages) {
            floor = resmap_sim_bench_host_open(pages, runPages);
            if (floor == null) {
                throw new IllegalStateException("resmap_sim_bench_host_open(" + pages + ") returned NULL");
            }
        }

        void run(int cycles) {
            check("host floor", resmap_sim_bench_host_run(floor, cycles));
        }

        @Override
        public void close() {
            resmap_sim_bench_host_close(floor);
        }
    }

    /** Two calls per cycle, as the API's map and unmap make: a NULL session is refused at once. */
    static final class Calls {
        private static final int STATUS_INVALID_PARAMETER = 0xC000000D;

        private Calls() {
        }

        static void run(int cycles) {
            for (int i = 0; i < cycles; i++) {
                if (resmap_sim_ioctl(0, 0, 0, 0, 0, 0, 0) != STATUS_INVALID_PARAMETER
                        || resmap_sim_ioctl(0, 0, 0, 0, 0, 0, 0) != STATUS_INVALID_PARAMETER) {
                    throw new IllegalStateException("resmap_sim_ioctl(NULL session) did not refuse it");
                }
            }
        }
    }

    private static void check(String what, int status) {
        if (status != 0) {
            throw new IllegalStateException(String.format("%s failed with NTSTATUS 0x%08X", what, status));
        }
    }
}
