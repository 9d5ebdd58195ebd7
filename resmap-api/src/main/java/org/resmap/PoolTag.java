package org.resmap;

import java.util.Objects;

/**
 * A kernel pool tag: four bytes, read as a little-endian 32-bit value, so the first character is the
 * low byte, which is how Windows tools (poolmon, the debugger's {@code !pool}) print tags.
 * {@code PoolTag.of("RsMp").value() == 0x704D7352}.
 *
 * @param value the tag as the kernel sees it
 */
public record PoolTag(int value) {

    /**
     * @param chars one to four printable ASCII characters; shorter tags are padded with zero bytes
     * @return the tag
     * @throws NullPointerException if chars is null
     * @throws IllegalArgumentException if chars is empty, longer than four or not printable ASCII
     */
    public static PoolTag of(String chars) {
        Objects.requireNonNull(chars, "pool tag characters");
        if (chars.isEmpty() || chars.length() > 4) {
            throw new IllegalArgumentException("a pool tag has 1 to 4 characters, not " + chars.length()
                    + ": \"" + chars + "\"");
        }
        int value = 0;
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException(String.format(
                        "pool tag characters must be printable ASCII; \"%s\" has U+%04X at %d", chars, (int) c, i));
            }
            value |= c << (8 * i);
        }
        return new PoolTag(value);
    }

    /**
     * @param value the tag as the kernel sees it (any value, including 0, which the device refuses)
     * @return the tag
     */
    public static PoolTag ofValue(int value) {
        return new PoolTag(value);
    }

    /**
     * @return the tag's characters, low byte first, trailing zero bytes dropped; bytes that are not
     *     printable ASCII are shown as {@code \xNN}
     */
    @Override
    public String toString() {
        int length = 4;
        while (length > 0 && ((value >>> (8 * (length - 1))) & 0xFF) == 0) {
            length--;
        }
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int b = (value >>> (8 * i)) & 0xFF;
            if (b >= 0x20 && b <= 0x7E) {
                text.append((char) b);
            } else {
                text.append(String.format("\\x%02X", b));
            }
        }
        return text.toString();
    }
}
