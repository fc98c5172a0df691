package org.splitpoint.engine.pool;

/**
 * What an establish of a Split pair may do with what hosts wrote to its BCV since the split (a
 * backup host that mounted it): those writes exist nowhere else, and the establish overwrites them
 * with the STD's data. The caller says which its administrator agreed to; the engine checks it
 * under the pair's gate, at the instant the establish starts ({@link PairAdmin#establish(String,
 * boolean, long, BcvWrites)}), so a host write that lands after the question was answered — after
 * a one-click confirmation that showed none, or the CLI's look at the counts — is never overwritten
 * on an answer that did not cover it.
 */
public enum BcvWrites {

    /** Agreed to: the BCV's name typed, {@code --yes}, or a script's establish (the CLI off a terminal). */
    MAY_BE_OVERWRITTEN,

    /** Not agreed to (nothing was written when asked): the establish is refused, nothing changed, if any was written since. */
    REFUSE_IF_ANY
}
