package org.splitpoint.engine.pool;

import java.io.IOException;

/**
 * A repair (verify with repair) that stopped part-way, refused or failed, after it had rewritten
 * mismatched sectors: the count travels with the failure, so a caller says what was repaired as
 * well as why it stopped (before, the refusal's sentence alone was said, and the count was lost).
 * A repair that stopped before rewriting anything throws its cause as it is.
 */
public final class StoppedRepairException extends IOException {

    private final long repaired;

    StoppedRepairException(String volume, long repaired, IOException cause) {
        super("the repair of volume " + volume + " stopped after rewriting " + Sizes.count(repaired, "mismatched sector")
                + ": " + cause.getMessage(), cause);
        this.repaired = repaired;
    }

    /** The mismatched sectors rewritten before the repair stopped. */
    public long repaired() {
        return repaired;
    }
}
