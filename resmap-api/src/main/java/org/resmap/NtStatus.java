package org.resmap;

import com.sun.jna.platform.win32.WinError;
import java.util.HashMap;
import java.util.Map;

/**
 * The statuses the resmap device completes requests with, as listed in {@code resmap_protocol.h}, each
 * with the Win32 error that {@code RtlNtStatusToDosError} turns it into (what a C client calling
 * {@code DeviceIoControl} sees in {@code GetLastError}, named with jna-platform's {@link WinError}
 * constants) and advice for the caller.
 *
 * <p>The kernel transport reads the NTSTATUS itself from the request's I/O status block
 * ({@code NtDeviceIoControlFile}), so no status is ever guessed back from a Win32 error: a status
 * Windows sets for a request that never reached the driver core is kept exactly, and is
 * {@link #UNKNOWN} here. Two constants are not device statuses:
 * {@link #RESMAP_SIM_STATUS_BUGCHECKED}, which only the simulator returns once its machine has
 * bugchecked, and {@link #UNKNOWN}, which stands for any value not listed here (the
 * {@link ResMapException} keeps the raw value).
 */
public enum NtStatus {
    /** The request succeeded. */
    STATUS_SUCCESS(0x00000000, WinError.ERROR_SUCCESS, "nothing to do"),
    /** The IOCTL code is not one the device knows. */
    STATUS_INVALID_DEVICE_REQUEST(0xC0000010, WinError.ERROR_INVALID_FUNCTION,
            "the driver does not know this request; check that the driver and this library speak the same protocol version"),
    /** The request or reply buffer is shorter than its struct. */
    STATUS_BUFFER_TOO_SMALL(0xC0000023, WinError.ERROR_INSUFFICIENT_BUFFER,
            "pass buffers at least as large as the protocol's request and reply structs"),
    /** A field is out of range: zero size, tag 0, unknown flags or caching type, misaligned offset, bench bounds. */
    STATUS_INVALID_PARAMETER(0xC000000D, WinError.ERROR_INVALID_PARAMETER,
            "check sizes (at least 1), the pool tag (not 0), flags, the caching type and page alignment of offsets; "
                    + "a bench runs 1 to 100000 iterations within a budget of at most 1 s"),
    /** A size or offset sum overflows. */
    STATUS_INTEGER_OVERFLOW(0xC0000095, WinError.ERROR_ARITHMETIC_OVERFLOW, "use smaller sizes or offsets"),
    /** The handle is unknown, stale, belongs to another open handle or names the wrong kind of object. */
    STATUS_INVALID_HANDLE(0xC0000008, WinError.ERROR_INVALID_HANDLE,
            "use objects only on the device that created them, and only while they are open"),
    /** The pool tag differs from the reservation's, or the handle is used outside the process that opened it. */
    STATUS_ACCESS_DENIED(0xC0000022, WinError.ERROR_ACCESS_DENIED,
            "pass the pool tag the reservation was created with (Windows would bugcheck 0xDA here); "
                    + "a device handle works only in the process that opened it"),
    /** The reservation's target pages are already mapped. */
    STATUS_CONFLICTING_ADDRESSES(0xC0000018, WinError.ERROR_INVALID_ADDRESS,
            "unmap the reservation's current mapping before mapping into it again (Windows would bugcheck 0xDA, 0x107)"),
    /** The reservation is still mapped. */
    STATUS_INVALID_DEVICE_STATE(0xC0000184, WinError.ERROR_BAD_COMMAND,
            "unmap every mapping of the reservation before freeing it (Windows would bugcheck 0xDA, 0x103)"),
    /** The page set is still mapped. */
    STATUS_SHARING_VIOLATION(0xC0000043, WinError.ERROR_SHARING_VIOLATION,
            "unmap every mapping of the page set before releasing it"),
    /** A sub-range or transfer lies outside its page set or mapping. */
    STATUS_END_OF_FILE(0xC0000011, WinError.ERROR_HANDLE_EOF,
            "keep offsets and lengths within the page set or mapping"),
    /** The mapping spans more pages than the reservation has from the requested offset. */
    STATUS_ALLOTTED_SPACE_EXCEEDED(0xC0000099, WinError.ERROR_ALLOTTED_SPACE_EXCEEDED,
            "reserve at least as many pages as the mapping spans, or map a smaller slice"),
    /** A per-handle quota of objects, reserved bytes or page-set bytes is used up. */
    STATUS_QUOTA_EXCEEDED(0xC0000044, WinError.ERROR_NOT_ENOUGH_QUOTA,
            "close objects you no longer need, or use smaller sizes (see DeviceInfo for the limits)"),
    /** The kernel refused an allocation or an ordinary mapping. */
    STATUS_INSUFFICIENT_RESOURCES(0xC000009A, WinError.ERROR_NO_SYSTEM_RESOURCES,
            "the kernel is short of memory or system PTEs; free objects and retry, or use a reserved mapping"),
    /** The kernel lacks MmAllocateMappingAddressEx. */
    STATUS_NOT_SUPPORTED(0xC00000BB, WinError.ERROR_NOT_SUPPORTED,
            "divisible reservations need Windows 10 2004 or later; use an ordinary reservation"),
    /** The caller's buffer could not be probed and locked. */
    STATUS_ACCESS_VIOLATION(0xC0000005, WinError.ERROR_NOACCESS,
            "lock only memory this process owns and may access as requested"),
    /** A write through a mapping of a user buffer that was locked for reading only. */
    STATUS_MEDIA_WRITE_PROTECTED(0xC00000A2, WinError.ERROR_WRITE_PROTECT,
            "the buffer was locked for reading (writable = false); lock it writable to write through its mappings"),
    /** The kernel returned NULL where validation said it would not. */
    STATUS_UNSUCCESSFUL(0xC0000001, WinError.ERROR_GEN_FAILURE,
            "the kernel refused a request the driver considered valid; report it with the Windows build"),
    /** The simulated machine has bugchecked; only the simulator returns this, never the device. */
    RESMAP_SIM_STATUS_BUGCHECKED(0xE0DA0BCE, -1,
            "the simulated machine is dead; see Simulator.bugcheck() for why, and open a new ResMap"),
    /** A value not listed in the protocol; the exception keeps the raw value. */
    UNKNOWN(-1, -1, "the driver core never returns this status: Windows itself (the I/O manager or KMDF) "
            + "completed the request before it reached the core, or the driver is newer than this library "
            + "(compare the protocol versions with resmap info)");

    private static final Map<Integer, NtStatus> BY_VALUE = new HashMap<>();

    static {
        for (NtStatus status : values()) {
            if (status == UNKNOWN) {
                continue;
            }
            BY_VALUE.put(status.value, status);
        }
    }

    private final int value;
    private final int win32Error;
    private final String advice;

    NtStatus(int value, int win32Error, String advice) {
        this.value = value;
        this.win32Error = win32Error;
        this.advice = advice;
    }

    /** @return the NTSTATUS value ({@code -1} for {@link #UNKNOWN}) */
    public int value() {
        return value;
    }

    /** @return the Win32 error Windows reports for this status, or {@code -1} where there is none */
    public int win32Error() {
        return win32Error;
    }

    /** @return what a caller can do about this status */
    public String advice() {
        return advice;
    }

    /**
     * @param value an NTSTATUS value
     * @return its constant, or {@link #UNKNOWN}
     */
    public static NtStatus fromValue(int value) {
        return BY_VALUE.getOrDefault(value, UNKNOWN);
    }
}
