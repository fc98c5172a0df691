package org.splitpoint.engine.raid;

import java.io.IOException;

/**
 * Records that a volume's writes now go on without a member (it failed on an I/O error, or was
 * missing or the wrong size at open), durably, before any write done without it is acknowledged:
 * otherwise a crash would bring the member back trusted, with data older than what was
 * acknowledged. Called on the I/O thread, which waits; throws when it could not be recorded, and
 * then the write fails.
 */
@FunctionalInterface
public interface MemberFailureListener {
    void recordAbsence(Member member, String why) throws IOException;
}
