package org.splitpoint.engine.pool;

/** A drive's state, as the SPEC's vocabulary names it. */
public enum DriveState {
    ONLINE, OFFLINE, FAILED, REBUILDING, SPARE, MISSING
}
