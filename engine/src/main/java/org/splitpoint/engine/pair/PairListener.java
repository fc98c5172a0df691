package org.splitpoint.engine.pair;

/** What a pair tells its owner (the pool): state changes to persist, problems to report. */
public interface PairListener {

    /** The pair's state changed; persist it. {@code message} is one sentence for the event log. */
    void stateChanged(Pair pair, String message);

    /**
     * The pair's state changed, and its record may lag until the next persist: a crash before
     * then resumes from the older record, which the pair's recovery handles (the catch-up of an
     * unprotected restore: the recorded RestInProg resumes it). By default persisted as any change.
     */
    default void stateChangedUnrecorded(Pair pair, String message) {
        stateChanged(pair, message);
    }

    /** Something needs an administrator's attention (a side failed, a job failed). */
    void problem(Pair pair, String message);
}
