package org.resmap;

import java.util.Objects;

/**
 * A byte range of a page set, mapped as a partial MDL ({@code IoBuildPartialMdl}).
 *
 * @param pageSet the page set
 * @param offset byte offset within the page set, at least 0
 * @param length bytes, at least 0; 0 means from offset to the end of the page set
 */
public record PageSlice(PageSet pageSet, long offset, long length) {

    /**
     * Checks what can be checked without the device; whether the range lies within the page set is
     * the device's decision ({@link NtStatus#STATUS_END_OF_FILE}).
     *
     * @throws NullPointerException if pageSet is null
     * @throws IllegalArgumentException if offset or length is negative or their sum overflows
     */
    public PageSlice {
        Objects.requireNonNull(pageSet, "pageSet");
        Checks.range("slice", offset, length);
    }
}
