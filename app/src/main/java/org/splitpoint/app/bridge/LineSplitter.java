package org.splitpoint.app.bridge;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A command's standard output cut into lines as it arrives (the holder sends it in frames that need
 * not end on a line): each whole line, UTF-8 decoded and without its line end, goes to the consumer
 * at once; {@link #close} hands over a last line that had no newline.
 */
final class LineSplitter extends OutputStream {

    private final Consumer<String> lines;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    LineSplitter(Consumer<String> lines) {
        this.lines = lines;
    }

    @Override
    public void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            pending.write(b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        int from = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                pending.write(b, from, i - from);
                emit();
                from = i + 1;
            }
        }
        pending.write(b, from, off + len - from);
    }

    private void emit() {
        String line = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        lines.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }

    @Override
    public void close() {
        if (pending.size() > 0) {
            emit();
        }
    }
}
