package org.resmap.catalogue;

import java.util.Objects;
import org.resmap.NtStatus;
import org.resmap.ResMapException;

/**
 * The catalogue's assertions. Each failure is an {@link AssertionError} whose message says what was
 * expected and what was observed, so a table row or a JUnit report explains itself.
 */
public final class Expect {

    /** An action that is expected to be refused by the device. */
    @FunctionalInterface
    public interface Request {
        /** Sends the request; expected to throw. */
        void send();
    }

    private Expect() {
    }

    /** Fails, naming what, the expected and the observed value, unless the two are equal. */
    public static void equal(String what, Object expected, Object observed) {
        if (!Objects.equals(expected, observed)) {
            throw new AssertionError(what + ": expected " + show(expected) + ", observed " + show(observed));
        }
    }

    /** Fails, naming what, unless the observation holds. */
    public static void isTrue(String what, boolean observed) {
        if (!observed) {
            throw new AssertionError(what + ": expected true, observed false");
        }
    }

    /** The request must fail with exactly this status, and nothing else may be thrown. */
    public static void refused(String what, NtStatus expected, Request request) {
        try {
            request.send();
        } catch (ResMapException e) {
            if (e.status() != expected) {
                throw new AssertionError(what + ": expected refusal with " + expected + ", observed "
                        + e.status() + String.format(" (0x%08X)", e.ntstatus()), e);
            }
            return;
        }
        throw new AssertionError(what + ": expected refusal with " + expected + ", observed success");
    }

    /**
     * The request must be stopped by the Java API itself, before anything reaches the device, with
     * this exception type (e.g. a zero size, an object of another device, an object already closed).
     */
    public static void rejected(String what, Class<? extends RuntimeException> expected, Request request) {
        try {
            request.send();
        } catch (RuntimeException e) {
            if (!expected.isInstance(e)) {
                throw new AssertionError(what + ": expected rejection with " + expected.getSimpleName()
                        + ", observed " + e, e);
            }
            return;
        }
        throw new AssertionError(what + ": expected rejection with " + expected.getSimpleName()
                + ", observed success");
    }

    private static String show(Object value) {
        if (value instanceof Long l) {
            return String.format("%d (0x%X)", l, l);
        }
        if (value instanceof Integer i) {
            return String.format("%d (0x%X)", i, i);
        }
        return String.valueOf(value);
    }
}
