package org.splitpoint.engine.pair;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * One side of a pair as hosts see it: the policy of the data path by pair state.
 *
 * <p>STD writes: split (or never established) → mark stdInvalid, write the STD; mirroring
 * → write the STD and, for tracks already in sync, the BCV (a BCV write that fails marks its
 * tracks, and a pair that was in sync goes SyncInProg, so no split hands out an image without
 * it); restoring → merge
 * partially written unrestored tracks from the BCV first, then write the STD only (claim 2),
 * marking the tracks changed on the STD, and mark them restored only after the write succeeded;
 * when a track's "to restore" bit is still set durably, its clear is committed (STD flushed, then
 * the bit) before the write returns, so a process crash cannot let the resumed restore copy the
 * BCV's older track over it. STD reads while restoring: unrestored tracks come from the BCV and
 * are restored behind the read. BCV writes are allowed only while the pair is split.
 *
 * <p>A flush commits the clears of copied or restored tracks made before it (data, flush, then
 * metadata; see {@link InvalidTracks}).
 */
final class PairSideView implements BlockDevice {

    private final Pair pair;
    private final boolean stdSide;

    PairSideView(Pair pair, boolean stdSide) {
        this.pair = pair;
        this.stdSide = stdSide;
    }

    private RaidVolume side() {
        return stdSide ? pair.std() : pair.bcv();
    }

    @Override
    public long size() {
        return pair.std().size();
    }

    @Override
    public long wholeWriteUnit() {
        return side().wholeWriteUnit();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(side().name(), size(), offset, dst.remaining());
        pair.gate.readLock().lock();
        try {
            if (stdSide && pair.state() == PairState.RestInProg) {
                readWhileRestoring(offset, dst);
            } else {
                side().read(offset, dst);
            }
        } finally {
            pair.gate.readLock().unlock();
        }
    }

    /** The side's own peek, except on the STD during a restore, whose unrestored tracks read from the BCV. */
    @Override
    public Peek peek(long offset, long length) {
        pair.gate.readLock().lock();
        try {
            return stdSide && pair.state() == PairState.RestInProg ? Peek.UNKNOWN : side().peek(offset, length);
        } finally {
            pair.gate.readLock().unlock();
        }
    }

    /**
     * Restored runs come from the STD; the bytes of an unrestored track come from the BCV (claim 4)
     * and the track is then restored to the STD behind the read (claim 11, see {@link Hydrator}).
     */
    private void readWhileRestoring(long offset, ByteBuffer dst) throws IOException {
        int ts = pair.trackSize();
        long end = offset + dst.remaining();
        long pos = offset;
        while (pos < end) {
            long t = pos / ts;
            boolean unrestored = pair.bcvInvalid.isSet(t);
            long runEnd = Math.min(end, (t + 1) * ts);
            while (runEnd < end && pair.bcvInvalid.isSet(runEnd / ts) == unrestored) {
                runEnd = Math.min(end, (runEnd / ts + 1) * ts);
            }
            int len = (int) (runEnd - pos);
            ByteBuffer slice = dst.slice(dst.position(), len);
            if (unrestored) {
                readFromBcv(pos, slice, t, (runEnd - 1) / ts + 1);
            } else {
                pair.std().read(pos, slice);
            }
            dst.position(dst.position() + len);
            pos = runEnd;
        }
    }

    /** Serves [pos, pos+len) of unrestored tracks [t0, t1) from the BCV, then queues their restore. */
    private void readFromBcv(long pos, ByteBuffer slice, long t0, long t1) throws IOException {
        RangeLocks.Held held = pair.trackLocks.tryLock(t0, t1);
        if (held == null && allUnrestored(t0, t1)) {
            // the copier's run (or a host write under way) holds these tracks: the BCV does not
            // change during a restore, so the read is answered from it without waiting behind a
            // run's read and write; the copier puts the tracks on the STD. A host write holding
            // them clears their bits only once its data is on the STD, so one racing this read
            // was not acknowledged when the read began: either answer is one the host may see.
            pair.bcv().read(pos, slice);
            if (!pair.isReadOnly()) {
                for (long t = t0; t < t1; t++) {
                    pair.countOnDemand(t);
                }
            }
            return;
        }
        try (RangeLocks.Held h = held != null ? held : pair.trackLocks.lock(t0, t1)) {
            // under the locks no writer is halfway through these tracks; a track restored
            // meanwhile is read from the STD, which now holds it (and perhaps newer data)
            int ts = pair.trackSize();
            long end = pos + slice.remaining();
            for (long t = t0; t < t1; t++) {
                long from = Math.max(pos, t * ts);
                long to = Math.min(end, (t + 1) * ts);
                ByteBuffer part = slice.slice((int) (from - pos), (int) (to - from));
                if (pair.bcvInvalid.isSet(t)) {
                    pair.bcv().read(from, part);
                    if (!pair.isReadOnly()) {
                        pair.countOnDemand(t);
                        pair.hydrator().hydrateLater(t);
                    }
                } else {
                    pair.std().read(from, part);
                }
            }
        }
    }

