package org.splitpoint.engine.raid;

import java.io.IOException;

/**
 * Makes sure a member's absence is on record (pool.json, through the {@link MemberFailureListener})
 * before a write done without it is acknowledged, as md completes no write before its superblock
 * records the failure: after a crash the member cannot come back trusted.
 *
 * <p>Design. The check is on every write's path, so it only reads each member's flags; the rare
 * recording is serialized by its own lock, and first settles the volume without the member
 * ({@link RaidVolume#settleWithoutAbsent}: the members still taking writes forced), so that what the
 * volume got while whole is durable before anything is acknowledged without the member.
 */
final class AbsenceRecords {

    private final RaidVolume volume;
    private final Member[] members;
    private final Object absenceLock = new Object();
    private volatile MemberFailureListener listener;

    AbsenceRecords(RaidVolume volume, Member[] members) {
        this.volume = volume;
        this.members = members;
    }

    void setListener(MemberFailureListener listener) {
        this.listener = listener;
    }

    /**
     * Makes sure every member that takes no writes is recorded so in pool.json before a write done
     * without it is acknowledged (see {@link RaidVolume}'s class note).
     */
    void ensureRecorded() throws IOException {
        for (Member m : members) {
            if (!m.takesWrites() && !m.absenceRecorded()) {
                record();
                return;
            }
        }
    }

    private void record() throws IOException {
        synchronized (absenceLock) {
            volume.settleWithoutAbsent();
            for (Member m : members) {
                if (!m.takesWrites() && !m.absenceRecorded()) {
                    MemberFailureListener l = listener;
                    if (l == null) {
                        throw new IOException("volume " + volume.name + " cannot record that " + m.drive() + " is " + m.state());
                    }
                    try {
                        l.recordAbsence(m, m.absenceReason());
                    } catch (IOException e) {
                        throw new IOException("volume " + volume.name + ": drive " + m.drive() + " is " + m.state()
                                + " but that could not be recorded (" + e.getMessage() + "); the write was not acknowledged", e);
                    }
                    m.markAbsenceRecorded();
                }
            }
        }
    }
}
