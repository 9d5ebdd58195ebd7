package org.resmap.internal;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT;

/**
 * The calls the kernel transport makes into Windows, as one interface so that a test can stand in for
 * the kernel on any machine ({@link NativeWindowsKernel} is the real one). Requests go through
 * ntdll's {@code NtDeviceIoControlFile}, which hands back the driver's own NTSTATUS: kernel32's
 * {@code DeviceIoControl} would turn it into a Win32 error, and several NTSTATUS values share one.
 */
interface WindowsKernel {

    /** Bytes of an x64 {@code IO_STATUS_BLOCK}: the status (in an 8-byte union) and {@code Information}. */
    int IO_STATUS_BLOCK_SIZE = 16;

    /** Offset of {@code IO_STATUS_BLOCK.Information}: the bytes the driver reported. */
    int INFORMATION_OFFSET = 8;

    /**
     * {@code NtDeviceIoControlFile(device, NULL, NULL, NULL, ioStatusBlock, code, in, inLength, out,
     * outLength)} on a handle opened for synchronous I/O, so the call returns once the request has
     * completed.
     *
     * @return the NTSTATUS the call returns
     */
    int ntDeviceIoControlFile(WinNT.HANDLE device, Pointer ioStatusBlock, int code, Pointer in, int inLength,
                              Pointer out, int outLength);

    /** @return committed read-write memory from {@code VirtualAlloc}, or null (see {@link #lastError()}) */
    Pointer virtualAlloc(long bytes);

    /** @return false if {@code VirtualFree(MEM_RELEASE)} failed */
    boolean virtualFree(Pointer base);

    /** {@code CloseHandle}. */
    void closeHandle(WinNT.HANDLE handle);

    /** @return {@code GetLastError()} */
    int lastError();
}
