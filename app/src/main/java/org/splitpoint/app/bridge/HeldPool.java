package org.splitpoint.app.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventBus;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.pair.PairChangeGuard;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolPaths;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The pool held in this process: the engine's events plus a 500 ms timer turn into snapshots (and
 * the pairs' query views, the journals' status), taken on the executor; engine threads never wait
 * for the UI (the event listener only queues the event and asks for a refresh). An action is the
 * engine call itself, then a snapshot, so its callback sees the result applied.
 */
final class HeldPool implements PoolSide {

    private final Pool pool;
    private final TaskExecutor executor;
    private final AtomicBoolean closed;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final Object snapshotLock = new Object(); // keeps snapshots in the order they were taken
    private final ThreadNice threadNice = new ThreadNice();
    private final HolderLink.Listener feed;
    private TaskExecutor.Repeating timer;
    private TaskExecutor.Repeating nicer;

    /** {@code feed} takes the snapshots and events; {@code closed} is the bridge's: once set, nothing more is taken or run. */
    HeldPool(Pool pool, TaskExecutor executor, HolderLink.Listener feed, AtomicBoolean closed) {
        this.pool = pool;
        this.feed = feed;
        this.executor = executor;
        this.closed = closed;
    }

    @Override
    public String attachedTo() {
        return null;
    }

    @Override
    public void start() {
        pool.addListener(e -> {
            feed.events(List.of(e));
            refresh();
        });
        timer = executor.repeat(PoolBridge.REFRESH_PERIOD, this::refresh);
        nicer = executor.repeat(Duration.ofSeconds(1), threadNice::apply); // new copy jobs start at any time
        executor.execute(() -> {
            // events published before the listener are in the log once the bus is drained;
            // the events view drops the few that arrive both ways
            pool.events().drain();
            try {
                List<Event> history = EventBus.readLog(new PoolPaths(pool.dir()).events(), PoolBridge.HISTORY);
                if (!history.isEmpty()) {
                    feed.events(history);
                }
            } catch (IOException e) {
                feed.events(List.of(Event.warning("ERROR", "app", "could not read the event log: " + e.getMessage())));
            }
        });
        refresh();
    }

    @Override
    public void refresh() {
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
        synchronized (snapshotLock) {
            if (closed.get()) {
                return;
            }
            PoolSnapshot s = pool.snapshot();
            feed.snapshot(s, queryPairs(), JournalStatuses.of(pool, s));
        }
    }

    /** The pairs as {@code pair query} shows them, or null while a pair map changes under the query. */
    private List<PairView> queryPairs() {
        try {
            return List.copyOf(pool.pairs().query(null));
        } catch (PoolException | RuntimeException e) {
            return null; // the next refresh sees it settled
        }
    }

    @Override
    public <T> T carryOut(EngineCall<T> call) throws Exception {
        T result = call.call(pool);
        takeSnapshot(); // posted before the callback, so the callback sees the result applied
        return result;
    }

    @Override
    public void failed() {
        try {
            takeSnapshot();
        } catch (RuntimeException ignored) {
            // the next refresh tries again
        }
    }

    @Override
    public TaskExecutor.Repeating every(Duration period, EngineCall<?> task) {
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

    @Override
    public BlockDevice device(String volume) throws PoolException {
        return pool.device(volume);
    }

    @Override
    public void guardPairs(PairChangeGuard guard) {
        pool.pairs().guard(guard);
    }

    @Override
    public void guardSnapshots(org.splitpoint.engine.snapshot.SnapshotChangeGuard guard) {
        pool.snapshots().guard(guard);
    }

    @Override
    public TaskExecutor.Repeating watchPair(String pair, Consumer<JsonNode> sink) {
        return null; // sampled with every()
    }

    @Override
    public TaskExecutor.Repeating watchRestore(String volume, boolean snapshot, String job, Consumer<JsonNode> sink) {
        return null;
    }

    @Override
    public TaskExecutor.Repeating watchWindow(String volume, Consumer<JsonNode> sink) {
        return null; // sampled with every()
    }

    /** Stops the timers and closes the pool (its jobs stop at a checkpoint and resume on the next open). */
    @Override
    public void close() {
        if (timer != null) {
            timer.cancel();
        }
        if (nicer != null) {
            nicer.cancel();
        }
        synchronized (snapshotLock) {
            try {
                pool.close();
            } catch (IOException e) {
                System.err.println("splitpoint: closing the pool: " + e.getMessage());
            }
        }
    }

    /** For the bridge's open: the pool, to start its control socket on. */
    Pool pool() {
        return pool;
    }
}
