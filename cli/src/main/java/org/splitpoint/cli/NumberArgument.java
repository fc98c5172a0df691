package org.splitpoint.cli;

import picocli.CommandLine;

/**
 * A word where a number belongs ({@code --count x}, {@code job throttle POOL JOB fast}): picocli
 * said it in Java's words ("'x' is not an int", "'fast' is not a double"). This says what the
 * option takes instead: a whole number (with its upper bound when the digits were only too many),
 * or a number of MB/s for a rate.
 */
final class NumberArgument {

    private NumberArgument() {
    }

    /** The sentence for {@code ex} when it is a number that did not convert, else null. */
    static String explain(CommandLine.ParameterException ex) {
        CommandLine.Model.ArgSpec arg = ex.getArgSpec();
        String value = ex.getValue();
        if (arg == null || value == null || !(ex.getCause() instanceof CommandLine.TypeConversionException)) {
            return null;
        }
        if (ex.getCause() instanceof RateArgument.Refused refused) {
            return refused.sentence(arg instanceof CommandLine.Model.OptionSpec option ? option.longestName() : "the rate");
        }
        Class<?> type = arg.type();
        String kind;
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            boolean digits = value.matches("[+-]?\\d+");
            long max = type == int.class || type == Integer.class ? Integer.MAX_VALUE : Long.MAX_VALUE;
            kind = "a whole number" + (digits ? " up to " + max : "");
        } else if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            kind = "MB/s".equals(arg.paramLabel()) ? "a number of MB/s" : "a number";
        } else {
            return null;
        }
        if (arg instanceof CommandLine.Model.OptionSpec option) {
            return option.longestName() + " takes " + kind + ", not '" + value + "'";
        }
        return "'" + value + "' is not " + kind;
    }
}
