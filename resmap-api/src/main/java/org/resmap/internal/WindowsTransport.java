package org.resmap.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import org.resmap.Backend;
import org.resmap.NtStatus;
import org.resmap.ResMapException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A handle on the resmap kernel driver ({@code \\.\ResMap}): opened with kernel32's {@code CreateFile}
 * (synchronous I/O), requests sent with ntdll's {@code NtDeviceIoControlFile}, whose I/O status block
 * holds the exact NTSTATUS the request completed with, whoever set it: the driver core, or Windows
 * itself (the I/O manager, KMDF) for a request that never reached the core. Nothing is guessed back
 * from a Win32 error, which several statuses share.
 */
public final class WindowsTransport implements Transport {

    /** What an I/O status block holds until the request completes: the I/O manager overwrites it. */
    static final int STATUS_PENDING = 0x00000103;

    /** Where a newcomer learns to install the driver. */
    public static final String INSTALL_HINT =
            "install and start the driver in a test-signing Windows VM as docs/windows-vm.md describes "
                    + "(scripts under scripts/windows/ build, sign and install it)";

    private final WindowsKernel kernel;
    private final WinNT.HANDLE device;
    /** One I/O status block, reused: requests are serialized (see {@link Transport}). */
    private final Memory ioStatus = new Memory(WindowsKernel.IO_STATUS_BLOCK_SIZE);
    private final BufferAddresses addresses = new BufferAddresses();
    private final UserMemory userMemory = new UserMemory(addresses);
    private boolean closed;

    /**
     * @param kernel the Windows calls to make (a test passes its own)
     * @param device a handle on the device, opened for synchronous I/O; this transport closes it
     */
    WindowsTransport(WindowsKernel kernel, WinNT.HANDLE device) {
        this.kernel = kernel;
        this.device = device;
    }

    /**
     * Opens the device for reading and writing, as every resmap IOCTL requires.
     *
     * @return the transport, or empty if the device does not exist (the driver is not installed or
     *     not started)
     * @throws IllegalStateException if the device exists but cannot be opened (e.g. the process is not
     *     elevated; the device admits administrators only)
     */
    public static Optional<WindowsTransport> openIfInstalled() {
        WinNT.HANDLE handle = Kernel32.INSTANCE.CreateFile(Protocol.USER_DEVICE_PATH,
                WinNT.GENERIC_READ | WinNT.GENERIC_WRITE, 0, null, WinNT.OPEN_EXISTING, 0, null);
        if (!WinBase.INVALID_HANDLE_VALUE.equals(handle)) {
            return Optional.of(new WindowsTransport(NativeWindowsKernel.INSTANCE, handle));
        }
        int error = Kernel32.INSTANCE.GetLastError();
        if (error == WinError.ERROR_FILE_NOT_FOUND || error == WinError.ERROR_PATH_NOT_FOUND) {
            return Optional.empty();
        }
        if (error == WinError.ERROR_ACCESS_DENIED) {
            throw new IllegalStateException("cannot open " + Protocol.USER_DEVICE_PATH
                    + ": access denied; the device admits administrators only, so run from an elevated prompt");
        }
        throw new IllegalStateException("cannot open " + Protocol.USER_DEVICE_PATH + ": Win32 error " + error);
    }

    /**
     * Opens the device, failing with installation advice where it does not exist.
     *
     * @return the transport
     * @throws IllegalStateException if the device cannot be opened
     */
    public static WindowsTransport open() {
        return openIfInstalled().orElseThrow(() -> new IllegalStateException(
                "the resmap kernel driver is not installed (" + Protocol.USER_DEVICE_PATH + " does not exist): "
                        + INSTALL_HINT));
    }

    /**
     * Sends the request and returns the bytes the device reported ({@code IO_STATUS_BLOCK.Information}).
     * The status is the one the I/O status block holds once the request has completed; a request the
     * I/O manager refuses before building an IRP (a bad buffer, a closed handle) leaves the block
     * untouched, and then the call's own return value is the status.
     *
     * @throws ResMapException with that exact NTSTATUS when it is not a success
     */
    @Override
    public int ioctl(int code, ByteBuffer in, int inLength, ByteBuffer out, int outLength) {
        ensureOpen();
        IoctlBuffers.check(in, inLength, out, outLength);
        ioStatus.setInt(0, STATUS_PENDING);
        ioStatus.setLong(WindowsKernel.INFORMATION_OFFSET, 0);
        int returned = kernel.ntDeviceIoControlFile(device, ioStatus, code, addresses.pointerOf(in), inLength,
                addresses.pointerOf(out), outLength);
        if (returned == STATUS_PENDING) {
            // A handle opened without FILE_FLAG_OVERLAPPED completes every request before the call returns.
            throw new IllegalStateException(Codec.ioctlName(code) + " is still pending on a synchronous handle");
        }
        int completed = ioStatus.getInt(0);
        int status = completed != STATUS_PENDING ? completed : returned;
        if (status < 0) {
            throw new ResMapException(Codec.ioctlName(code), status);
        }
        long information = ioStatus.getLong(WindowsKernel.INFORMATION_OFFSET);
        if (information < 0 || information > outLength) {
            // The I/O manager copies at most the output length back; more would be a broken driver.
            throw new IllegalStateException(Codec.ioctlName(code) + " reported " + information
                    + " reply bytes for a " + outLength + "-byte buffer");
        }
        return (int) information;
    }

    @Override
    public Backend backend() {
        return Backend.KERNEL;
    }

    /** Page-aligned, committed memory from {@code VirtualAlloc}, which the driver can probe and lock. */
    @Override
    public ByteBuffer allocateUserMemory(long bytes) {
        ensureOpen();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a user buffer is at most " + Integer.MAX_VALUE + " bytes, not " + bytes);
        }
        Pointer memory = kernel.virtualAlloc(bytes);
        if (memory == null) {
            throw new ResMapException("VirtualAlloc " + bytes + " bytes (Win32 error " + kernel.lastError() + ")",
                    NtStatus.STATUS_INSUFFICIENT_RESOURCES.value());
        }
        ByteBuffer buffer = memory.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
        userMemory.add(buffer, memory);
        return buffer;
    }

    @Override
    public boolean freeUserMemory(ByteBuffer memory) {
        ensureOpen();
        return userMemory.free(memory, kernel::virtualFree);
    }

    /** Closes the handle: the driver's cleanup releases what is left, then the user memory is freed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        kernel.closeHandle(device);
        userMemory.freeAll(kernel::virtualFree);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(Protocol.USER_DEVICE_PATH + " has been closed");
        }
    }
}
