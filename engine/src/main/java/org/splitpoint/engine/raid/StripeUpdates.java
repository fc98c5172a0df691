package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.pool.VolumeState;

/**
 * Applies a parity volume's stripe updates to its members, through the {@link StripeJournal} when a
 * member is short (closing the write hole), and keeps what could not be applied, to redo.
 *
 * <p>Design. Only a stripe short of a member has a write hole: a member that takes no writes, or one
 * that does not hold the rows yet (rebuilding above its mark, back from a service window on a stale
 * track), whose rows a torn write would leave to be reconstructed from torn parity. Its update is
 * journaled before any member has it; a flush retires only the entries whose member writes had
 * returned before it forced the members. An update written without the journal runs from its
 * decision to its last member write shared with the settle that precedes the record of a member's
 * absence ({@link #whole}, {@link #settled}): a stripe is never left torn by a member failing
 * mid-update, its first writes durable and its parity not, once the absence is on record.
 *
 * <p>Redo. A journaled update whose member writes could not be done (the file system is full), an
 * unjournaled one that ran out of space the same way, or the replay at open when it could not be
 * done for the same reason, leaves stripes torn. Their updates are kept (under the redo lock):
 * the members' reads see them (an overlay), so acknowledged data still reads right, also
 * rebuilt from parity once a member fails, and every later write or flush first redoes them,
 * failing with the same sentence while there is no space. Nothing is written past a pending redo.
 */
final class StripeUpdates {

    private final Object redoLock = new Object();
    /** Shared by the stripe updates written without the journal, held alone by a settle (see {@link #whole}). */
    private final ReentrantReadWriteLock unjournaled = new ReentrantReadWriteLock();
    /** Updates to redo before anything else is written (entries of the journal, or of a replay at open). */
    private final List<java.util.Map.Entry<Long, List<StripeJournal.Segment>>> redo = new ArrayList<>();
    private volatile boolean redoNeeded;
    /** The journal still holds the replayed entries of an earlier opening (redo them, then begin). */
    private boolean replayPending;

    private final ParityVolume volume;
    private final Member[] members;
    private final StripeJournal journal;

    StripeUpdates(ParityVolume volume, Member[] members, StripeJournal journal) {
        this.volume = volume;
        this.members = members;
        this.journal = journal;
        journal.setCheckpointer(this::checkpoint);
    }

    /**
     * Writes the segments to their members (the caller holds their rows' lock), through the journal
     * when the stripe is degraded. Segments of members that take no writes are left out of both.
     */
    void apply(List<StripeJournal.Segment> segs) throws IOException {
        redoPending();
        List<StripeJournal.Segment> writes = new ArrayList<>(segs.size());
        for (StripeJournal.Segment seg : segs) {
            Member m = members[seg.member()];
            if (m.takesWrites()) {
                writes.add(seg);
            } else {
                // before any member or the journal has the update: only a stripe whose strip on the
                // offline drive changes (its data, or the parity it holds) is in its delta
                volume.offlineRowsChange(m, seg.row(), seg.length());
                volume.missed(m, seg.row(), seg.bytes());
            }
        }
        // only a stripe short of a member has a write hole to close: a member that takes no writes,
        // or one that takes them but does not hold these rows yet (rebuilding above its mark, or a
        // drive back from a service window on a track still stale), whose rows a torn write would
        // leave to be reconstructed from torn parity
        StripeJournal.Segment first = segs.get(0);
        if (!whole(first.row(), first.row() + first.length(), () -> writeMembers(writes, -1))) {
            for (List<StripeJournal.Segment> piece : journalPieces(writes)) {
                writeMembers(piece, journal.append(piece));
            }
        }
    }

