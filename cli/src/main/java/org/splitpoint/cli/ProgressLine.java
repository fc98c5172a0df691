package org.splitpoint.cli;

import java.io.PrintWriter;
import java.util.List;
import org.splitpoint.engine.job.JobProgress;

/**
 * The progress line on stderr: redrawn in place on a terminal, a plain line every few seconds
 * otherwise (logs and CI), and always a final line.
 */
final class ProgressLine {

    private final PrintWriter err;
    private final boolean terminal = CliContext.current().terminal();
    private long lastPrint;
    private int lastWidth;

    ProgressLine(PrintWriter err) {
        this.err = err;
    }

    void show(List<JobProgress> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (JobProgress p : jobs) {
            if (sb.length() > 0) {
                sb.append(" | ");
            }
            sb.append(p.line());
        }
        show(sb.toString());
    }

    void show(String text) {
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastPrint < 100_000_000L) {
                return;
            }
            String pad = " ".repeat(Math.max(0, lastWidth - text.length()));
            err.print("\r" + text + pad);
            lastWidth = text.length();
        } else {
            if (now - lastPrint < 5_000_000_000L) {
                return;
            }
            err.println(text);
        }
        err.flush();
        lastPrint = now;
    }

    void done(String text) {
        if (terminal && lastWidth > 0) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
        }
        if (text != null) {
            err.println(text);
        }
        err.flush();
    }
}
