package org.resmap.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Byte counts as people read and write them. */
final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /** @return e.g. {@code "4 KiB"}, {@code "64 MiB"}, {@code "12288 bytes"} */
    static String text(long bytes) {
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return String.format(Locale.ROOT, "%d MiB", bytes >> 20);
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return String.format(Locale.ROOT, "%d KiB", bytes >> 10);
        }
        return bytes + " bytes";
    }

    /**
     * @param text e.g. {@code 32M}, {@code 64MiB}, {@code 512k}, {@code 1G}, {@code 65536}; binary units
     * @return the bytes
     * @throws IllegalArgumentException for anything else
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write e.g. 32M, 64MiB or 65536");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large", e);
        }
    }

    /** {@code --memory} values. */
    static final class Converter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
