package org.splitpoint.app.workload;

import org.splitpoint.app.common.Format;

/**
 * A workload's counters at one instant.
 *
 * @param verifiedBlocks reads of which at least one 4 KiB unit was checked against what was written
 * @param errors         units that did not hold what was last written there
 * @param refused        writes the engine refused (a BCV that is not split), not data errors
 */
public record WorkloadStats(boolean running, long reads, long writes, long bytesRead, long bytesWritten,
                            double readRate, double writeRate, long verifiedBlocks, long errors, long refused,
                            String lastProblem) {

    public static final WorkloadStats NONE = new WorkloadStats(false, 0, 0, 0, 0, 0, 0, 0, 0, 0, "");

    /** "verified 1,234 blocks, 0 errors". */
    public String verifyLine() {
        return "verified " + Format.count(verifiedBlocks) + (verifiedBlocks == 1 ? " block, " : " blocks, ")
                + Format.count(errors) + (errors == 1 ? " error" : " errors");
    }

    /** "R 1.4 MB/s · W 0.6 MB/s · 1,024 reads · 410 writes". */
    public String ioLine() {
        return "R " + Format.rate(readRate) + " · W " + Format.rate(writeRate) + " · " + Format.count(reads)
                + " reads · " + Format.count(writes) + " writes" + (refused > 0 ? " · " + Format.count(refused)
                + " writes refused" : "");
    }
}
