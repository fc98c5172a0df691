package org.splitpoint.app.bridge;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventBus;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolPaths;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The app's one door to the engine. It owns the open {@link Pool}, runs engine calls on the
 * {@link TaskExecutor}, and turns the engine's events plus a 500 ms timer into pool snapshots (and
 * the pairs' query views) that reach the UI thread coalesced (at most one pending post, the latest
 * snapshot wins). Engine threads never wait for the UI: the event listener only flags a refresh and
 * queues the event. Long-lived users of the pool (workload generators) register a close hook, so
 * they stop before the pool closes.
 *
 * <p>When another process holds the pool ({@code splitpoint serve}), the bridge is attached to it
 * instead ({@link HolderLink}): the same sinks are fed from the holder's subscription stream, every
 * {@link HolderAction} runs as a command in the holder, and closing only disconnects. There is no
 * {@link Pool} in this process then: engine calls that are not holder actions are refused with a
 * sentence, and samplers that need the pool in this process do not run.
 */
public final class PoolBridge implements AutoCloseable {

    public static final Duration REFRESH_PERIOD = Duration.ofMillis(500);
    public static final int HISTORY = 200;
    /** How long a result waits for the holder's stream to show it (a late stream is not an error). */
    private static final Duration HOLDER_SYNC = Duration.ofSeconds(10);

    private final Pool pool;
    private final HolderLink holder;
    private final Path dir;
    private final List<Consumer<String>> holderGoneSinks = new CopyOnWriteArrayList<>();
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
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object refreshLock = new Object();
    private PoolSnapshot lastOffered;
    private List<PairView> lastPairs;
    private Map<String, JournalAdmin.Status> lastJournals;
    private TaskExecutor.Repeating timer;
    private TaskExecutor.Repeating nicer;
    private final ThreadNice threadNice = new ThreadNice();

    /** Wraps an open pool; {@code ui} runs a task on the UI thread (Platform::runLater in the app). */
    public PoolBridge(Pool pool, TaskExecutor executor, Executor ui) {
        this(pool, null, pool.dir(), executor, ui);
    }

    private PoolBridge(Pool pool, HolderLink holder, Path dir, TaskExecutor executor, Executor ui) {
        this.pool = pool;
        this.holder = holder;
        this.dir = dir;
        this.executor = executor;
        this.ui = ui;
        this.snapshots = new Coalescer<>(ui, Coalescer.latestWins(), s -> snapshotSinks.forEach(c -> c.accept(s)));
        this.events = new Coalescer<>(ui, PoolBridge::concat, l -> eventSinks.forEach(c -> c.accept(l)));
        this.pairs = new Coalescer<>(ui, Coalescer.latestWins(), l -> pairSinks.forEach(c -> c.accept(l)));
        this.journals = new Coalescer<>(ui, Coalescer.latestWins(), m -> journalSinks.forEach(c -> c.accept(m)));
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
        try {
            pool = Pool.open(dir);
        } catch (PoolException notHere) {
            PoolBridge attached = attach(dir, executor, ui, notHere);
            if (attached == null) {
                throw notHere;
            }
            return attached;
        }
        PoolBridge bridge = new PoolBridge(pool, executor, ui);
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
        return link == null ? null : new PoolBridge(null, link, dir.toAbsolutePath().normalize(), executor, ui);
    }

    /** The process this app is attached to ("serve, pid 1234"), or null when the app holds the pool itself. */
    public String attachedTo() {
        return holder == null ? null : holder.holderName();
    }

    /**
     * {@code sink} hears, on the UI thread, why the holder the app is attached to went away (it
     * closed the pool or died); the views stop being live then.
     */
    public void onHolderGone(Consumer<String> sink) {
        holderGoneSinks.add(sink);
    }

    /**
     * While attached: streams the holder's track messages of {@code pair} (see
     * {@link org.splitpoint.engine.control.PoolFeed}) to {@code sink} on the link's thread, until
     * the handle is cancelled. Null when the app holds the pool (sample it with {@link #every}).
     */
    public TaskExecutor.Repeating watchPair(String pair, Consumer<com.fasterxml.jackson.databind.JsonNode> sink) {
        return holder == null || closed.get() ? null : holder.watch(pair, sink);
    }

    /**
     * While attached: streams the holder's restore messages of {@code volume}'s instant restore
     * ({@code snapshot}: to a snapshot, else from a backup; {@code job}: its job id) to {@code sink}
     * on the link's thread until the handle is cancelled. Null when the app holds the pool.
     */
    public TaskExecutor.Repeating watchRestore(String volume, boolean snapshot, String job,
                                               Consumer<com.fasterxml.jackson.databind.JsonNode> sink) {
        return holder == null || closed.get() ? null : holder.watchRestore(volume, snapshot, job, sink);
    }

    private static <E> List<E> concat(List<E> a, List<E> b) {
        List<E> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
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
        if (holder != null) {
            throw new PoolException("the pool is held by " + holder.holderName() + " and this app is attached to it:"
                    + " its volumes are used in that process (through its NBD exports), not here");
        }
        return pool.device(volume);
    }

