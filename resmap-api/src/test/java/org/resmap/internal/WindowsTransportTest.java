package org.resmap.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT;
import org.junit.jupiter.api.Test;
import org.resmap.NtStatus;
import org.resmap.ResMapException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel transport against a fake ntdll: it must report exactly the NTSTATUS the I/O status block
 * holds, whether the driver core set it or Windows did (a status the core never returns), and the
 * reply length the block reports.
 */
class WindowsTransportTest {

    /** An ntdll and kernel32 that complete each request as told and record what they were asked. */
    static final class FakeKernel implements WindowsKernel {
        int returned;                       // what NtDeviceIoControlFile returns
        Integer completed;                  // what it writes into IO_STATUS_BLOCK.Status (null: nothing)
        long information;                   // ... and into Information
        byte[] reply = new byte[0];         // copied into the output buffer
        final List<String> calls = new ArrayList<>();
        final List<Pointer> allocated = new ArrayList<>();

        @Override
        public int ntDeviceIoControlFile(WinNT.HANDLE device, Pointer ioStatusBlock, int code, Pointer in,
                                         int inLength, Pointer out, int outLength) {
            calls.add(String.format("ioctl 0x%08X in=%d out=%d", code, inLength, outLength));
            assertEquals(WindowsTransport.STATUS_PENDING, ioStatusBlock.getInt(0), "the block is reset before each call");
            if (completed != null) {
                ioStatusBlock.setInt(0, completed);
                ioStatusBlock.setLong(INFORMATION_OFFSET, information);
                if (out != null) {
                    out.write(0, reply, 0, reply.length);
                }
            }
            return returned;
        }

        @Override
        public Pointer virtualAlloc(long bytes) {
            Memory memory = new Memory(bytes);
            allocated.add(memory);
            return memory;
        }

        @Override
        public boolean virtualFree(Pointer base) {
            calls.add("free " + allocated.indexOf(base));
            return true;
        }

        @Override
        public void closeHandle(WinNT.HANDLE handle) {
            calls.add("close");
        }

        @Override
        public int lastError() {
            return 8;
        }
    }

    private final FakeKernel kernel = new FakeKernel();
    private final WindowsTransport transport =
            new WindowsTransport(kernel, new WinNT.HANDLE(Pointer.createConstant(0x40)));
    private final ByteBuffer in = ByteBuffer.allocateDirect(64);
    private final ByteBuffer out = ByteBuffer.allocateDirect(64);

    private ResMapException failure(int code) {
        return assertThrows(ResMapException.class, () -> transport.ioctl(code, in, 16, out, 32));
    }

    @Test
    void aSuccessReturnsTheReplyLengthFromTheStatusBlock() {
        kernel.completed = 0;
        kernel.information = 24;
        kernel.reply = new byte[] {1, 2, 3};
        assertEquals(24, transport.ioctl(Protocol.IOCTL_GET_INFO, in, 16, out, 32));
        assertEquals(3, out.get(2));
        assertEquals(List.of(String.format("ioctl 0x%08X in=16 out=32", Protocol.IOCTL_GET_INFO)), kernel.calls);
    }

    @Test
    void everyCoreStatusIsReportedExactly() {
        for (NtStatus status : NtStatus.values()) {
            if (status == NtStatus.UNKNOWN || status == NtStatus.STATUS_SUCCESS
                    || status == NtStatus.RESMAP_SIM_STATUS_BUGCHECKED) {
                continue;
            }
            kernel.completed = status.value();
            kernel.returned = status.value();
            ResMapException e = failure(Protocol.IOCTL_RESERVE);
            assertSame(status, e.status(), status.name());
            assertEquals(status.value(), e.ntstatus());
            assertTrue(e.getMessage().contains(status.name()), e.getMessage());
        }
    }

    @Test
    void aStatusFromWindowsItselfIsKeptExactly() {
        // STATUS_NOT_IMPLEMENTED and STATUS_INVALID_DEVICE_REQUEST both become ERROR_INVALID_FUNCTION: a
        // table from Win32 errors would have called this one the core's "unknown IOCTL".
        kernel.completed = 0xC0000002;
        kernel.returned = 0xC0000002;
        ResMapException e = failure(Protocol.IOCTL_RESERVE);
        assertEquals(0xC0000002, e.ntstatus());
        assertSame(NtStatus.UNKNOWN, e.status());
        assertTrue(e.getMessage().contains("0xC0000002") && e.getMessage().contains("never returns"), e.getMessage());
    }

    @Test
    void aRequestRefusedBeforeAnIrpTakesTheReturnedStatus() {
        kernel.completed = null;                    // the block is never written
        kernel.returned = 0xC0000008;               // STATUS_INVALID_HANDLE from the I/O manager
        assertEquals(0xC0000008, failure(Protocol.IOCTL_RESERVE).ntstatus());
    }

    @Test
    void theBlockWinsOverTheReturnValue() {
        kernel.completed = 0xC0000044;              // STATUS_QUOTA_EXCEEDED, the request's own status
        kernel.returned = 0;
        assertSame(NtStatus.STATUS_QUOTA_EXCEEDED, failure(Protocol.IOCTL_RESERVE).status());
    }

    @Test
    void aPendingRequestOrTooLongAReplyIsABrokenKernel() {
        kernel.returned = WindowsTransport.STATUS_PENDING;
        assertThrows(IllegalStateException.class, () -> transport.ioctl(Protocol.IOCTL_GET_INFO, in, 16, out, 32));
        kernel.returned = 0;
        kernel.completed = 0;
        kernel.information = 33;
        assertThrows(IllegalStateException.class, () -> transport.ioctl(Protocol.IOCTL_GET_INFO, in, 16, out, 32));
    }

    @Test
    void userMemoryComesFromVirtualAllocAndGoesAtClose() {
        ByteBuffer memory = transport.allocateUserMemory(8192);
        assertEquals(8192, memory.capacity());
        assertEquals(Pointer.nativeValue(kernel.allocated.get(0)), Pointer.nativeValue(Native.getDirectBufferPointer(memory)));
        transport.close();
        assertEquals(List.of("close", "free 0"), kernel.calls, "the handle closes first, so the driver unlocks first");
        assertThrows(IllegalStateException.class, () -> transport.ioctl(Protocol.IOCTL_GET_INFO, in, 0, out, 0));
        assertFalse(kernel.calls.size() > 2);
    }
}
