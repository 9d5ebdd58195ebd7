package org.resmap.guide;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.resmap.CachingType;
import org.resmap.Mapping;
import org.resmap.PageSet;
import org.resmap.PoolTag;
import org.resmap.ResMap;
import org.resmap.ResMapException;
import org.resmap.Reservation;
import org.resmap.UserBuffer;

/** The example program of docs/java-guide.md. */
public final class GuideExample {

    private static final PoolTag TAG = PoolTag.of("Demo");
    private static final int PAGE = 4096;

    public static void main(String[] args) {
        run(System.out);
    }

    static void run(PrintStream out) {
        // The driver on Windows when it is installed, else an in-process simulated machine.
        try (ResMap device = ResMap.open()) {
            out.println("back end: " + device.backend());

            // try-with-resources closes in reverse order: unmap, release the pages, free the range.
            try (Reservation reservation = device.reserve(2 * PAGE, TAG);
                 PageSet pages = device.allocatePages(2 * PAGE, CachingType.CACHED);
                 Mapping mapping = reservation.map(pages)) {
                byte[] hello = "hello, kernel".getBytes(StandardCharsets.US_ASCII);
                mapping.write(0, hello, 0, hello.length);
                out.println("read back: " + new String(mapping.read(0, hello.length), StandardCharsets.US_ASCII));

                // The same range can be mapped again once unmapped; a slice maps at its byte offset.
                mapping.close();
                try (Mapping slice = reservation.map(pages.slice(PAGE + 16, 100))) {
                    out.println("slice mapped at offset " + slice.offsetInReservation() + " of the reservation");
                }
            }

            // A buffer of this process, locked: writes through the kernel mapping appear in the ByteBuffer.
            try (UserBuffer buffer = device.allocateUserBuffer(PAGE);
                 PageSet locked = device.lock(buffer);
                 Reservation reservation = device.reserve(PAGE, TAG);
                 Mapping kernelView = reservation.map(locked)) {
                byte[] text = "from the kernel".getBytes(StandardCharsets.US_ASCII);
                kernelView.write(0, text, 0, text.length);
                byte[] seen = new byte[text.length];
                buffer.buffer().get(0, seen);
                out.println("the buffer holds: " + new String(seen, StandardCharsets.US_ASCII));
            }

            // Misuse that would bugcheck Windows is refused with a status instead.
            try (Reservation reservation = device.reserve(PAGE, TAG)) {
                reservation.free(PoolTag.of("Oops"));
            } catch (ResMapException e) {
                out.println("refused: " + e.status() + " (" + String.format("0x%08X", e.ntstatus()) + ")");
            }
        }
    }
}
