package org.splitpoint.engine.pool;

/** A volume's state, derived from its members' drive states. */
public enum VolumeState {
    OPTIMAL, DEGRADED, REBUILDING, SERVICE, FAILED
}
