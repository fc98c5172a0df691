package org.splitpoint.engine.pair;

/** BCV pair states, named as TimeFinder's {@code symmir} names them. */
public enum PairState {
    NeverEstab, SyncInProg, Synchronized, SplitInProg, Split, RestInProg, Restored;

    /** True while host writes to the STD are applied to the BCV as well. */
    public boolean mirrors() {
        return this == SyncInProg || this == Synchronized || this == Restored;
    }

    /** True while a copy job runs (or must be resumed). */
    public boolean copying() {
        return this == SyncInProg || this == RestInProg;
    }
}
