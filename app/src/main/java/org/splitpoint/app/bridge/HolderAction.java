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
    private final java.util.function.Consumer<String> lines;
    /** A failure's sentence that still carries a result on stdout (see {@link #verify}), or null. */
    private final java.util.function.Predicate<String> resultDespite;

    private HolderAction(EngineCall<T> local, Function<String, List<String>> command,
                         BiFunction<String, PoolSnapshot, T> fromOutput) {
        this(local, command, fromOutput, null);
    }

    private HolderAction(EngineCall<T> local, Function<String, List<String>> command,
                         BiFunction<String, PoolSnapshot, T> fromOutput, java.util.function.Consumer<String> lines) {
        this(local, command, fromOutput, lines, null);
    }

    private HolderAction(EngineCall<T> local, Function<String, List<String>> command,
                         BiFunction<String, PoolSnapshot, T> fromOutput, java.util.function.Consumer<String> lines,
                         java.util.function.Predicate<String> resultDespite) {
        this.local = local;
        this.command = command;
        this.fromOutput = fromOutput;
        this.lines = lines;
        this.resultDespite = resultDespite;
    }

    /**
     * A verify of {@code volume} (with {@code repair}): {@code local} here; attached, the holder's
     * {@code volume verify}, whose mismatch count is the result also when it exits 1 for mismatches it
     * found and did not repair (the SPEC's exit code for scripts; the same count the engine returns here).
     */
    public static HolderAction<Long> verify(String volume, boolean repair, EngineCall<Long> local) {
        return new HolderAction<>(local, HolderCommands.verifyVolume(volume, repair),
                (out, s) -> HolderCommands.firstNumber(out), null,
                sentence -> org.splitpoint.engine.pool.VerifyEvent.ofUnrepaired(sentence) != null);
    }

    /** True when the command's failure with {@code sentence} still printed this action's result. */
    boolean resultDespite(String sentence) {
        return resultDespite != null && resultDespite.test(sentence);
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
     * As {@link #of(Function, Function, EngineCall)} for a command that prints as it goes (e.g. {@code drill
     * run --json-lines}): while attached, each line of its output goes to {@code lines} as the holder
     * prints it (on the worker thread running the command: hand it on, never wait for the UI), and
     * {@code fromOutput} reads the result from its last line.
     */
    public static <T> HolderAction<T> following(Function<String, List<String>> command,
                                                java.util.function.Consumer<String> lines,
                                                Function<String, T> fromOutput, EngineCall<T> local) {
        return new HolderAction<>(local, command, (out, s) -> fromOutput.apply(out), lines);
    }

    /** Cancels job {@code id}: the holder's {@code job cancel}, or {@code local} here; the name of the state it ended in. */
    public static HolderAction<String> cancelJob(String id, EngineCall<String> local) {
        return of(HolderCommands.cancelJob(id), HolderCommands::jobState, local);
    }

    /** Cancels job {@code id}, here a plain cancel that waits for the job to end; the name of the state it ended in. */
    public static HolderAction<String> cancelJob(String id) {
        return cancelJob(id, pool -> {
            var job = pool.job(id);
            job.cancel();
            job.await(30_000);
            return job.state().name();
        });
    }

    /**
     * As {@link #of}, the attached result made of the command's standard output and the holder's
     * snapshot taken right after the command (e.g. the save area it now has).
     */
    public static <T> HolderAction<T> ofState(Function<String, List<String>> command,
                                              BiFunction<String, PoolSnapshot, T> fromOutputAndState, EngineCall<T> local) {
        return new HolderAction<>(local, command, fromOutputAndState);
    }

    /**
     * An action whose attached form needs no command: its result is made in this process from the
     * holder's latest snapshot ({@code attached}), e.g. a backup store's listing, which this process
     * reads itself (the store is a directory, as for {@code backup list DIR}), with the pool's backup
     * facts taken from the holder's state. {@code local} when the app holds the pool.
     */
    public static <T> HolderAction<T> fromState(java.util.function.Function<PoolSnapshot, T> attached, EngineCall<T> local) {
        return new HolderAction<>(local, null, (out, s) -> attached.apply(s));
    }

    /**
     * Work on files this process reads and writes itself, not on the pool (a backup store's images:
     * verify, delete — as {@code backup verify|delete DIR} run in the calling process): the same
     * whether the app holds the pool or is attached to its holder.
     */
    public static <T> HolderAction<T> notOnThePool(java.util.concurrent.Callable<T> work) {
        return new HolderAction<>(pool -> work.call(), null, (out, s) -> {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new Unfinished(e);
            }
        });
    }

    /** A checked failure of {@link #notOnThePool} work, carried out of {@link #result}. */
    static final class Unfinished extends RuntimeException {
        Unfinished(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** True when the attached form runs a command in the holder (else it is made here: {@link #result}). */
    boolean hasCommand() {
        return command != null;
    }

    @Override
    public T call(Pool pool) throws Exception {
        return local.call(pool);
    }

    /** Where the command's output lines go as they come, or null (the output is read once it ended). */
    java.util.function.Consumer<String> lines() {
        return lines;
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
