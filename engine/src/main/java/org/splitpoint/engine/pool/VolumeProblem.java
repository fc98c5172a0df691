package org.splitpoint.engine.pool;

/**
 * A problem found in a volume's data that stands until it is repaired: mismatched mirrors or
 * parity found by a verify, or blocks a verifying host read back different from what it wrote.
 * {@code count} is sectors (verify) or blocks (workload); {@code since} the ISO time it was first
 * found; {@code detail} the latest finding in words.
 */
public record VolumeProblem(String volume, Kind kind, long count, String since, String detail) {

    /** What found it. */
    public enum Kind {
        /** {@code volume verify} found mirrors or parity that disagree. */
        VERIFY_MISMATCH,
        /** A verifying host workload read back something else than it wrote (a lost write). */
        WORKLOAD_ERRORS;

        /** The word shown in the CLI and the app. */
        public String word() {
            return this == VERIFY_MISMATCH ? "verify-mismatch" : "workload-errors";
        }
    }

    /** One sentence for people: what was found, and what to do. */
    public String sentence() {
        return switch (kind) {
            case VERIFY_MISMATCH -> "verify found " + count + " mismatched sector" + (count == 1 ? "" : "s")
                    + " in volume " + volume + " (since " + since + "); repair it with 'volume verify --repair'";
            case WORKLOAD_ERRORS -> "the verifying workload found " + count + " block" + (count == 1 ? "" : "s")
                    + " of volume " + volume + " not holding what it wrote (since " + since + "; last: " + detail
                    + "); verify and repair it";
        };
    }

    /** A lost write is worse than a disagreement that a repair resolves. */
    public boolean critical() {
        return kind == Kind.WORKLOAD_ERRORS;
    }
}