    private boolean allUnrestored(long t0, long t1) {
        for (long t = t0; t < t1; t++) {
            if (!pair.bcvInvalid.isSet(t)) {
                return false;
            }
        }
        return true;
    }

    /**
     * What a host's change puts on a side: a buffer's bytes, or zeros. Every policy below works on
     * volume ranges and hands the payload's part of a range to a volume, so a zeroing goes through
     * exactly the marks, mirroring and merges a write goes through.
     */
    private interface Payload {
        /** Puts the payload's bytes for volume range [from, to) (within the change) on {@code v}. */
        void put(RaidVolume v, long from, long to) throws IOException;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        BlockDevice.checkRange(side().name(), size(), offset, src.remaining());
        if (!src.hasRemaining()) {
            return;
        }
        int start = src.position();
        change(offset, src.remaining(), (v, from, to) -> v.write(from, src.duplicate()
                .position(start + (int) (from - offset)).limit(start + (int) (to - offset))));
        src.position(src.limit());
    }

    /**
     * An instant restore's refill of a side (a split pair's volume restored from a backup): the
     * pair's policy as for a write (its tracks are marked: the side no longer matches the other),
     * and the volumes take it as a refill. As a plain write the staged journal logged every
     * restored track and the next ship carried the whole volume, and each track paid a
     * write-intent fsync.
     */
    @Override
    public void writeRefill(long offset, ByteBuffer src) throws IOException {
        BlockDevice.checkRange(side().name(), size(), offset, src.remaining());
        if (!src.hasRemaining()) {
            return;
        }
        int start = src.position();
        change(offset, src.remaining(), (v, from, to) -> v.writeRefill(from, src.duplicate()
                .position(start + (int) (from - offset)).limit(start + (int) (to - offset))));
        src.position(src.limit());
    }

