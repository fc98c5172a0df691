package org.splitpoint.engine.pool;

/**
 * Text shown on one line: the control characters a path or a message may hold (a newline, a carriage
 * return, a tab, an escape, C1 controls and the Unicode line and paragraph separators) written as
 * escapes ({@code \n}, {@code \r}, {@code \t}, {@code \x1b}, {@code \u0085}), as the JSON output
 * escapes them.
 *
 * <p>Design. Names are plain by rule (Validation), but a path is whatever the file system allows:
 * a pool at /tmp/a&lt;newline&gt;volume v FAILED printed raw made one line of 'pool status' look like
 * two, the second saying what the pool did not. Text output (the CLI's lines, serve's events, the
 * app's event log) passes what it prints through {@link #of}; machine output (JSON) escapes by its
 * own rules. A backslash is left as it is, so escaping twice changes nothing.
 */
public final class OneLine {

    private OneLine() {
    }

    /** {@code s} with its control characters escaped (null stays null); the same string when it has none. */
    public static String of(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && !control(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 8).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!control(c)) {
                b.append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x80) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    /** A C0 control, DEL, a C1 control, or the line or paragraph separator. */
    private static boolean control(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
