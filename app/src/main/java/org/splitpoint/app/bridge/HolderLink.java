package org.splitpoint.app.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.splitpoint.engine.control.ControlClient;
import org.splitpoint.engine.control.FeedSubscription;
import org.splitpoint.engine.control.PoolFeed;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The app's link to another process that holds the pool ({@code splitpoint serve}): the
 * subscription stream of its control socket ({@link PoolFeed}) decoded into the same snapshots,
 * pair views, journal statuses and events the app makes of a pool it holds, and actions sent as
 * {@code ./splitpoint} commands the holder runs. One thread reads the stream; it never waits for
 * the UI (the listener hands values to coalescers). When the stream ends without the app asking,
 * the listener hears why once.
 */
final class HolderLink implements AutoCloseable {

    private static final ObjectMapper JSON = PoolFeed.json();
    private static final System.Logger LOG = System.getLogger(HolderLink.class.getName());

    /** What the stream brings, on the link's reader thread. */
    interface Listener {
        void snapshot(PoolSnapshot snapshot, List<PairView> pairs, Map<String, JournalAdmin.Status> journals);

        void events(List<Event> events);

        /**
         * The clients of the holder's NBD server now (their counters) and what all its clients served
         * since it started ({@code served}; null from a holder that does not say), about once a second
         * while it serves.
         */
        void clients(List<org.splitpoint.engine.nbd.ClientStats> clients, org.splitpoint.engine.nbd.ServedBytes served);

        /** The holder went away (closed the pool, died) or the stream broke: {@code why} as a sentence. */
        void gone(String why);
    }

    /** A command's outcome in the holder. */
    record Outcome(int exitCode, String stdout, String stderr) {
        /** The holder's sentence for a failure: its last line of stderr, without the "splitpoint: " prefix. */
        String sentence() {
            String last = stderr.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
            last = last.startsWith("splitpoint: ") ? last.substring("splitpoint: ".length()) : last;
            return last.isEmpty() ? "the holder's command failed (exit " + exitCode + ")" : last;
        }
    }

    private final Path dir;
    private final FeedSubscription feed;
    private final Object watchLock = new Object();
    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicLong nextSync = new java.util.concurrent.atomic.AtomicLong();
    private final Map<Long, java.util.concurrent.CompletableFuture<Void>> syncs =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Thread reader;
    private final Watch pairWatch = new Watch("pair", "watch");
    private final Watch restoreWatch = new Watch("volume", "restore watch");
    private final Watch windowWatch = new Watch("volume", "window watch");

    private HolderLink(Path dir, FeedSubscription feed) {
        this.dir = dir;
        this.feed = feed;
    }

    /** Subscribes to the process holding the pool in {@code dir}; null when no holder answers on its control socket. */
    static HolderLink attach(Path dir) throws IOException {
        FeedSubscription f = FeedSubscription.open(dir);
        return f == null ? null : new HolderLink(dir, f);
    }

    /** "serve, pid 1234". */
    String holderName() {
        return feed.holderName();
    }

    /** Starts reading the stream into {@code listener}. */
    void start(Listener listener) {
        Thread t = new Thread(() -> read(listener), "splitpoint-holder-feed");
        t.setDaemon(true);
        reader = t;
        t.start();
    }