    /** A zeroing: the pair's policy as for a write; the volumes zero their part without writing zeros where they can. */
    @Override
    public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        BlockDevice.checkRange(side().name(), size(), offset, length);
        if (length == 0) {
            return;
        }
        change(offset, length, (v, from, to) -> v.writeZeroes(from, to - from, mayUnmap));
    }

    /** Fast when every volume the zeroing reaches in this state zeroes fast; never during a restore (it merges tracks). */
    @Override
    public boolean zeroesFast(long offset, long length, boolean mayUnmap) {
        PairState s = pair.state();
        if (!stdSide) {
            return pair.bcv().zeroesFast(offset, length, mayUnmap);
        }
        return switch (s) {
            case RestInProg -> false;
            case SyncInProg, Synchronized, Restored -> pair.std().zeroesFast(offset, length, mayUnmap)
                    && pair.bcv().zeroesFast(offset, length, mayUnmap);
            default -> pair.std().zeroesFast(offset, length, mayUnmap);
        };
    }

    private void change(long offset, long length, Payload p) throws IOException {
        pair.gate.readLock().lock();
        try {
            long t0 = pair.tracksOf(offset, length, false);
            long t1 = pair.tracksOf(offset, length, true);
            try (RangeLocks.Held h = pair.trackLocks.lock(t0, t1)) {
                if (stdSide) {
                    writeStd(offset, length, p, t0, t1);
                } else {
                    writeBcv(offset, length, p, t0, t1);
                }
            }
        } finally {
            pair.gate.readLock().unlock();
        }
    }

    private void writeBcv(long offset, long length, Payload p, long t0, long t1) throws IOException {
        String refused = pair.state().bcvWriteRefusal(pair.name(), pair.bcv().name());
        if (refused != null) {
            throw new PairRefusedException(refused);
        }
        pair.bcvInvalid.mark(t0, t1);
        p.put(pair.bcv(), offset, offset + length);
    }

    private void writeStd(long offset, long length, Payload p, long t0, long t1) throws IOException {
        PairState s = pair.state();
        switch (s) {
            case RestInProg -> writeStdWhileRestoring(offset, length, p, t0, t1);
            case SyncInProg, Synchronized, Restored -> writeMirrored(offset, length, p, t0, t1);
            default -> {
                pair.stdInvalid.mark(t0, t1);
                p.put(pair.std(), offset, offset + length);
            }
        }
    }

    /** STD and, for tracks already in sync, the BCV; tracks still to copy get the STD only. */
    private void writeMirrored(long offset, long length, Payload p, long t0, long t1) throws IOException {
        long end = offset + length;
        p.put(pair.std(), offset, end);
        int ts = pair.trackSize();
        long t = t0;
        while (t < t1) {
            if (pair.stdInvalid.isSet(t)) {
                t++;
                continue;
            }
            long runStart = t;
            while (t < t1 && !pair.stdInvalid.isSet(t)) {
                t++;
            }
            long from = Math.max(offset, runStart * ts);
            long to = Math.min(end, t * ts);
            writeBcvMirror(p, from, to, runStart, t);
        }
    }

    /**
     * A mirrored BCV write that fails leaves its tracks marked for re-copy rather than failing the
     * host. A pair that was in sync (Synchronized, Restored) is not any more: it goes SyncInProg, so
     * a split is refused until an establish copied the tracks, rather than handing out a BCV image
     * without this write. Not recorded here (a metadata write on the host's path): pool.json's
     * Synchronized with tracks marked is read as SyncInProg at the next open as well.
     */
    private void writeBcvMirror(Payload p, long from, long to, long t0, long t1) throws IOException {
        try {
            p.put(pair.bcv(), from, to);
        } catch (IOException e) {
            pair.stdInvalid.mark(t0, t1);
            PairState s = pair.state(); // stable: the caller holds the gate
            boolean wasInSync = s == PairState.Synchronized || s == PairState.Restored;
            if (wasInSync) {
                pair.setStateQuiet(PairState.SyncInProg);
            }
            pair.problem("pair " + pair.name() + ": the BCV " + pair.bcv().name() + " missed a write ("
                    + e.getMessage() + "); tracks " + t0 + ".." + (t1 - 1) + " are marked invalid"
                    + (wasInSync ? "; the pair is SyncInProg until an establish copies them" : ""));
        }
    }

    private void writeStdWhileRestoring(long offset, long length, Payload p, long t0, long t1) throws IOException {
        int ts = pair.trackSize();
        long end = offset + length;
        // head and tail may cover tracks partly: merge the BCV's data first (the copier then skips them)
        for (long t : new long[] {t0, t1 - 1}) {
            boolean partial = offset > t * ts || end < Math.min(size(), (t + 1) * ts);
            if (partial && pair.bcvInvalid.isSet(t)) {
                pair.restoreTrack(t);
            }
        }
        // the STD only (claim 2); the tracks are marked, so an unprotected restore copies them to the
        // BCV once everything is restored, and a protected one keeps them as the STD's changes
        pair.stdInvalid.mark(t0, t1);
        p.put(pair.std(), offset, end);
        boolean owedDurably = false;
        for (long t = t0; t < t1; t++) {
            pair.bcvInvalid.clearLive(t);
            owedDurably |= pair.bcvInvalid.isDurablySet(t);
        }
        if (owedDurably) {
            // a restore resumed after a process crash would copy the BCV over this write: commit first
            pair.bcvInvalid.commitThrough(pair.bcvInvalid.clearGeneration(), pair.std()::flush);
        }
    }

    @Override
    public void flush() throws IOException {
        if (!stdSide) {
            pair.bcv().flush(); // its own writes; nothing of the pair's state to follow
            return;
        }
        PairState seen = pair.state();
        if (!seen.copying()) {
            // Without the gate: a split waits for the gate's holders, and hosts queue behind it, so
            // a flush (fsyncs, tens of milliseconds) under the gate would stop them all that long.
            // The STD's flush covers its completed writes whatever the state does meanwhile; its
            // hook flushes the BCV while they mirror (or a split is under way), before the STD's
            // write-intent bits may clear; a split flushes the BCV itself before it is recorded.
            // A copy that starts meanwhile flushes both sides before it begins.
            pair.std().flush();
            if (!pair.state().copying()) {
                return;
            }
            // a copy began during the flush: commit its clears too, as below
        }
        pair.gate.readLock().lock();
        try {
            PairState s = pair.state();
            // its flush hook flushes the BCV too while they mirror; then the clears of copied or
            // restored tracks taken before the flush become durable (metadata after data)
            if (s == PairState.RestInProg) {
                pair.bcvInvalid.flushAndCommit(pair.std()::flush);
            } else if (s == PairState.SyncInProg) {
                pair.stdInvalid.flushAndCommit(pair.std()::flush);
            } else {
                pair.std().flush();
            }
        } finally {
            pair.gate.readLock().unlock();
        }
    }
}
