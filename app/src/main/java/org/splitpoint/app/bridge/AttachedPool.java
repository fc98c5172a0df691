package org.splitpoint.app.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.pair.PairChangeGuard;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The pool held by another process ({@code splitpoint serve}) that the app is attached to: the
 * holder's subscription stream feeds the sinks ({@link HolderLink}), and every {@link HolderAction}
 * runs as its {@code ./splitpoint} command in the holder, reported once the stream shows its effect
 * (a {@code sync}). There is no pool in this process: engine calls that are not holder actions are
 * refused with a sentence, samplers that need the pool here do not run, and closing only
 * disconnects.
 */
final class AttachedPool implements PoolSide {

    /** How long a result waits for the holder's stream to show it (a late stream is not an error). */
    private static final Duration HOLDER_SYNC = Duration.ofSeconds(10);

    private final HolderLink holder;
    private final Path dir;
    private final HolderLink.Listener feed;
    private final Supplier<PoolSnapshot> lastShown;

    /** {@code feed} takes the holder's stream; {@code lastShown}: the holder's snapshot the sinks were last offered. */
    AttachedPool(HolderLink holder, Path dir, HolderLink.Listener feed, Supplier<PoolSnapshot> lastShown) {
        this.holder = holder;
        this.dir = dir;
        this.feed = feed;
        this.lastShown = lastShown;
    }

    @Override
    public String attachedTo() {
        return holder.holderName();
    }

    @Override
    public void start() {
        holder.start(feed);
    }

    @Override
    public void refresh() {
        // the holder sends a snapshot whenever anything changed
    }

    /** Runs a holder action as a command in the holder; anything else cannot run without the pool here. */
    @Override
    public <T> T carryOut(EngineCall<T> call) throws Exception {
        if (!(call instanceof HolderAction<T> action)) {
            throw new PoolException("not available while attached to " + holder.holderName()
                    + ": the holder carries out the actions it has a command for; run this one where the pool is held");
        }
        if (!action.hasCommand()) {
            try {
                return action.result(null, lastShown.get());
            } catch (HolderAction.Unfinished e) {
                throw (Exception) e.getCause();
            }
        }
        HolderLink.Outcome o = holder.run(action.command(dir.toString()), action.lines());
        holder.sync(HOLDER_SYNC); // the result is reported once the views show it, as when the app holds the pool
        if (o.exitCode() != 0 && !action.resultDespite(o.sentence())) {
            throw new PoolException(o.sentence());
        }
        return action.result(o.stdout(), lastShown.get());
    }

    @Override
    public void failed() {
        // the holder's stream shows the state as it is
    }

    @Override
    public TaskExecutor.Repeating every(Duration period, EngineCall<?> task) {
        return () -> { }; // no pool in this process to sample: attached views use the holder's stream
    }

    @Override
    public BlockDevice device(String volume) throws PoolException {
        throw new PoolException("the pool is held by " + holder.holderName() + " and this app is attached to it:"
                + " its volumes are used in that process (through its NBD exports), not here");
    }

    @Override
    public void guardPairs(PairChangeGuard guard) {
        // the pool's pairs change in the holder, and no built-in workload runs here
    }

    @Override
    public void guardSnapshots(org.splitpoint.engine.snapshot.SnapshotChangeGuard guard) {
        // the pool's snapshots change in the holder, and no built-in workload runs here
    }

    @Override
    public TaskExecutor.Repeating watchPair(String pair, Consumer<JsonNode> sink) {
        return holder.watch(pair, sink);
    }

    @Override
    public TaskExecutor.Repeating watchRestore(String volume, boolean snapshot, String job, Consumer<JsonNode> sink) {
        return holder.watchRestore(volume, snapshot, job, sink);
    }

    @Override
    public TaskExecutor.Repeating watchWindow(String volume, Consumer<JsonNode> sink) {
        return holder.watchWindow(volume, sink);
    }

    @Override
    public void close() {
        holder.close(); // only this app's connection: the holder carries on
    }
}
