package org.resmap;

/** The kinds of object a device handle holds ({@code RESMAP_OBJECT_*}). */
public enum ObjectType {
    /** A range of system address space from {@code MmAllocateMappingAddress(Ex)}. */
    RESERVATION(1),
    /** A locked MDL: pages the driver allocated, or the caller's buffer locked. */
    PAGE_SET(2),
    /** A page set (or a slice of one) mapped into a reservation. */
    RESERVED_MAPPING(3),
    /** A page set (or a slice of one) mapped with {@code MmMapLockedPagesSpecifyCache}. */
    ORDINARY_MAPPING(4);

    private final int value;

    ObjectType(int value) {
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
    public static ObjectType fromValue(int value) {
        for (ObjectType type : values()) {
            if (type.value == value) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown object type in a device reply: " + value);
    }
}
