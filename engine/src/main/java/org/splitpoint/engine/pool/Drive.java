package org.splitpoint.engine.pool;

import org.splitpoint.engine.raid.Member;

/**
 * A drive of an open pool: its durable record plus, for a volume member, the live {@link Member}
 * whose state is authoritative while the pool is open. {@code problem} says what was wrong with
 * the image at open (missing, wrong size), if anything.
 */
final class Drive {
    final String name;
    final long size;
    volatile DriveState state;
    volatile OfflineReason reason;
    volatile String volume;
    /** The volume whose journal this drive holds a leg of, or null. */
    volatile String journal;
    /** The volume whose service window's repository this SPARE holds, or null. */
    volatile String repository;
    /** In a service window (OFFLINE on purpose, or being resynced after one): recorded as OFFLINE. */
    volatile boolean inService;
    volatile Member member;
    volatile String problem;
    /** Writes went on without this drive: its image is older than the volume (recorded as FAILED). */
    volatile boolean stale;
    /** Its image was not there at open (what we found, not what we decided). */
    volatile boolean missing;

    Drive(PoolConfig.DriveRecord r) {
        this.name = r.name();
        this.size = r.size();
        this.state = r.state();
        this.reason = r.reason();
        this.volume = r.volume();
        this.journal = r.journal();
        this.repository = r.repository();
        this.inService = r.state() == DriveState.OFFLINE;
    }

    /** The live state: a member's when the drive is in a volume. */
    DriveState state() {
        Member m = member;
        return m != null ? m.state() : missing ? DriveState.MISSING : state;
    }

    PoolConfig.DriveRecord toRecord() {
        DriveState s = state();
        // MISSING is what we found, not what we decided: it is not written back, unless the volume
        // was written without the drive, whose image is then stale: FAILED, to be replaced.
        DriveState durable = s == DriveState.MISSING ? (stale ? DriveState.FAILED : state) : s;
        if (inService && s != DriveState.FAILED && s != DriveState.MISSING) {
            durable = DriveState.OFFLINE; // resyncing after a window: a crash finds it still in the window
        } else if (s == DriveState.OFFLINE) {
            // OFFLINE goes on record only with its window. A member is OFFLINE outside one only between
            // 'drive offline' taking it out and putting the window on record (or taking it back), inside
            // the volume's exclusive section, its image's samples read meanwhile: no write went on
            // without it. Written OFFLINE by another thread's pool.json write then, a power cut left a
            // drive OFFLINE with no window, which an opening must rebuild whole (HalfMadeDecisionCutTest)
            durable = DriveState.ONLINE;
        }
        return new PoolConfig.DriveRecord(name, size, durable, durable == DriveState.OFFLINE ? reason : null, volume,
                journal, repository);
    }
}
