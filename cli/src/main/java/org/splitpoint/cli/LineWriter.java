package org.splitpoint.cli;

import java.io.PrintWriter;
import org.splitpoint.engine.pool.OneLine;

/**
 * The writer the commands print their text lines to: each {@code println} of a string is one line
 * of output, whatever control characters the paths and messages in it hold ({@link OneLine}). A
 * pool or store path with a newline printed raw made a line of 'pool status' or 'backup list' look
 * like two. Only {@code println(String)} escapes: picocli's help (printed whole with {@code print})
 * and the bytes a holder sends back (written with {@code write}, escaped by the holder's own
 * writer) pass as they are; JSON is printed with {@code print} (its escapes are its own).
 */
final class LineWriter extends PrintWriter {

    LineWriter(PrintWriter next) {
        super(next, true);
    }

    /** {@code w} as a LineWriter (itself when it is one). */
    static PrintWriter of(PrintWriter w) {
        return w instanceof LineWriter ? w : new LineWriter(w);
    }

    @Override
    public void println(String x) {
        super.println(OneLine.of(x));
    }
}
