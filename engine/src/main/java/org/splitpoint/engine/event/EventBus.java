package org.splitpoint.engine.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * Publishes events to listeners and appends them to the pool's JSON-lines event log.
 *
 * <p>Design. {@link #publish} only enqueues, so the I/O path never waits on a listener or on the
 * log; one dispatcher thread writes the log line and then calls the listeners in order. Progress
 * events ({@code JOB_PROGRESS}) go to listeners but not to the log, which would otherwise grow with
 * every tick of a long copy; nor do transient events (see {@link #publishTransient}).
 */
public final class EventBus implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final List<EventListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService dispatcher;
    private final StorageFile log;
    private long logEnd;
    /** The log's last line has no end (a write cut by a kill): the next line begins with one. */
    private boolean unterminated;
    /** A write failed partway: bytes past {@link #logEnd} may hold part of a line, dropped before the next. */
    private boolean torn;

    /** A bus logging to {@code logFile} (created if needed); null logs nowhere. */
    public EventBus(StorageFactory storage, Path logFile) throws IOException {
        this.dispatcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "splitpoint-events");
            t.setDaemon(true);
            return t;
        });
        if (logFile == null) {
            this.log = null;
        } else {
            this.log = Files.exists(logFile) ? storage.open(logFile) : storage.create(logFile);
            this.logEnd = log.size();
            if (logEnd > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                log.readFully(logEnd - 1, last);
                unterminated = last.get(0) != '\n';
            }
        }
    }

    public void addListener(EventListener l) {
        listeners.add(l);
    }

    public void removeListener(EventListener l) {
        listeners.remove(l);
    }

    /** Queues {@code e} for the log and the listeners; returns at once. */
    public void publish(Event e) {
        enqueue(e, !"JOB_PROGRESS".equals(e.type()));
    }

    /**
     * Queues {@code e} for the listeners only: for what is re-observed on every open (a missing
     * image), so that merely looking at a pool neither repeats lines in its log nor changes a file.
     */
    public void publishTransient(Event e) {
        enqueue(e, false);
    }

    private void enqueue(Event e, boolean logIt) {
        try {
            dispatcher.execute(() -> deliver(e, logIt));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the pool is closing; late events are dropped
        }
    }

    private void deliver(Event e, boolean logIt) {
        if (log != null && logIt) {
            try {
                if (torn) {
                    log.setLength(logEnd); // what the failed write put down goes, or the next line is glued to it
                    torn = false;
                }
                byte[] line = ((unterminated ? "\n" : "") + JSON.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8);
                try {
                    log.writeFully(logEnd, ByteBuffer.wrap(line));
                } catch (IOException cut) {
                    torn = true; // a full disk may have taken part of it
                    throw cut;
                }
                logEnd += line.length;
                unterminated = false;
            } catch (IOException ignored) {
                // the log is advisory; losing a line must not stop the engine (a cut line costs that line
                // only: readers skip a line that is not whole, and the next one starts a line of its own)
            }
        }
        for (EventListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (RuntimeException ignored) {
                // a broken listener must not silence the others
            }
        }
    }

    /** Waits until every event published so far was delivered. */
    public void drain() {
        try {
            dispatcher.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing or timed out: nothing more to wait for
        }
    }

    /** The last {@code max} events of a pool's log, oldest first (a torn line, or one that is no whole event, is skipped). */
    public static List<Event> readLog(Path logFile, int max) throws IOException {
        List<Event> out = new ArrayList<>();
        if (!Files.exists(logFile)) {
            return out;
        }
        List<String> lines = tail(logFile, max);
        for (int i = 0; i < lines.size(); i++) {
            try {
                Event e = JSON.readValue(lines.get(i), Event.class);
                // a hand-edited line that is JSON but no whole event ('null', '{}', no severity) is passed over as a
                // torn one is: the app's event view filters by severity and formats the time of every event
                if (e != null && e.time() != null && e.severity() != null && e.message() != null) {
                    out.add(e);
                }
            } catch (IOException torn) {
                // a line cut by a crash; skip it
            }
        }
        return out;
    }

    /** The last {@code max} lines of a file, reading backwards from its end in blocks. */
    static List<String> tail(Path file, int max) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long end = ch.size();
            long start = end;
            int newlines = 0;
            ByteBuffer block = ByteBuffer.allocate(64 * 1024);
            while (start > 0 && newlines <= max) {
                int n = (int) Math.min(block.capacity(), start);
                start -= n;
                block.clear().limit(n);
                ch.read(block, start);
                for (int i = 0; i < n; i++) {
                    if (block.get(i) == '\n') {
                        newlines++;
                    }
                }
            }
            ByteBuffer all = ByteBuffer.allocate((int) (end - start));
            ch.read(all, start);
            List<String> lines = new ArrayList<>(List.of(new String(all.array(), StandardCharsets.UTF_8).split("\n")));
            if (start > 0 && !lines.isEmpty()) {
                lines.remove(0); // a partial first line
            }
            lines.removeIf(String::isEmpty);
            return lines.size() > max ? lines.subList(lines.size() - max, lines.size()) : lines;
        }
    }

    @Override
    public void close() throws IOException {
        dispatcher.shutdown();
        try {
            dispatcher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (log != null) {
            log.close();
        }
    }
}
