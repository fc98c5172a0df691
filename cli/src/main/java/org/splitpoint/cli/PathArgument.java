package org.splitpoint.cli;

import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Every path argument, converted so that one the JVM cannot take as a path is said in words. Under a locale whose
 * character set is not UTF-8 (LANG unset, C or POSIX: ASCII), a name with a letter outside it ('pé') reaches Java as
 * 'p??' and cannot name a file; picocli said so in Java's words ("Invalid value for positional parameter at index 0
 * (POOL): cannot convert 'p??' to interface java.nio.file.Path (java.nio.file.InvalidPathException: Malformed input
 * or input contains unmappable characters: p??)").
 */
final class PathArgument implements CommandLine.ITypeConverter<Path> {

    @Override
    public Path convert(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            String charset = System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name());
            throw new Refused("UTF-8".equalsIgnoreCase(charset) ? "is not a path: " + e.getReason()
                    : "holds characters this system's locale (character set " + charset + ") cannot name a file with;"
                            + " run the command under a UTF-8 locale, e.g. LC_ALL=C.UTF-8", value);
        }
    }

    /** A path refused; its sentence names the option, or the parameter by its label. */
    static final class Refused extends CommandLine.TypeConversionException {
        private final String tail;
        private final String value;

        Refused(String tail, String value) {
            super("'" + value + "' " + tail);
            this.tail = tail;
            this.value = value;
        }
    }

    /** The sentence for {@code ex} when it is a path refused here, else null. */
    static String explain(CommandLine.ParameterException ex) {
        if (!(ex.getCause() instanceof Refused r) || ex.getArgSpec() == null) {
            return null;
        }
        return ex.getArgSpec() instanceof CommandLine.Model.OptionSpec o ? o.longestName() + " '" + r.value + "' " + r.tail
                : "the path '" + r.value + "' (" + ex.getArgSpec().paramLabel() + ") " + r.tail;
    }
}
