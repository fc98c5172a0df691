package org.splitpoint.app.bridge;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * An action a view model asks of the pool in two forms: the engine call the app makes when it
 * holds the pool, and the {@code ./splitpoint} command the holder runs when the app is attached
 * to another process ({@code serve}) that holds it. The bridge picks the form; the view model
 * hands over both, so an action never silently does nothing while attached.
 *
 * @param <T> what the engine call returns; while attached, what {@code fromOutput} makes of the
 *            command's standard output (null when the action's caller does not use its result)
 */
public final class HolderAction<T> implements EngineCall<T> {

    private final EngineCall<T> local;
    private final Function<String, List<String>> command;
    private final BiFunction<String, PoolSnapshot, T> fromOutput;

    private HolderAction(EngineCall<T> local, Function<String, List<String>> command,
                         BiFunction<String, PoolSnapshot, T> fromOutput) {
        this.local = local;
        this.command = command;
        this.fromOutput = fromOutput;
    }

    /**
     * {@code local} when the app holds the pool; else the command {@code command} makes of the
     * pool's directory (e.g. {@code dir -> List.of("pair", "split", dir, name)}), whose result the
     * caller does not use.
     */
    public static <T> HolderAction<T> of(Function<String, List<String>> command, EngineCall<T> local) {
        return new HolderAction<>(local, command, (out, s) -> null);
    }

    /** As {@link #of}, the attached result read from the command's standard output. */
    public static <T> HolderAction<T> of(Function<String, List<String>> command, Function<String, T> fromOutput,
                                         EngineCall<T> local) {
        return new HolderAction<>(local, command, (out, s) -> fromOutput.apply(out));
    }

    /**
     * As {@link #of}, the attached result made of the command's standard output and the holder's
     * snapshot taken right after the command (e.g. the save area it now has).
     */
    public static <T> HolderAction<T> ofState(Function<String, List<String>> command,
                                              BiFunction<String, PoolSnapshot, T> fromOutputAndState, EngineCall<T> local) {
        return new HolderAction<>(local, command, fromOutputAndState);
    }

    @Override
    public T call(Pool pool) throws Exception {
        return local.call(pool);
    }

    /** The command's arguments for the pool in {@code poolDir}. */
    List<String> command(String poolDir) {
        return command.apply(poolDir);
    }

    /** The result of the command that printed {@code stdout}, the holder then being in {@code state}. */
    T result(String stdout, PoolSnapshot state) {
        return fromOutput.apply(stdout, state);
    }
}
