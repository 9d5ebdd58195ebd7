package org.resmap;

/** The kernel's {@code MEMORY_CACHING_TYPE} values the device accepts. */
public enum CachingType {
    /** {@code MmNonCached}. */
    NON_CACHED(0),
    /** {@code MmCached}. */
    CACHED(1),
    /** {@code MmWriteCombined}. */
    WRITE_COMBINED(2);

    private final int value;

    CachingType(int value) {
        this.value = value;
    }

    /** @return the {@code MEMORY_CACHING_TYPE} value */
    public int value() {
        return value;
    }

    /**
     * @param value a {@code MEMORY_CACHING_TYPE} value
     * @return its constant
     * @throws IllegalArgumentException if the device does not accept it
     */
    public static CachingType fromValue(int value) {
        for (CachingType type : values()) {
            if (type.value == value) {
                return type;
            }
        }
        throw new IllegalArgumentException("not a caching type the device accepts: " + value);
    }
}
