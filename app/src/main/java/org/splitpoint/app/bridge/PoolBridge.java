package org.splitpoint.app.bridge;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The app's one door to the engine. It runs engine calls on the {@link TaskExecutor} and hands the
 * pool's state — snapshots, the pairs' query views, the journals' status, events — to the UI
 * thread coalesced (at most one pending post per kind, the latest snapshot wins; a value equal to
 * the last one is dropped). Long-lived users of the pool (workload generators) register a close
 * hook, so they stop before the pool closes.
 *
 * <p>Where the pool is, is its {@link PoolSide}: held in this process ({@link HeldPool}: the
 * engine's events and a timer make the snapshots), or held by another process the app is attached
 * to ({@link AttachedPool}: the holder's subscription stream feeds the same sinks, every
 * {@link HolderAction} runs as a command in the holder, closing only disconnects).
 */
public final class PoolBridge implements AutoCloseable {

    public static final Duration REFRESH_PERIOD = Duration.ofMillis(500);
    public static final int HISTORY = 200;

    private final PoolSide side;
    private final Path dir;
    private final List<Consumer<String>> holderGoneSinks = new CopyOnWriteArrayList<>();
    private final List<java.util.function.BiConsumer<List<org.splitpoint.engine.nbd.ClientStats>,
            org.splitpoint.engine.nbd.ServedBytes>> holderClientSinks = new CopyOnWriteArrayList<>();
    private final TaskExecutor executor;
    private final Executor ui;
    private final List<Consumer<PoolSnapshot>> snapshotSinks = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<Event>>> eventSinks = new CopyOnWriteArrayList<>();
    private final Coalescer<PoolSnapshot> snapshots;
    private final Coalescer<List<Event>> events;
    private final List<Consumer<List<PairView>>> pairSinks = new CopyOnWriteArrayList<>();
    private final Coalescer<List<PairView>> pairs;
    private final List<Consumer<Map<String, JournalAdmin.Status>>> journalSinks = new CopyOnWriteArrayList<>();
    private final Coalescer<Map<String, JournalAdmin.Status>> journals;
    private final List<Runnable> closeHooks = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object offerLock = new Object(); // the last values offered, and offering in order
    private PoolSnapshot lastOffered;
    private final Instant since;
    private List<PairView> lastPairs;
    private Map<String, JournalAdmin.Status> lastJournals;

    /** Wraps an open pool; {@code ui} runs a task on the UI thread (Platform::runLater in the app). */
    public PoolBridge(Pool pool, TaskExecutor executor, Executor ui) {
        this(null, pool, pool.dir(), executor, ui, Instant.now());
    }

    /** Attached to {@code holder} when it is not null, else holding {@code pool}; opened at {@code since}. */
    private PoolBridge(HolderLink holder, Pool pool, Path dir, TaskExecutor executor, Executor ui, Instant since) {
        this.dir = dir;
        this.since = since;
        this.executor = executor;
        this.ui = ui;
        Feed feed = new Feed();
        this.side = holder != null ? new AttachedPool(holder, dir, feed, this::lastShown)
                : new HeldPool(pool, executor, feed, closed);
        this.snapshots = new Coalescer<>(ui, Coalescer.latestWins(), s -> snapshotSinks.forEach(c -> c.accept(s)));
        this.events = new Coalescer<>(ui, PoolBridge::concat, l -> eventSinks.forEach(c -> c.accept(l)));
        this.pairs = new Coalescer<>(ui, Coalescer.latestWins(), l -> pairSinks.forEach(c -> c.accept(l)));
        this.journals = new Coalescer<>(ui, Coalescer.latestWins(), m -> journalSinks.forEach(c -> c.accept(m)));
    }

    /**
     * When this bridge began to open or attach to the pool: events before it are the pool's history
     * (the event log shows them; notifications are for what happens from now on, opening included).
     */
    public Instant since() {
        return since;
    }

    /**
     * Opens the pool in {@code dir} (blocking: call it off the UI thread) and its control socket,
     * so {@code ./splitpoint} commands for this pool run here while the app holds it (and show in
     * the event log).
     * When another process holds the pool and answers on its control socket ({@code serve}), the
     * bridge returned is attached to that holder instead (see {@link #attachedTo()}).
     */
    public static PoolBridge open(Path dir, TaskExecutor executor, Executor ui) throws IOException, PoolException {
        Pool pool;
        Instant opening = Instant.now();
        try {
            pool = Pool.open(dir);
        } catch (PoolException notHere) {
            PoolBridge attached = attach(dir, executor, ui, notHere);
            if (attached == null) {
                throw notHere;
            }
            return attached;
        }
        PoolBridge bridge = new PoolBridge(null, pool, pool.dir(), executor, ui, opening);
        var commands = org.splitpoint.engine.control.PoolCommands.installed();
        if (commands.isEmpty()) { // the CLI provides the command set; the app does not depend on it
            pool.events().publish(Event.warning("COMMAND", "control", "the splitpoint command is not on the app's class"
                    + " path: ./splitpoint commands for this pool are refused while the app holds it"));
            return bridge;
        }
        try {
            org.splitpoint.engine.control.ControlServer control = org.splitpoint.engine.control.ControlServer.start(
                    pool.dir(), commands.get().forPool(pool),
                    m -> pool.events().publish(Event.info("COMMAND", "control", m)));
            control.offerSubscriptions(new org.splitpoint.engine.control.PoolFeed(pool, "app")); // another app may attach
            bridge.beforeClose(() -> {
                try {
                    control.close();
                } catch (IOException e) {
                    System.err.println("splitpoint: closing the control socket: " + e.getMessage());
                }
            });
        } catch (IOException e) {
            pool.events().publish(Event.warning("COMMAND", "control", "no control socket (" + e.getMessage()
                    + "): ./splitpoint commands for this pool are refused while the app holds it"));
        }
        return bridge;
    }

    /**
     * Attaches to the process holding the pool in {@code dir} when its lock refused us
     * ({@code refused}); null when no holder answers on the pool's control socket (then the
     * refusal stands). A holder of another user refuses with its own sentence.
     */
    private static PoolBridge attach(Path dir, TaskExecutor executor, Executor ui, PoolException refused)
            throws IOException {
        HolderLink link;
        try {
            link = HolderLink.attach(dir);
        } catch (org.splitpoint.engine.control.ControlClient.Refused r) {
            throw r;
        } catch (IOException e) {
            refused.addSuppressed(e);
            return null;
        }
        return link == null ? null : new PoolBridge(link, null, dir.toAbsolutePath().normalize(), executor, ui, Instant.now());
    }

    /** The process this app is attached to ("serve, pid 1234"), or null when the app holds the pool itself. */
    public String attachedTo() {
        return side.attachedTo();
    }

    /**
     * {@code sink} hears, on the UI thread, why the holder the app is attached to went away (it
     * closed the pool or died); the views stop being live then.
     */
    public void onHolderGone(Consumer<String> sink) {
        holderGoneSinks.add(sink);
    }

    /**
     * While attached to a holder that serves the pool: {@code sink} hears its NBD clients (their
     * counters) and what all its clients served since it started (null from a holder that does not
     * say) about once a second, on the link's thread. Never called while the app holds the pool.
     */
    public void onHolderClients(java.util.function.BiConsumer<List<org.splitpoint.engine.nbd.ClientStats>,
            org.splitpoint.engine.nbd.ServedBytes> sink) {
        holderClientSinks.add(sink);
    }

    /**
     * While attached: streams the holder's track messages of {@code pair} (see
     * {@link org.splitpoint.engine.control.PoolFeed}) to {@code sink} on the link's thread, until
     * the handle is cancelled. Null when the app holds the pool (sample it with {@link #every}).
     */
    public TaskExecutor.Repeating watchPair(String pair, Consumer<com.fasterxml.jackson.databind.JsonNode> sink) {
        return closed.get() ? null : side.watchPair(pair, sink);
    }

    /**
     * While attached: streams the holder's restore messages of {@code volume}'s instant restore
     * ({@code snapshot}: to a snapshot, else from a backup; {@code job}: its job id) to {@code sink}
     * on the link's thread until the handle is cancelled. Null when the app holds the pool.
     */
    public TaskExecutor.Repeating watchRestore(String volume, boolean snapshot, String job,
                                               Consumer<com.fasterxml.jackson.databind.JsonNode> sink) {
        return closed.get() ? null : side.watchRestore(volume, snapshot, job, sink);
    }

    /**
     * While attached: streams the holder's window messages of {@code volume}'s service window (see
     * {@link org.splitpoint.engine.control.PoolFeed}) to {@code sink} on the link's thread until the
     * handle is cancelled. Null when the app holds the pool (sample it with {@link #every}).
     */
    public TaskExecutor.Repeating watchWindow(String volume, Consumer<com.fasterxml.jackson.databind.JsonNode> sink) {
        return closed.get() ? null : side.watchWindow(volume, sink);
    }

    private static <E> List<E> concat(List<E> a, List<E> b) {
        List<E> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }

    /**
     * Runs {@code look} in the background in this process (never in the pool's holder, and without a
     * refresh) and hands its answer to {@code onUi} on the UI thread: a look at the file system, which
     * an automounted or hung network path can hold for seconds, so never on the UI thread.
     */
    public <T> void look(java.util.function.Supplier<T> look, Consumer<T> onUi) {
        try {
            executor.execute(() -> {
                T answer = look.get();
                ui.execute(() -> onUi.accept(answer));
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the pool is closing, and the window that asked with it
        }
    }

    /** Runs a task on the UI thread (for view models that coalesce their own updates). */
    public Executor ui() {
        return ui;
    }

    /**
     * The volume as hosts see it ({@code pool.device}: through its pair, if any), for the app's
     * built-in workload generators, which do their I/O on their own threads.
     */
    public org.splitpoint.engine.io.BlockDevice device(String volume) throws PoolException {
        if (closed.get()) {
            throw new PoolException("the pool is closed");
        }
        return side.device(volume);
    }

    /** Sets the guard the pool runs around every pair change, whoever starts it (the workloads' expectations). */
    public void guardPairs(org.splitpoint.engine.pair.PairChangeGuard guard) {
        side.guardPairs(guard);
    }

    /** Sets the guard the pool runs around every snapshot change, whoever starts it (the workloads' expectations). */
    public void guardSnapshots(org.splitpoint.engine.snapshot.SnapshotChangeGuard guard) {
        side.guardSnapshots(guard);
    }

    public Path poolDir() {
        return dir;
    }

    /** {@code sink} gets every new snapshot on the UI thread. */
    public void onSnapshot(Consumer<PoolSnapshot> sink) {
        snapshotSinks.add(sink);
    }

    /** {@code sink} gets the pairs as {@code pair query} shows them, on the UI thread, when they change. */
    public void onPairs(Consumer<List<PairView>> sink) {
        pairSinks.add(sink);
    }

    /**
     * {@code sink} gets the status of every volume's staged backup journal (by volume; a volume
     * without a journal is absent), on the UI thread, when it changes (the oldest entry's age does
     * every second while entries wait).
     */
    public void onJournals(Consumer<Map<String, JournalAdmin.Status>> sink) {
        journalSinks.add(sink);
    }

    /** {@code hook} runs (on the closing thread) before the pool closes: stop using it there. */
    public void beforeClose(Runnable hook) {
        closeHooks.add(hook);
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Runs {@code task} with the pool every {@code period} off the UI thread (never in view-model
     * tests, whose executor does not repeat) until the handle is cancelled or the pool closes; a
     * no-op while attached (there is no pool here: attached views use the holder's stream).
     */
    public TaskExecutor.Repeating every(Duration period, EngineCall<?> task) {
        return side.every(period, task);
    }

    /**
     * Runs {@code task}, which needs no pool in this process (it reads a file the pool's holder
     * replaces atomically), every {@code period} off the UI thread, whether the app holds the pool
     * or is attached to its holder, until the handle is cancelled or the bridge closes.
     */
    public TaskExecutor.Repeating everyHere(Duration period, Runnable task) {
        return executor.repeat(period, () -> {
            if (!closed.get()) {
                task.run();
            }
        });
    }

    /** {@code sink} gets events in batches on the UI thread: first the log's history, then live ones. */
    public void onEvents(Consumer<List<Event>> sink) {
        eventSinks.add(sink);
    }

    /** Starts listening, loads the event history, starts the refresh timer and takes a first snapshot. */
    public void start() {
        if (started.compareAndSet(false, true)) {
            side.start();
        }
    }

    /** Asks for a fresh snapshot; requests made while one is queued are folded into it. */
    public void refresh() {
        if (!closed.get()) {
            side.refresh();
        }
    }

    /** The snapshot the sinks were last offered (the holder's, while attached); null before the first. */
    private PoolSnapshot lastShown() {
        synchronized (offerLock) {
            return lastOffered;
        }
    }

    /**
     * Runs {@code call} in the background, then refreshes; {@code onSuccess} or {@code onFailure} (with
     * a sentence for the administrator) runs on the UI thread after the snapshot that shows the result.
     */
    public <T> void run(EngineCall<T> call, Consumer<T> onSuccess, Consumer<String> onFailure) {
        try {
            executor.execute(() -> runNow(call, onSuccess, onFailure));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            ui.execute(() -> onFailure.accept("the pool is closed"));
        }
    }

    private <T> void runNow(EngineCall<T> call, Consumer<T> onSuccess, Consumer<String> onFailure) {
        T result;
        try {
            if (closed.get()) {
                throw new PoolException("the pool is closed");
            }
            result = side.carryOut(call);
        } catch (Exception | Error e) { // an Error too: the UI must never wait forever for an answer
            ui.execute(() -> onFailure.accept(org.splitpoint.app.common.AppWords.of(sentence(e))));
            side.failed();
            return;
        }
        ui.execute(() -> onSuccess.accept(result));
    }

    /** The pool's state from either side into the sinks; values equal to the last are dropped. */
    private final class Feed implements HolderLink.Listener {
        @Override
        public void snapshot(PoolSnapshot s, List<PairView> p, Map<String, JournalAdmin.Status> j) {
            synchronized (offerLock) {
                if (closed.get()) {
                    return;
                }
                if (!s.equals(lastOffered)) {
                    lastOffered = s;
                    snapshots.offer(s);
                }
                if (p != null && !p.equals(lastPairs)) { // null: a pair map changing under the query
                    lastPairs = p;
                    pairs.offer(p);
                }
                if (j != null && !j.equals(lastJournals)) {
                    lastJournals = j;
                    journals.offer(j);
                }
            }
        }

        @Override
        public void events(List<Event> batch) {
            if (!closed.get()) {
                events.offer(batch);
            }
        }

        @Override
        public void clients(List<org.splitpoint.engine.nbd.ClientStats> clients,
                            org.splitpoint.engine.nbd.ServedBytes served) {
            if (!closed.get()) {
                holderClientSinks.forEach(c -> c.accept(clients, served));
            }
        }

        @Override
        public void gone(String why) {
            if (!closed.get()) {
                ui.execute(() -> holderGoneSinks.forEach(c -> c.accept(why)));
            }
        }
    }

    /** A failure as one sentence for the status bar. */
    static String sentence(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof IOException && !(e instanceof org.splitpoint.engine.backup.BackupException)) {
            return "I/O error: " + m; // a BackupException is the engine's sentence about a store: as it is
        }
        if (e instanceof Error || (e instanceof RuntimeException && !(e instanceof IllegalArgumentException))) {
            return "internal error (" + e.getClass().getSimpleName() + "): " + m;
        }
        return m;
    }

    /** Stops jobs at a checkpoint (they resume on the next open) and closes the pool, or only disconnects. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Runnable hook : closeHooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                System.err.println("splitpoint: before closing the pool: " + e);
            }
        }
        executor.shutdown();
        side.close();
    }
}