    /**
     * The update as journal entries of whole stripes, none larger than the journal's entry bound: a
     * run cut for a whole volume (4 MiB on each member) finds the volume degraded once it has its
     * rows' lock, and from 17 members up (64 MiB on the 16 still written) it did not fit the 64 MiB
     * ring in one entry. Each piece is a whole update of its stripes, journaled before its member
     * writes, so no stripe is torn.
     */
    private List<List<StripeJournal.Segment>> journalPieces(List<StripeJournal.Segment> writes) {
        long bytes = 0;
        long from = Long.MAX_VALUE;
        long to = 0;
        for (StripeJournal.Segment seg : writes) {
            bytes += seg.length();
            from = Math.min(from, seg.row());
            to = Math.max(to, seg.row() + seg.length());
        }
        if (bytes <= journal.entryBound()) {
            return List.of(writes);
        }
        int unit = volume.stripUnit();
        long rows = Math.max(unit, journal.entryBound() / writes.size() / unit * unit);
        List<List<StripeJournal.Segment>> pieces = new ArrayList<>();
        for (long r = from / unit * unit; r < to; r += rows) { // stripe s is rows [s * unit, (s + 1) * unit) of every member
            List<StripeJournal.Segment> piece = new ArrayList<>(writes.size());
            for (StripeJournal.Segment seg : writes) {
                long a = Math.max(r, seg.row());
                long b = Math.min(r + rows, seg.row() + seg.length());
                if (a < b) {
                    ByteBuffer d = seg.data();
                    piece.add(new StripeJournal.Segment(seg.member(), a, d.slice(d.position() + (int) (a - seg.row()), (int) (b - a))));
                }
            }
            if (!piece.isEmpty()) {
                pieces.add(piece);
            }
        }
        return pieces;
    }

    /**
     * Runs {@code update}, a stripe update written without the journal, if every member holds rows
     * [from, to) now, and returns true; else returns false at once, nothing done. Until it has
     * ended, a member that fails meanwhile is not recorded absent ({@link #settled}): otherwise the
     * settle could force a stripe's first member writes and not the rest (its parity, still to be
     * written), and once the absence was on record the stripe stayed torn without the member, whose
     * rows, acknowledged and flushed long before, a power cut left to be rebuilt from it as garbage.
     */
    boolean whole(long from, long to, RaidVolume.IoAction update) throws IOException {
        Lock l = unjournaled.readLock();
        l.lock();
        try {
            if (volume.degraded() || !volume.allHold(from, to)) {
                return false;
            }
            update.run();
            return true;
        } finally {
            l.unlock();
        }
    }

    /**
     * Runs {@code settle} (the members forced before a member's absence is recorded, see {@link
     * RaidVolume#settleWithoutAbsent}) once the stripe updates begun without the journal have ended;
     * the updates that begin meanwhile see the member gone and are journaled.
     */
    void settled(RaidVolume.IoAction settle) throws IOException {
        Lock l = unjournaled.writeLock();
        l.lock();
        try {
            settle.run();
        } finally {
            l.unlock();
        }
    }

