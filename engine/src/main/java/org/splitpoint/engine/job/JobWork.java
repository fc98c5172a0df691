package org.splitpoint.engine.job;

import java.io.IOException;

/**
 * What a job does, step by step over a range of tracks. The runner owns pacing, pause, cancel and
 * progress; the work owns the data and the durable checkpoint. Contract: {@link #checkpoint} is
 * called only after {@link #copyNext} returned for every track below {@code doneUpTo}, and must
 * make that data durable before recording the checkpoint (data, flush, then metadata).
 */
public interface JobWork {

    /**
     * What one step did: how many tracks it advanced over, how many bytes it moved, and how many
     * tracks of work it found added meanwhile (host writes during an establish, an unprotected
     * restore's catch-up), by which the job's total grows so its percent and ETA stay true.
     */
    record Step(long tracks, long bytes, long added) {
        public Step(long tracks, long bytes) {
            this(tracks, bytes, 0);
        }
    }

    /** Copies (rebuilds, resyncs...) from track {@code done} on, as much as one step takes. */
    Step copyNext(long done) throws IOException;

    /**
     * A hint before each step: move about this many bytes at most (a quarter second's worth under
     * a throttle, so progress stays smooth; {@code Long.MAX_VALUE} when unthrottled).
     */
    default void stepBudget(long bytes) {
    }

    /**
     * Tracks of the work that other paths did since the last step ended (a restore's hydrating
     * reads), not yet in the job's count: a paused job takes no steps, yet its progress should
     * follow them. 0 by default. Called from any thread.
     */
    default long doneSinceLastStep() {
        return 0;
    }

    /**
     * Steps done of steps in all, for a work that counts timed steps rather than tracks (a firmware
     * update's download, verify, activate, reset): its tracks are ticks of a clock and it moves no
     * bytes, so the job's history says its steps instead. Null (the default) for a copy of tracks.
     */
    record Steps(long done, long total) {
        /** "2 of 4 steps": how a job's line, its history and the app say it. */
        public String said() {
            return done + " of " + total + " steps";
        }
    }

    /** The steps behind {@code doneTracks}, or null for a copy of tracks (see {@link Steps}). */
    default Steps steps(long doneTracks) {
        return null;
    }

    /**
     * What the job's track count counts, as its progress and history lines say it: "tracks" (the
     * default) for a copy; a work whose steps are units of another size says so (a drive's
     * diagnostics scan reads a mebibyte a step: "MiB").
     */
    default String unit() {
        return "tracks";
    }

    /**
     * What the finished work made, when its bytes and tracks do not say it: a backup reads every
     * track of the volume yet stores less ("46 MiB stored: 736 of 2048 tracks (all-zero tracks not
     * stored)"), and its history line said only the 128 MiB it read. Asked after {@link #finished};
     * empty (the default) for a copy, whose bytes are what it wrote.
     */
    default String outcome() {
        return "";
    }

    /** True while there is work left; by default while fewer than {@code total} tracks are done. */
    default boolean hasMore(long done, long total) {
        return done < total;
    }

    /** Makes tracks [0, doneUpTo) durable and records the checkpoint. */
    void checkpoint(long doneUpTo) throws IOException;

    /**
     * The periodic checkpoint during the work: a work may run it beside its copy (see
     * {@link CheckpointThread}) and return at once; by default it is {@link #checkpoint}. The
     * checkpoints at a stop and at the end are always {@link #checkpoint}.
     */
    default void checkpointBeside(long doneUpTo) throws IOException {
        checkpoint(doneUpTo);
    }

    /** The job completed every track. */
    void finished() throws IOException;

    /** The job stopped: {@code state} is FAILED (with {@code error}) or CANCELLED. */
    void stopped(JobState state, Exception error);

    /**
     * Given once, before the first step: where a step that moves a large amount (a track of up to
     * 1 GiB) tells the bytes it moved so far, on the job's thread, so the job's rate and ETA move
     * during it. The step's {@link Step#bytes} still counts them all.
     */
    default void reportWithin(java.util.function.LongConsumer moved) {
    }

    /**
     * Given once, before the first step: a step that moves a large amount (a track of up to 1 GiB)
     * calls {@code pace} between its pieces, holding no lock a host waits for. It waits as long as
     * the job's throttle asks for the bytes told so far ({@link #reportWithin}), so a limit holds
     * within a track too (without it a 1 GiB track copied at full speed, then the job idled), and
     * returns false when the step should end now (a pause, cancel or stop was asked): the step then
     * returns what it finished, and what it did of the rest is done again later.
     */
    default void paceWithin(java.util.function.BooleanSupplier pace) {
    }

    /**
     * The pool closed with this job stopped at a checkpoint (it resumes or is cleaned up at the next
     * opening): let go of what it holds open, as an unfinished image's writer and its lock. Called
     * once the pool's volumes are closed, so no host write reaches the work any more.
     */
    default void released() {
    }

    /** Pause state or throttle changed; persist it so it survives a restart. */
    default void settingsChanged(boolean paused, long throttle) {
    }
}
