package org.splitpoint.engine.pair;

/** What a pair tells its owner (the pool): state changes to persist, problems to report. */
public interface PairListener {

    /** The pair's state changed; persist it. {@code message} is one sentence for the event log. */
    void stateChanged(Pair pair, String message);

    /** Something needs an administrator's attention (a side failed, a job failed). */
    void problem(Pair pair, String message);
}
