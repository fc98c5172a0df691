package org.splitpoint.engine.pool;

import java.io.IOException;

/**
 * A verify that ran to its end but could not save what it found in {@code meta/problems.json} (a
 * full file system, say). The check itself is sound, so its result travels with the failure: a
 * caller still reports the mismatch count, and says the record was not kept.
 */
public final class UnrecordedVerifyException extends IOException {

    private final long mismatches;

    UnrecordedVerifyException(String message, long mismatches, IOException cause) {
        super(message, cause);
        this.mismatches = mismatches;
    }

    /** The mismatched sectors the verify found (repaired, when it was asked to repair). */
    public long mismatches() {
        return mismatches;
    }
}
