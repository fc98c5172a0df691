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
 *
 * <p>The log is bounded: once it passes {@link #ROTATE_AT} bytes it becomes {@code events.1.jsonl}
 * (the one before goes) and a new one begins, so a pool served for months, or a client looping on
 * bad handshakes, never fills the file system holding pool.json with it; {@link #readLog} reads
 * across the two. A crash between the rename and the create leaves no current log: the next
 * opening creates it.
 */
public final class EventBus implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** The size past which the log is rotated; two of them are kept at most. */
    static final long ROTATE_AT = 16L << 20;

    private final List<EventListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService dispatcher;
    private final StorageFactory storage;
    private final Path logFile;
    private final long rotateAt;
    private StorageFile log;
    private long logEnd;
    /** The log's last line has no end (a write cut by a kill): the next line begins with one. */
    private boolean unterminated;
    /** A write failed partway: bytes past {@link #logEnd} may hold part of a line, dropped before the next. */
    private boolean torn;

    /** A bus logging to {@code logFile} (created if needed); null logs nowhere. */
    public EventBus(StorageFactory storage, Path logFile) throws IOException {
        this(storage, logFile, ROTATE_AT);
    }

    /** As {@link #EventBus(StorageFactory, Path)}, the log rotated past {@code rotateAt} bytes. */
    EventBus(StorageFactory storage, Path logFile, long rotateAt) throws IOException {
        this.rotateAt = rotateAt;
        this.dispatcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "splitpoint-events");
            t.setDaemon(true);
            return t;
        });
        this.storage = storage;
        this.logFile = logFile;
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
                if (logEnd >= rotateAt) {
                    rotate();
                }
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

    /**
     * The log becomes the previous one and a new one begins. When the new one cannot be made (a
     * full file system) the lines go nowhere until the next opening makes it; the bus goes on.
     */
    private void rotate() throws IOException {
        StorageFile old = log;
        log = null; // until the new one is made: a failure below logs nothing more in this opening
        old.close();
        storage.rename(logFile, previous(logFile));
        log = storage.create(logFile);
        logEnd = 0;
        unterminated = false;
        torn = false;
    }

    /** The log before {@code logFile}: {@code events.1.jsonl} beside {@code events.jsonl}. */
    static Path previous(Path logFile) {
        String name = logFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return logFile.resolveSibling(dot < 0 ? name + ".1" : name.substring(0, dot) + ".1" + name.substring(dot));
    }

    /** Waits until every event published so far was delivered. */
    public void drain() {
        try {
            dispatcher.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing or timed out: nothing more to wait for
        }
    }

    /**
     * How far back from its end a log file is searched for its last lines, and how many bytes of lines are kept. The
     * bus rotates at {@link #ROTATE_AT}, but a log may be far larger (a copy, an older build, a hand edit): the whole
     * span back to the lines asked for was read into one buffer, and a 3 GiB log with no line end ended the read in
     * "capacity < 0", a 1.5 GiB one in an OutOfMemoryError. Events are sentences: the 200 the views ask for take a
     * fraction of {@link #TAIL_BYTES}.
     */
    static final long SCAN_BYTES = 64L << 20;
    static final int TAIL_BYTES = 4 << 20;
    /** A line longer than this is no event this engine wrote (a damaged file, a hand edit): passed over as torn. */
    static final int LINE_MAX = 256 << 10;

    /**
     * The last {@code max} events of a pool's log, oldest first (a torn line, one that is no whole event, or one
     * longer than {@link #LINE_MAX}, is skipped: a 10 MB "event" was shown whole in the event view and sent whole to
     * an attached app).
     */
    public static List<Event> readLog(Path logFile, int max) throws IOException {
        List<Event> out = new ArrayList<>();
        List<String> lines = Files.exists(logFile) ? tail(logFile, max) : new ArrayList<>();
        Path before = previous(logFile);
        if (lines.size() < max && Files.exists(before)) { // the rest from the log before the last rotation
            List<String> older = new ArrayList<>(tail(before, max - lines.size()));
            older.addAll(lines);
            lines = older;
        }
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

    /**
     * The last {@code max} lines of a file, reading backwards from its end in blocks: no further back than
     * {@link #SCAN_BYTES}, lines longer than {@link #LINE_MAX} passed over without being held, and no more than
     * {@link #TAIL_BYTES} of lines kept. A line cut by the search's start is dropped, as a partial first line is.
     */
    static List<String> tail(Path file, int max) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            long floor = Math.max(0, size - SCAN_BYTES);
            List<String> newestFirst = new ArrayList<>();
            long kept = 0;
            long lineEnd = size; // the end (exclusive) of the line being searched for its start
            ByteBuffer block = ByteBuffer.allocate(64 * 1024);
            long start = size;
            while (start > floor && newestFirst.size() < max && kept < TAIL_BYTES) {
                int n = (int) Math.min(block.capacity(), start - floor);
                start -= n;
                block.clear().limit(n);
                readFully(ch, block, start);
                for (int i = n - 1; i >= 0 && newestFirst.size() < max && kept < TAIL_BYTES; i--) {
                    if (block.get(i) == '\n') {
                        long lineStart = start + i + 1;
                        kept += keep(ch, lineStart, lineEnd, newestFirst);
                        lineEnd = start + i;
                    }
                }
            }
            if (start == 0 && newestFirst.size() < max && kept < TAIL_BYTES) {
                keep(ch, 0, lineEnd, newestFirst); // the file's first line, whole
            }
            java.util.Collections.reverse(newestFirst);
            return newestFirst;
        }
    }

    /** Adds the line [from, to) of {@code ch} to {@code lines} unless it is empty or over {@link #LINE_MAX}; its length. */
    private static long keep(java.nio.channels.FileChannel ch, long from, long to, List<String> lines) throws IOException {
        long length = to - from;
        if (length <= 0 || length > LINE_MAX) {
            return 0;
        }
        ByteBuffer line = ByteBuffer.allocate((int) length);
        readFully(ch, line, from);
        lines.add(new String(line.array(), StandardCharsets.UTF_8));
        return length;
    }

    private static void readFully(java.nio.channels.FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
            // a read may return less than asked
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
