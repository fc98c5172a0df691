package org.splitpoint.cli;

import java.math.BigDecimal;
import java.util.function.Function;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A rate limit in MB/s as typed ({@code --throttle}, {@code --bulk-throttle}, {@code job throttle POOL JOB MB/s}).
 * Java's own parse took more than a number: "1e309" became Infinity, and "NaN", "Infinity", "0x1p3" and "5f"
 * were numbers too, so a refusal echoed "Infinity" or a 300-digit expansion of "1e300" instead of what was
 * typed. Here only decimal digits with an optional point and exponent are numbers, and every refusal of a
 * number quotes it as typed. The range (0, or 1 byte/s up to {@link #MAX_RATE_MB}) is checked on the exact
 * decimal value, so an exponent too large for a double is above the largest limit, not infinite.
 */
public final class RateArgument implements CommandLine.ITypeConverter<Double> {

    /** The largest limit taken, in MB/s (1 TB/s): beyond it a limit limits nothing a pool could do. */
    static final BigDecimal MAX_RATE_MB = BigDecimal.valueOf(1_000_000);

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,9})?");
    private static final BigDecimal ONE_BYTE_MB = new BigDecimal("0.000001");

    @Override
    public Double convert(String value) {
        String typed = value.strip();
        if (!DECIMAL.matcher(typed).matches()) {
            // NumberArgument says it: "--throttle takes a number of MB/s, not 'NaN'"
            throw new CommandLine.TypeConversionException("'" + value + "' is not a decimal number");
        }
        BigDecimal mb = new BigDecimal(typed);
        if (mb.signum() < 0) {
            throw new Refused(what -> what + " must be 0 or more MB/s, not " + typed);
        }
        if (mb.signum() > 0 && mb.compareTo(ONE_BYTE_MB) < 0) {
            throw new Refused(what -> what + " " + typed + " MB/s is below 1 byte/s, the smallest limit; give at least"
                    + " 0.000001 (1 byte/s), or 0 for no limit");
        }
        if (mb.compareTo(MAX_RATE_MB) > 0) {
            throw new Refused(what -> what + " " + typed + " MB/s is above 1000000 MB/s (1 TB/s), the largest limit;"
                    + " give 0 for no limit");
        }
        return mb.doubleValue();
    }

    /** A number refused for its range; its sentence starts with the option's name ("the rate" for a positional). */
    static final class Refused extends CommandLine.TypeConversionException {
        private final transient Function<String, String> sentence;

        Refused(Function<String, String> sentence) {
            super(sentence.apply("the rate"));
            this.sentence = sentence;
        }

        String sentence(String what) {
            return sentence.apply(what);
        }
    }
}
