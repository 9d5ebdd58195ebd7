package org.resmap.internal;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import org.resmap.Backend;
import org.resmap.NtStatus;
import org.resmap.ResMapException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A handle on the resmap kernel driver ({@code \\.\ResMap}), through kernel32's {@code CreateFile} and
 * {@code DeviceIoControl} as jna-platform binds them. A failed request reports only a Win32 error;
 * the protocol's statuses map to distinct Win32 errors, so {@link NtStatus#fromWin32Error(int)} recovers
 * the exact NTSTATUS the driver returned.
 */
public final class WindowsTransport implements Transport {

    /** Where a newcomer learns to install the driver. */
    public static final String INSTALL_HINT =
            "install and start the driver in a test-signing Windows VM as docs/windows-vm.md describes "
                    + "(scripts under scripts/windows/ build, sign and install it)";

    private final WinNT.HANDLE device;
    private final IntByReference bytesReturned = new IntByReference();
    private final BufferAddresses addresses = new BufferAddresses();
    private final UserMemory userMemory = new UserMemory(addresses);
    private boolean closed;

    private WindowsTransport(WinNT.HANDLE device) {
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
            return Optional.of(new WindowsTransport(handle));
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
     * Turns the Win32 error of a failed {@code DeviceIoControl} back into the driver's NTSTATUS. An
     * error no protocol status maps to becomes {@code NTSTATUS_FROM_WIN32(error)} (0xC007xxxx), so the
     * raw error stays visible.
     */
    static int ntstatusOf(int win32Error) {
        NtStatus status = NtStatus.fromWin32Error(win32Error);
        return status != NtStatus.UNKNOWN ? status.value() : 0xC0070000 | (win32Error & 0xFFFF);
    }

    @Override
    public int ioctl(int code, ByteBuffer in, int inLength, ByteBuffer out, int outLength) {
        ensureOpen();
        IoctlBuffers.check(in, inLength, out, outLength);
        bytesReturned.setValue(0);
        if (!Kernel32.INSTANCE.DeviceIoControl(device, code, addresses.pointerOf(in), inLength,
                addresses.pointerOf(out), outLength, bytesReturned, null)) {
            throw new ResMapException(Codec.ioctlName(code), ntstatusOf(Kernel32.INSTANCE.GetLastError()));
        }
        return bytesReturned.getValue();
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
        Pointer memory = Kernel32.INSTANCE.VirtualAllocEx(Kernel32.INSTANCE.GetCurrentProcess(), null,
                new BaseTSD.SIZE_T(bytes), WinNT.MEM_COMMIT | WinNT.MEM_RESERVE, WinNT.PAGE_READWRITE);
        if (memory == null) {
            throw new ResMapException("VirtualAlloc " + bytes + " bytes",
                    ntstatusOf(Kernel32.INSTANCE.GetLastError()));
        }
        ByteBuffer buffer = memory.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
        userMemory.add(buffer, memory);
        return buffer;
    }

    @Override
    public boolean freeUserMemory(ByteBuffer memory) {
        ensureOpen();
        return userMemory.free(memory, WindowsTransport::virtualFree);
    }

    /** Closes the handle: the driver's cleanup releases what is left, then the user memory is freed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Kernel32.INSTANCE.CloseHandle(device);
        userMemory.freeAll(WindowsTransport::virtualFree);
    }

    /** Releases memory {@code VirtualAlloc} returned; false if {@code VirtualFree} failed. */
    private static boolean virtualFree(Pointer base) {
        return Kernel32.INSTANCE.VirtualFreeEx(Kernel32.INSTANCE.GetCurrentProcess(), base, new BaseTSD.SIZE_T(0),
                WinNT.MEM_RELEASE);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(Protocol.USER_DEVICE_PATH + " has been closed");
        }
    }
}
