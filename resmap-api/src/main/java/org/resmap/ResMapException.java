package org.resmap;

/**
 * A request the device refused or could not carry out. Carries the NTSTATUS (the exact value, also
 * when this library does not know it) and a message of the form
 * {@code "<what failed>: <STATUS_NAME> (0x…): <what the caller can do>"}.
 *
 * <p>Argument errors found before anything reaches the device (null, negative, overflowing values,
 * objects used after close) are reported with the standard Java exceptions instead.
 */
public class ResMapException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The raw NTSTATUS; the constant is looked up from it, so nothing else needs serializing. */
    private final int ntstatus;

    /**
     * @param whatFailed the operation that failed, e.g. {@code "map 8192 bytes into reservation"}
     * @param ntstatus the raw NTSTATUS value
     */
    public ResMapException(String whatFailed, int ntstatus) {
        this(whatFailed, ntstatus, null);
    }

    /**
     * @param whatFailed the operation that failed
     * @param ntstatus the raw NTSTATUS value
     * @param cause a lower-level exception with the same status, or null
     */
    public ResMapException(String whatFailed, int ntstatus, Throwable cause) {
        super(message(whatFailed, ntstatus), cause);
        this.ntstatus = ntstatus;
    }

    private static String message(String whatFailed, int ntstatus) {
        NtStatus status = NtStatus.fromValue(ntstatus);
        return String.format("%s: %s (0x%08X): %s", whatFailed, status.name(), ntstatus, status.advice());
    }

    /** @return the status as a constant; {@link NtStatus#UNKNOWN} when the value is not listed */
    public NtStatus status() {
        return NtStatus.fromValue(ntstatus);
    }

    /** @return the raw NTSTATUS value */
    public int ntstatus() {
        return ntstatus;
    }
}
