package org.resmap.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;

/** {@link WindowsKernel} on Windows: ntdll and kernel32 through JNA. */
final class NativeWindowsKernel implements WindowsKernel {

    /** The one ntdll export the transport needs; jna-platform's NtDll does not bind it. */
    public interface NtDll extends Library {
        int NtDeviceIoControlFile(WinNT.HANDLE fileHandle, Pointer event, Pointer apcRoutine, Pointer apcContext,
                                  Pointer ioStatusBlock, int ioControlCode, Pointer inputBuffer, int inputBufferLength,
                                  Pointer outputBuffer, int outputBufferLength);
    }

    /** Loaded on first use, so that merely naming this class loads nothing. */
    private static final class Loaded {
        static final NtDll NTDLL = Native.load("ntdll", NtDll.class);
    }

    static final NativeWindowsKernel INSTANCE = new NativeWindowsKernel();

    private NativeWindowsKernel() {
    }

    @Override
    public int ntDeviceIoControlFile(WinNT.HANDLE device, Pointer ioStatusBlock, int code, Pointer in, int inLength,
                                     Pointer out, int outLength) {
        return Loaded.NTDLL.NtDeviceIoControlFile(device, null, null, null, ioStatusBlock, code, in, inLength, out,
                outLength);
    }

    @Override
    public Pointer virtualAlloc(long bytes) {
        return Kernel32.INSTANCE.VirtualAllocEx(Kernel32.INSTANCE.GetCurrentProcess(), null, new BaseTSD.SIZE_T(bytes),
                WinNT.MEM_COMMIT | WinNT.MEM_RESERVE, WinNT.PAGE_READWRITE);
    }

    @Override
    public boolean virtualFree(Pointer base) {
        return Kernel32.INSTANCE.VirtualFreeEx(Kernel32.INSTANCE.GetCurrentProcess(), base, new BaseTSD.SIZE_T(0),
                WinNT.MEM_RELEASE);
    }

    @Override
    public void closeHandle(WinNT.HANDLE handle) {
        Kernel32.INSTANCE.CloseHandle(handle);
    }

    @Override
    public int lastError() {
        return Kernel32.INSTANCE.GetLastError();
    }
}
