package org.resmap.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.resmap.Backend;
import org.resmap.NtStatus;
import org.resmap.ResMapException;
import org.resmap.SimulatorConfig;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A session on the simulated resmap device of a machine this transport creates and owns: requests go
 * to {@code resmap_sim_ioctl} in-process, with the simulated I/O manager's METHOD_BUFFERED semantics.
 * Closing it closes the session (the core cleans up what is left), frees the user memory it handed
 * out, and destroys the machine.
 */
public final class SimulatorTransport implements Transport {

    private final SimMachine machine;
    private final long session;
    /* Where the native side writes the byte count: a direct buffer, read and cleared without a JNI call
     * (a JNA Memory's getInt and setInt are each one, on every request). */
    private final ByteBuffer bytesReturned = ByteBuffer.allocateDirect(Integer.BYTES).order(ByteOrder.nativeOrder());
    private final long bytesReturnedAddress = Pointer.nativeValue(Native.getDirectBufferPointer(bytesReturned));
    private final BufferAddresses addresses = new BufferAddresses();
    private final UserMemory userMemory = new UserMemory(addresses);
    private boolean closed;

    /**
     * Creates a machine and opens a session on its device.
     *
     * @param config the machine's configuration
     * @throws ResMapException if the machine or session cannot be created
     */
    public SimulatorTransport(SimulatorConfig config) {
        machine = new SimMachine(config);
        Pointer opened = SimNative.resmap_sim_open(machine.pointer());
        if (opened == null) {
            machine.close();
            throw new ResMapException("open the simulated resmap device", NtStatus.STATUS_INSUFFICIENT_RESOURCES.value());
        }
        session = Pointer.nativeValue(opened);
    }

    /** @return the machine behind this session */
    public SimMachine machine() {
        return machine;
    }

    @Override
    public int ioctl(int code, ByteBuffer in, int inLength, ByteBuffer out, int outLength) {
        ensureOpen();
        IoctlBuffers.check(in, inLength, out, outLength);
        bytesReturned.putInt(0, 0);
        int status = SimNative.resmap_sim_ioctl(session, code, addresses.of(in), inLength, addresses.of(out),
                outLength, bytesReturnedAddress);
        if (status != 0) {
            throw new ResMapException(Codec.ioctlName(code), status);
        }
        return bytesReturned.getInt(0);
    }

    @Override
    public Backend backend() {
        return Backend.SIMULATOR;
    }

    @Override
    public ByteBuffer allocateUserMemory(long bytes) {
        ensureOpen();
        ByteBuffer memory = machine.userBuffer(bytes);
        userMemory.add(memory, Native.getDirectBufferPointer(memory));
        return memory;
    }

    @Override
    public boolean freeUserMemory(ByteBuffer memory) {
        ensureOpen();
        return userMemory.free(memory, machine::userFree);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SimNative.resmap_sim_close(new Pointer(session));
        userMemory.freeAll(machine::userFree);
        machine.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the simulated device has been closed");
        }
    }
}