    private void read(Listener listener) {
        String why = "the holder (" + holderName() + ") stopped answering: the pool is no longer shown live";
        try {
            for (JsonNode m; (m = feed.next()) != null; ) {
                switch (m.path("type").asText()) {
                    case "snapshot" -> listener.snapshot(JSON.treeToValue(m.get("snapshot"), PoolSnapshot.class),
                            List.of(JSON.treeToValue(m.get("pairs"), PairView[].class)), journals(m.get("journals")));
                    case "events" -> listener.events(List.of(JSON.treeToValue(m.get("events"), Event[].class)));
                    case "clients" -> listener.clients(List.of(JSON.treeToValue(m.get("clients"),
                            org.splitpoint.engine.nbd.ClientStats[].class)), m.hasNonNull("served")
                            ? JSON.treeToValue(m.get("served"), org.splitpoint.engine.nbd.ServedBytes.class) : null);
                    case "track" -> pairWatch.deliver(m);
                    case "restore" -> restoreWatch.deliver(m);
                    case "window" -> windowWatch.deliver(m);
                    case "synced" -> synced(m.path("id").asLong());
                    case "bye" -> why = m.path("message").asText(why);
                    default -> { } // a message of a later minor version
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                why = "the stream from the holder (" + holderName() + ") broke: " + e.getMessage();
                LOG.log(System.Logger.Level.WARNING, why, e);
            }
        }
        if (!closing) {
            listener.gone(why);
        }
    }

    private void synced(long id) {
        java.util.concurrent.CompletableFuture<Void> f = syncs.remove(id);
        if (f != null) {
            f.complete(null);
        }
    }

    /**
     * Waits (up to {@code timeout}) until the stream has brought the holder's state of this
     * instant, so a result reported next is already on show; false when it did not come in time.
     */
    boolean sync(java.time.Duration timeout) {
        long id = nextSync.incrementAndGet();
        java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
        syncs.put(id, f);
        try {
            feed.sync(id);
            f.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            syncs.remove(id);
        }
    }

    private static Map<String, JournalAdmin.Status> journals(JsonNode n) throws IOException {
        Map<String, JournalAdmin.Status> out = new TreeMap<>();
        for (var it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            out.put(e.getKey(), JSON.treeToValue(e.getValue(), JournalAdmin.Status.class));
        }
        return Map.copyOf(out);
    }

    /** What the holder sends is asked for one watch at a time per kind (a later watch replaces it). */
    private interface WatchRequest {
        /** Asks for the messages of {@code key}; null: none. */
        void send(String key) throws IOException;
    }

    /**
     * One kind of watch: which pair or volume is watched and where its messages go. Messages of
     * another key (one still under way when the watch changed) are dropped.
     */
    private final class Watch {
        private final String field;
        private final String what;
        private String key; // guarded by watchLock, as sink and request
        private Consumer<JsonNode> sink;
        private WatchRequest request;

        Watch(String field, String what) {
            this.field = field;
            this.what = what;
        }

        void deliver(JsonNode m) {
            Consumer<JsonNode> w;
            synchronized (watchLock) {
                w = m.path(field).asText().equals(key) ? sink : null;
            }
            if (w != null) {
                w.accept(m);
            }
        }

        TaskExecutor.Repeating start(String watched, Consumer<JsonNode> to, WatchRequest how) {
            synchronized (watchLock) {
                key = watched;
                sink = to;
                request = how;
                send(how, watched);
            }
            return () -> {
                synchronized (watchLock) {
                    if (sink == to) {
                        key = null;
                        sink = null;
                        send(request, null);
                    }
                }
            };
        }

        private void send(WatchRequest how, String watched) {
            try {
                how.send(watched);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, what + " request not sent: " + e.getMessage()); // the reader hears the end
            }
        }
    }

    /**
     * Streams the restore messages of {@code volume}'s instant restore ({@code snapshot}: to a
     * snapshot, else from a backup; {@code job} its job) to {@code sink} until the handle is cancelled.
     */
    TaskExecutor.Repeating watchRestore(String volume, boolean snapshot, String job, Consumer<JsonNode> sink) {
        return restoreWatch.start(volume, sink, v -> feed.watchRestore(v, snapshot, job));
    }

    /**
     * Streams the window messages of {@code volume}'s service window (none open: phase null) to
     * {@code sink} on the reader thread until the handle is cancelled.
     */
    TaskExecutor.Repeating watchWindow(String volume, Consumer<JsonNode> sink) {
        return windowWatch.start(volume, sink, feed::watchWindow);
    }

    /**
     * Streams the track messages of {@code pair} to {@code sink} (on the reader thread) until the
     * handle is cancelled; a later watch replaces it (the holder streams one pair per subscriber).
     */
    TaskExecutor.Repeating watch(String pair, Consumer<JsonNode> sink) {
        return pairWatch.start(pair, sink, feed::watch);
    }

    /** Runs {@code args} in the holder (blocking) and returns what it printed and its exit code. */
    Outcome run(List<String> args) throws IOException {
        return run(args, null);
    }

    /**
     * As {@link #run(List)}; with {@code lines} not null, each line of standard output goes to it as
     * the holder prints it (on the calling thread: it must not wait for the UI), and the outcome's
     * stdout is only the last line (a command that follows something prints many, the last its result).
     */
    Outcome run(List<String> args, Consumer<String> lines) throws IOException {
        SocketChannel ch = ControlClient.connect(dir);
        if (ch == null) {
            throw new IOException("the holder of pool " + dir + " (" + holderName() + ") no longer answers on its"
                    + " control socket; the action was not carried out");
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        if (lines == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = ControlClient.run(ch, args, dir, false, new ByteArrayInputStream(new byte[0]), out, err);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        String[] last = {""};
        LineSplitter out = new LineSplitter(l -> {
            last[0] = l;
            lines.accept(l);
        });
        int code = ControlClient.run(ch, args, dir, false, new ByteArrayInputStream(new byte[0]), out, err);
        out.close(); // a last line without its newline
        return new Outcome(code, last[0], err.toString(StandardCharsets.UTF_8));
    }

    /** Leaves the stream; the holder carries on serving. */
    @Override
    public void close() {
        closing = true;
        try {
            feed.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the holder link: " + e.getMessage());
        }
        Thread t = reader;
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
