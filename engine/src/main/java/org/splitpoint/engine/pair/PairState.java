package org.splitpoint.engine.pair;

/** BCV pair states, named as TimeFinder's {@code symmir} names them. */
public enum PairState {
    NeverEstab, SyncInProg, Synchronized, SplitInProg, Split, RestInProg, Restored;

    /** True while host writes to the STD are applied to the BCV as well. */
    public boolean mirrors() {
        return this == SyncInProg || this == Synchronized || this == Restored;
    }

    /**
     * The state in plain words ("restoring"); the symmir word is what scripts and the CLI's
     * columns show, this is what a sentence says.
     */
    public String phrase() {
        return switch (this) {
            case NeverEstab -> "never established";
            case SyncInProg -> "establishing";
            case Synchronized -> "synchronized";
            case SplitInProg -> "splitting";
            case Split -> "split";
            case RestInProg -> "restoring";
            case Restored -> "restored";
        };
    }

    /**
     * For sentences and labels: the plain words with the symmir word beside them where the word
     * alone is an abbreviation ("restoring (RestInProg)"), else the word ("Synchronized").
     */
    public String described() {
        return phrase().equalsIgnoreCase(name()) ? name() : phrase() + " (" + name() + ")";
    }

    /**
     * Why hosts may not write BCV {@code bcv} of pair {@code pair} in this state, or null: a BCV
     * takes host writes only while the pair is Split (or was never established). The one rule and
     * sentence, for the pair's BCV view and for whoever asks before writing (the app's workload).
     */
    public String bcvWriteRefusal(String pair, String bcv) {
        return this == Split || this == NeverEstab ? null
                : "volume " + bcv + " is the BCV of pair " + pair + ", which is " + described()
                + "; a BCV is writable only while the pair is Split";
    }

    /** True while a copy job runs (or must be resumed). */
    public boolean copying() {
        return this == SyncInProg || this == RestInProg;
    }
}
