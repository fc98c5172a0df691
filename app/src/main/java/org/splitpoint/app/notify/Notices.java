package org.splitpoint.app.notify;

/**
 * How a notice's text is laid out on its card ({@link NoticeStack}): a long sentence is broken into
 * lines of a fixed width, so a card never grows wider than a window, and a long burst is cut.
 */
public final class Notices {

    private Notices() {
    }

    /** The width, in characters, of a notice's line. */
    static final int LINE = 72;
    /** The lines a notice shows at most; the event log keeps the whole sentence. */
    static final int MAX_LINES = 5;

    /** {@code text} broken at spaces into lines of at most {@link #LINE} characters (its own line breaks kept), at most {@link #MAX_LINES}. */
    static String lines(String text) {
        if (text == null) {
            return null;
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String para : text.split("\n", -1)) {
            StringBuilder line = new StringBuilder();
            for (String word : para.split(" ")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > LINE) {
                    out.add(line.toString());
                    line.setLength(0);
                }
                line.append(line.length() > 0 ? " " : "").append(word);
            }
            out.add(line.toString());
        }
        if (out.size() > MAX_LINES) {
            out = new java.util.ArrayList<>(out.subList(0, MAX_LINES));
            out.set(MAX_LINES - 1, out.get(MAX_LINES - 1) + " …");
        }
        return String.join("\n", out);
    }
}
