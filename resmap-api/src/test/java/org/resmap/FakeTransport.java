package org.resmap;

import org.resmap.internal.Protocol;
import org.resmap.internal.Transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A device that accepts every request and counts them, so a test can prove that an argument check
 * happened before anything reached the device. Objects it creates get consecutive handles and the
 * requested size; reads return zeros.
 */
final class FakeTransport implements Transport {

    int requests;
    /** The protocol version GET_INFO reports: this library's unless a test says otherwise. */
    int protocolVersion = Protocol.PROTOCOL_VERSION;
    boolean closed;
    private long nextHandle = 1;

    @Override
    public int ioctl(int code, ByteBuffer in, int inLength, ByteBuffer out, int outLength) {
        requests++;
        if (code == Protocol.IOCTL_GET_INFO) {
            out.putInt(Protocol.Info.PROTOCOL_VERSION, protocolVersion);
            out.putInt(Protocol.Info.PAGE_SIZE, 4096);
            out.putInt(Protocol.Info.MAX_TRANSFER, Protocol.MAX_TRANSFER);
            return Protocol.Info.SIZE;
        }
        if (code == Protocol.IOCTL_RESERVE || code == Protocol.IOCTL_ALLOCATE_PAGES
                || code == Protocol.IOCTL_LOCK_USER_BUFFER || code == Protocol.IOCTL_MAP_RESERVED
                || code == Protocol.IOCTL_MAP_ORDINARY) {
            out.putLong(Protocol.ObjectOut.HANDLE, nextHandle++);
            out.putLong(Protocol.ObjectOut.BYTES, 8192);
            out.putLong(Protocol.ObjectOut.OFFSET, 0);
            out.putInt(Protocol.ObjectOut.PAGES, 2);
            return Protocol.ObjectOut.SIZE;
        }
        if (code == Protocol.IOCTL_READ) {
            return outLength;
        }
        return 0;
    }

    @Override
    public Backend backend() {
        return Backend.SIMULATOR;
    }

    @Override
    public ByteBuffer allocateUserMemory(long bytes) {
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public boolean freeUserMemory(ByteBuffer memory) {
        return true;
    }

    @Override
    public void close() {
        closed = true;
    }
}
