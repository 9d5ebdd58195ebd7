package org.resmap;

/** The state of an object as the device reports it ({@code RESMAP_STATE_*}). */
public enum ObjectState {
    /** A reservation with nothing mapped into it. */
    RESERVED(1),
    /** A reservation or page set in use by at least one mapping, or a live mapping. */
    MAPPED(2),
    /** A page set that is locked and not mapped. */
    LOCKED(3);

    private final int value;

    ObjectState(int value) {
        this.value = value;
    }

    /** @return the protocol's value */
    public int value() {
        return value;
    }

    /**
     * @param value a protocol value
     * @return its constant
     * @throws IllegalArgumentException for a value the protocol does not define
     */
    public static ObjectState fromValue(int value) {
        for (ObjectState state : values()) {
            if (state.value == value) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown object state in a device reply: " + value);
    }
}