    /** The member writes of an update, journaled as entry {@code seq} (or not, -1). */
    private void writeMembers(List<StripeJournal.Segment> writes, long seq) throws IOException {
        boolean journaled = seq >= 0;
        int written = 0;
        Member.FailedException failed = null;
        try {
            for (StripeJournal.Segment seg : writes) {
                Member m = members[seg.member()];
                if (!m.takesWrites()) {
                    continue;
                }
                try {
                    m.write(seg.row(), seg.bytes());
                    written++;
                } catch (Member.FailedException e) {
                    failed = e;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (journaled || e instanceof NoSpaceException) {
                // the stripe may be torn: keep its update to redo. Unjournaled too: a member failing
                // before the resync of its tracks had its strips of the stripe rebuilt from the
                // stale parity, acknowledged bytes read back wrong (TornStripeAtNoSpaceTest)
                abandon(seq, writes);
            }
            throw e;
        }
        if (journaled) {
            journal.complete(seq);
        }
        if (failed != null && volume.state() == VolumeState.FAILED) {
            throw failed;
        }
        if (written == 0 && failed != null) {
            throw failed;
        }
    }

    /** Keeps an update whose member writes could not all be done, to redo; entry {@code seq} of the journal, or -1. */
    private void abandon(long seq, List<StripeJournal.Segment> writes) {
        synchronized (redoLock) {
            if (seq >= 0) {
                journal.abandon(seq);
            }
            // kept to redo: copies, since a write's buffers go back to a stash (or its caller) when it returns
            List<StripeJournal.Segment> kept = new ArrayList<>(writes.size());
            for (StripeJournal.Segment w : writes) {
                byte[] copy = new byte[w.length()];
                w.bytes().get(copy);
                kept.add(new StripeJournal.Segment(w.member(), w.row(), copy));
            }
            redo.add(java.util.Map.entry(seq, kept));
            showRedoToReads();
            redoNeeded = true;
        }
    }

    /** Reads of the members see the updates waiting to be redone, as if they were. */
    private void showRedoToReads() {
        List<List<StripeJournal.Segment>> perMember = new ArrayList<>();
        for (int i = 0; i < members.length; i++) {
            perMember.add(new ArrayList<>());
        }
        for (var e : redo) {
            for (StripeJournal.Segment seg : e.getValue()) {
                perMember.get(seg.member()).add(seg);
            }
        }
        for (int i = 0; i < members.length; i++) {
            members[i].setOverlay(perMember.get(i));
        }
    }

    /** Redoes what is pending, or throws (e.g. still no space) so that nothing is written past it. */
    void redoPending() throws IOException {
        if (!redoNeeded) {
            return;
        }
        synchronized (redoLock) {
            if (!redoNeeded) {
                return;
            }
            for (var e : redo) {
                for (StripeJournal.Segment seg : e.getValue()) {
                    Member m = members[seg.member()];
                    if (m.takesWrites()) {
                        m.write(seg.row(), seg.bytes());
                    }
                }
            }
            if (replayPending) {
                volume.forceTakers(); // the replayed entries are durable on the members before a new epoch forgets them
                journal.begin();
                replayPending = false;
            }
            for (var e : redo) {
                if (e.getKey() >= 0) {
                    journal.complete(e.getKey());
                }
            }
            redo.clear();
            showRedoToReads();
            redoNeeded = false;
        }
    }

    /** The ring is full: make the members durable and retire what that covers. */
    private void checkpoint() throws IOException {
        long retireBelow = journal.completedPrefix();
        volume.forceTakers();
        journal.retire(retireBelow);
    }

    int replay() throws IOException {
        List<List<StripeJournal.Segment>> entries = journal.readEntries();
        try {
            for (List<StripeJournal.Segment> e : entries) {
                for (StripeJournal.Segment seg : e) {
                    Member m = members[seg.member()];
                    if (m.takesWrites()) {
                        m.write(seg.row(), seg.bytes());
                    }
                }
            }
            volume.forceTakers();
        } catch (NoSpaceException e) {
            synchronized (redoLock) {
                for (List<StripeJournal.Segment> entry : entries) {
                    redo.add(java.util.Map.entry(-1L, entry));
                }
                replayPending = true;
                showRedoToReads();
                redoNeeded = true;
            }
            throw e;
        }
        if (!entries.isEmpty()) {
            journal.begin(); // the replayed entries are durable on the members: a new epoch forgets them
        }
        return entries.size();
    }

    /** The journal's live entries as a read-only look sees them: how many a replay would redo. */
    int pendingEntries() throws IOException {
        return journal.readEntries().size();
    }

    /** Starts a new journal epoch now (a damaged journal is reset at open). */
    void begin() throws IOException {
        if (!replayPending) {
            journal.begin();
        }
    }

    /** True while updates wait to be redone: writes go piece by piece, and nothing is zeroed without writing. */
    boolean redoNeeded() {
        return redoNeeded;
    }
}
