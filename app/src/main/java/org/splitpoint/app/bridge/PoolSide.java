package org.splitpoint.app.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.function.Consumer;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.pair.PairChangeGuard;
import org.splitpoint.engine.pool.PoolException;

/**
 * Where the pool the {@link PoolBridge} shows is: held in this process ({@link HeldPool}), or held
 * by another one the app is attached to ({@link AttachedPool}). The bridge keeps what both share
 * (the sinks, coalescing, running calls off the UI thread, closing once); a side says how the
 * pool's state reaches the sinks (its feed, given when it is made) and how an action is carried out.
 */
interface PoolSide {

    /** The process holding the pool ("serve, pid 1234") when attached, else null. */
    String attachedTo();

    /** Starts listening: the pool's events, the refresh timer, the holder's stream; then a first snapshot. */
    void start();

    /** Asks for a fresh snapshot (a held pool; the holder sends one whenever anything changed). */
    void refresh();

    /**
     * Carries out {@code call} (on a worker thread) and returns its result once the sinks were
     * offered the state that shows it: the bridge runs the callback after.
     */
    <T> T carryOut(EngineCall<T> call) throws Exception;

    /** After {@code call} failed: offers the state as it is now (the callback sees it). */
    void failed();

    /** {@code task} with the pool every {@code period}, off the UI thread; a no-op when the pool is not here. */
    TaskExecutor.Repeating every(Duration period, EngineCall<?> task);

    /** The volume as hosts see it, for the built-in workloads; refused with a sentence when not here. */
    BlockDevice device(String volume) throws PoolException;

    /** The guard around every pair change (the workloads' expectations), when the pool is here. */
    void guardPairs(PairChangeGuard guard);

    /** Sets the guard the pool runs around every snapshot taken, restored to or deleted (the workloads' expectations). */
    void guardSnapshots(org.splitpoint.engine.snapshot.SnapshotChangeGuard guard);

    /** Streams a pair's track messages while attached; null when the pool is here. */
    TaskExecutor.Repeating watchPair(String pair, Consumer<JsonNode> sink);

    /** Streams an instant restore's messages while attached; null when the pool is here. */
    TaskExecutor.Repeating watchRestore(String volume, boolean snapshot, String job, Consumer<JsonNode> sink);

    /** Streams a volume's service-window messages while attached; null when the pool is here. */
    TaskExecutor.Repeating watchWindow(String volume, Consumer<JsonNode> sink);

    /** Closes the pool here, or only this app's connection to its holder. */
    void close();
}
