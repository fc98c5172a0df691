package org.splitpoint.engine.pool;

/**
 * What a restore of a Split pair may do with what hosts wrote to its STD since the split: a restore
 * copies the BCV's image back over every track changed on either side, so those writes are lost. The
 * caller says which its administrator agreed to; the engine checks it under the pair's gate, at the
 * instant the restore starts ({@link PairAdmin#restore(String, boolean, boolean, long, StdWrites)}), so a
 * host write to the STD that lands after the question was answered — after a restore that found nothing
 * changed on either side and so asked nothing — is never overwritten on an answer that did not cover it.
 * What hosts write to the BCV meanwhile is no loss: it is what the restore copies.
 *
 * <p>The restore's twin of {@link BcvWrites} (one type per side: an establish's consent cannot be handed
 * to a restore, and a call site says which volume's writes it agreed to lose).
 */
public enum StdWrites {

    /** Agreed to: the STD's name typed (always so for a full restore), {@code --yes}, or a script's restore (the CLI off a terminal). */
    MAY_BE_OVERWRITTEN,

    /** Not agreed to (nothing was changed when asked): the restore is refused, nothing changed, if the STD was written since. */
    REFUSE_IF_ANY
}
