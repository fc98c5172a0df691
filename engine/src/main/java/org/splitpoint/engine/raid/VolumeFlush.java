package org.splitpoint.engine.raid;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.bitmap.WriteIntent;

/**
 * A volume's flush: a barrier for the writes in flight when it began, a member's lost writes written
 * again (after a flush of it failed for want of space), the members forced beside the flush hooks
 * (a mirroring BCV's flush, pair marks, a staged journal's sync), then the write-intent bookkeeping
 * (pinned tracks resynced, idle bits let clear).
 *
 * <p>Design. Flushes run one at a time under the flush lock, and flushes asked for while another ran
 * share the next one (tickets): hosts flush often and from many connections at once, and one after
 * the other the last would wait for all of them. The barrier waits for the gate's current epoch only
 * ({@link HostGate#drain}), not for the gate itself, so new writes go on meanwhile. Whatever a flush
 * makes durable (the members, a service window's log or repository, absences on record) is the
 * volume's {@link RaidVolume#forceCompleted}; this class orders it.
 */
final class VolumeFlush {

    private final RaidVolume volume;
    private final HostGate gate;
    private final WriteIntent writeIntent;
    private final Object flushLock = new Object();
    /** [0] flushes asked for (guarded by the array), [1] the newest ticket a finished flush covered (guarded by flushLock). */
    private final long[] flushTickets = new long[2];
    private final List<RaidVolume.IoAction> flushHooks = new CopyOnWriteArrayList<>();

    VolumeFlush(RaidVolume volume, HostGate gate, WriteIntent writeIntent) {
        this.volume = volume;
        this.gate = gate;
        this.writeIntent = writeIntent;
    }

    /** See {@link RaidVolume#flush}. */
    void flush() throws IOException {
        long request;
        synchronized (flushTickets) {
            request = ++flushTickets[0];
        }
        synchronized (flushLock) {
            // Flushes asked for while another ran share the next one (hosts flush often and from
            // many connections at once; one after the other, the last would wait for all of them):
            // a flush that began after this one was asked for covers everything it must.
            if (flushTickets[1] >= request) {
                return;
            }
            long covers;
            synchronized (flushTickets) {
                covers = flushTickets[0];
            }
            // Barrier: every write that began before this point has finished. Writes that begin
            // meanwhile go on (they are not this flush's to cover, as NBD's FLUSH says): an
            // exclusive lock here would hold every new write until the slowest in flight ended.
            // the layout stops holding writes in flight for later ones meanwhile (see barrierWaiting)
            volume.barrierWaiting(true);
            try {
                volume.awaitingWrites(gate::drain); // the writes in flight may wait for what this thread holds
            } finally {
                volume.barrierWaiting(false);
            }
            healLostWrites();
            // The hooks (a mirroring BCV's flush, pair marks, a staged journal's sync) need nothing
            // of this volume's force, only to be done before its write-intent bits clear: they run
            // beside it, so a paired flush costs the slower of the two, not their sum.
            if (flushHooks.isEmpty()) {
                volume.forceCompleted();
            } else {
                MemberIo.sideBySide(List.of(() -> {
                    for (RaidVolume.IoAction hook : flushHooks) {
                        hook.run();
                    }
                }, volume::forceCompleted)); // the caller forces its own members
            }
            resyncPinned();
            writeIntent.afterFlush();
            flushTickets[1] = covers; // under the flush lock; only a flush that succeeded covers
        }
    }

    void addHook(RaidVolume.IoAction hook) {
        flushHooks.add(hook);
    }

    void removeHook(RaidVolume.IoAction hook) {
        flushHooks.remove(hook);
    }

    int hookCount() {
        return flushHooks.size();
    }

    /**
     * A member that lost writes at a failed flush gets them back from the others before the members
     * are forced ({@link RaidVolume#healLostWrites}); where it cannot (still no space, say), the
     * force fails as it did, and the next flush tries again. Under the flush lock, with the gate's
     * read lock only if no exclusive change holds it, as {@link #resyncPinned} takes it.
     */
    private void healLostWrites() throws IOException {
        if (!volume.anyLostWrites() || !gate.tryLockRead()) {
            return;
        }
        try {
            volume.healLostWrites();
        } finally {
            gate.unlockRead();
        }
    }

    /**
     * Makes the members agree again on pinned tracks that every member holds; others stay pinned.
     * Runs at a flush's end, under the flush lock, so it never waits for the gate: an exclusive
     * change that flushes (a backup's start) holds the gate and waits for that lock.
     */
    private void resyncPinned() {
        TrackBitmap p = writeIntent.pinned();
        if (p.cardinality() == 0) {
            return;
        }
        // under the flush lock: the gate only if no exclusive change holds it, since one may be
        // waiting for this very lock (a backup's start flushes inside its exclusive section); the
        // tracks then stay pinned for the next flush
        if (!gate.tryLockRead()) {
            return;
        }
        try {
            int trackSize = volume.trackSize;
            long rows = volume.memberRows();
            for (long t = p.nextSetBit(0); t >= 0; t = p.nextSetBit(t + 1)) {
                long from = t * trackSize;
                long to = Math.min(rows, from + trackSize);
                if (from >= rows || !volume.allHold(from, to)) {
                    continue;
                }
                try {
                    volume.verifyRows(from, to, true);
                    writeIntent.unpin(t);
                } catch (IOException e) {
                    return; // still no space, say: the tracks stay pinned for the next flush or open
                }
            }
        } finally {
            gate.unlockRead();
        }
    }
}