    /** Sets the guard the pool runs around every pair change, whoever starts it (the workloads' expectations). */
    public void guardPairs(org.splitpoint.engine.pair.PairChangeGuard guard) {
        if (pool == null) {
            return; // attached: the pool's pairs change in the holder, and no built-in workload runs here
        }
        pool.pairs().guard(guard);
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
     * tests, whose executor does not repeat) until the handle is cancelled or the pool closes.
     */
    public TaskExecutor.Repeating every(Duration period, EngineCall<?> task) {
        if (holder != null) {
            return () -> { }; // no pool in this process to sample: attached views use the holder's stream
        }
        return executor.repeat(period, () -> {
            if (closed.get()) {
                return;
            }
            try {
                task.call(pool);
            } catch (Exception e) {
                // a sampling tick that failed (the pool closing) is simply skipped
            }
        });
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
        if (!started.compareAndSet(false, true)) {
            return;
        }
        if (holder != null) {
            holder.start(new FromHolder());
            return;
        }
        pool.addListener(e -> {
            events.offer(List.of(e));
            refresh();
        });
        timer = executor.repeat(REFRESH_PERIOD, this::refresh);
        nicer = executor.repeat(Duration.ofSeconds(1), threadNice::apply); // new copy jobs start at any time
        executor.execute(() -> {
            // events published before the listener are in the log once the bus is drained;
            // the events view drops the few that arrive both ways
            pool.events().drain();
            try {
                List<Event> history = EventBus.readLog(new PoolPaths(pool.dir()).events(), HISTORY);
                if (!history.isEmpty()) {
                    events.offer(history);
                }
            } catch (IOException e) {
                events.offer(List.of(Event.warning("ERROR", "app", "could not read the event log: " + e.getMessage())));
            }
        });
        refresh();
    }

    /** Asks for a fresh snapshot; requests made while one is queued are folded into it. */
    public void refresh() {
        if (holder != null) {
            return; // the holder sends a snapshot whenever anything changed
        }
        if (closed.get() || !refreshQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::takeSnapshot);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            refreshQueued.set(false);
        }
    }

    private void takeSnapshot() {
        refreshQueued.set(false);
        if (closed.get()) {
            return;
        }
        synchronized (refreshLock) { // keeps snapshots in the order they were taken
            if (closed.get()) {
                return;
            }
            PoolSnapshot s = pool.snapshot();
            if (!s.equals(lastOffered)) {
                lastOffered = s;
                snapshots.offer(s);
            }
            List<PairView> p = queryPairs();
            if (p != null && !p.equals(lastPairs)) {
                lastPairs = p;
                pairs.offer(p);
            }
            Map<String, JournalAdmin.Status> j = JournalStatuses.of(pool, s);
            if (j != null && !j.equals(lastJournals)) {
                lastJournals = j;
                journals.offer(j);
            }
        }
    }

    private List<PairView> queryPairs() {
        try {
            return List.copyOf(pool.pairs().query(null));
        } catch (PoolException | RuntimeException e) {
            return null; // a pair map changing under the query: the next refresh sees it settled
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
            result = holder != null ? inHolder(call) : call.call(pool);
        } catch (Exception | Error e) { // an Error too: the UI must never wait forever for an answer
            ui.execute(() -> onFailure.accept(sentence(e)));
            if (holder != null) {
                return;
            }
            try {
                takeSnapshot();
            } catch (RuntimeException ignored) {
                // the next refresh tries again
            }
            return;
        }
        if (holder == null) {
            takeSnapshot(); // posted before the callback, so the callback sees the result applied
        }
        ui.execute(() -> onSuccess.accept(result));
    }

    /** Runs a holder action as a command in the holder; anything else cannot run without the pool here. */
    private <T> T inHolder(EngineCall<T> call) throws Exception {
        if (!(call instanceof HolderAction<T> action)) {
            throw new PoolException("not available while attached to " + holder.holderName()
                    + ": the holder carries out the actions it has a command for; run this one where the pool is held");
        }
        if (!action.hasCommand()) {
            PoolSnapshot state;
            synchronized (refreshLock) {
                state = lastOffered;
            }
            try {
                return action.result(null, state);
            } catch (HolderAction.Unfinished e) {
                throw (Exception) e.getCause();
            }
        }
        HolderLink.Outcome o = holder.run(action.command(dir.toString()));
        if (o.exitCode() != 0) {
            holder.sync(HOLDER_SYNC);
            throw new PoolException(o.sentence());
        }
        holder.sync(HOLDER_SYNC); // the result is reported once the views show it, as when the app holds the pool
        PoolSnapshot state;
        synchronized (refreshLock) {
            state = lastOffered;
        }
        return action.result(o.stdout(), state);
    }

    /** The holder's stream into the same sinks a held pool feeds; values equal to the last are dropped. */
    private final class FromHolder implements HolderLink.Listener {
        @Override
        public void snapshot(PoolSnapshot s, List<PairView> p, Map<String, JournalAdmin.Status> j) {
            synchronized (refreshLock) {
                if (closed.get()) {
                    return;
                }
                if (!s.equals(lastOffered)) {
                    lastOffered = s;
                    snapshots.offer(s);
                }
                if (!p.equals(lastPairs)) {
                    lastPairs = p;
                    pairs.offer(p);
                }
                if (!j.equals(lastJournals)) {
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

    /** Stops the timer, stops jobs at a checkpoint (they resume on the next open), closes the pool. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        if (nicer != null) {
            nicer.cancel();
        }
        for (Runnable hook : closeHooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                System.err.println("splitpoint: before closing the pool: " + e);
            }
        }
        executor.shutdown();
        if (holder != null) {
            holder.close(); // only this app's connection: the holder carries on
            return;
        }
        synchronized (refreshLock) {
            try {
                pool.close();
            } catch (IOException e) {
                System.err.println("splitpoint: closing the pool: " + e.getMessage());
            }
        }
    }
}
