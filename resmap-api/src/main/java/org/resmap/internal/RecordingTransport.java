package org.resmap.internal;

import org.resmap.Backend;
import org.resmap.Exchange;
import org.resmap.ResMapException;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** A transport that tells a listener about every request it passes on: bytes in, bytes out, status. */
public final class RecordingTransport implements Transport {

    private final Transport delegate;
    private final Consumer<Exchange> listener;

    /**
     * @param delegate where requests go
     * @param listener told of each completed request, in order
     */
    public RecordingTransport(Transport delegate, Consumer<Exchange> listener) {
        this.delegate = delegate;
        this.listener = listener;
    }

    @Override
    public int ioctl(int code, ByteBuffer in, int inLength, ByteBuffer out, int outLength) {
        byte[] input = copy(in, inLength);
        try {
            int returned = delegate.ioctl(code, in, inLength, out, outLength);
            listener.accept(new Exchange(Codec.ioctlName(code), input, copy(out, returned), 0));
            return returned;
        } catch (ResMapException e) {
            listener.accept(new Exchange(Codec.ioctlName(code), input, new byte[0], e.ntstatus()));
            throw e;
        }
    }

    private static byte[] copy(ByteBuffer buffer, int length) {
        byte[] bytes = new byte[length];
        if (length != 0) {
            buffer.get(0, bytes, 0, length);
        }
        return bytes;
    }

    @Override
    public Backend backend() {
        return delegate.backend();
    }

    @Override
    public ByteBuffer allocateUserMemory(long bytes) {
        return delegate.allocateUserMemory(bytes);
    }

    @Override
    public boolean freeUserMemory(ByteBuffer memory) {
        return delegate.freeUserMemory(memory);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
