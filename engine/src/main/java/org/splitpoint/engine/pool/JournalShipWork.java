package org.splitpoint.engine.pool;

import java.io.IOException;
import java.time.Instant;
import org.splitpoint.engine.backup.ChainReader;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.ImageReader;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.job.JobWork;
import org.splitpoint.engine.restore.BuiltTrack;

/**
 * A ship: an incremental image on top of the journal's base, made of the base chain's tracks
 * with the journal's entries applied in order (the volume is not read: the image is exactly the
 * volume as of the last entry shipped), verified, then recorded, then the entries retire.
 */
final class JournalShipWork implements JobWork {
    private final Pool pool;
    private final String volume;
    private final DirectoryStore store;
    private final String base;
    private final JournalOverlay overlay;
    private final long through;
    private final long[] trackList;
    private ChainReader chain;
    private ImageWriter writer;
    private int next;

    JournalShipWork(Pool pool, String volume, DirectoryStore store, String base, JournalOverlay overlay, long through) {
        this.pool = pool;
        this.volume = volume;
        this.store = store;
        this.base = base;
        this.overlay = overlay;
        this.through = through;
        TrackBitmap t = overlay.tracks();
        this.trackList = new long[(int) t.cardinality()];
        int i = 0;
        for (long x = t.nextSetBit(0); x >= 0; x = t.nextSetBit(x + 1)) {
            trackList[i++] = x;
        }
    }

    long tracks() {
        return trackList.length;
    }

    private void open() throws IOException {
        if (chain == null) {
            chain = ChainReader.open(store, base);
            ImageInfo b = chain.target();
            removeOrphans();
            writer = store.create(new ImageInfo(BackupAdmin.newIdIn(store, volume, "journal"), store.uuid(), volume, b.size(), b.trackSize(), Instant.now().toString(), base,
                    ImageInfo.Kind.INCREMENTAL, 0, 0, null, null));
        }
    }

    /**
     * Images an earlier ship left: unfinished ones (a crash while writing), and sealed children of
     * the base from this journal that were never recorded (a crash between seal and record): none
     * is anyone's base, and their entries are shipped again now.
     */
    private void removeOrphans() throws IOException {
        for (String id : store.unfinished()) {
            if (BackupAdmin.isIdOf(id, volume) && id.endsWith("-journal")) {
                try {
                    store.deleteIfAbandoned(id); // one being written now is another pool's ship
                } catch (IOException e) {
                    // left for a later ship: it is not this ship's base or its entries
                }
            }
        }
        for (ImageInfo i : store.list()) {
            if (i.volume().equals(volume) && base.equals(i.parent()) && i.id().endsWith("-journal")) {
                store.delete(i.id());
            }
        }
    }

    @Override
    public Step copyNext(long done) throws IOException {
        open();
        long bytes = 0;
        int n = 0;
        while (next < trackList.length && n < 16) {
            long t = trackList[next++];
            int len = chain.trackLength(t);
            // a megabyte at a time (tracks go up to 1 GiB); entries over the whole track need nothing from the chain
            BuiltTrack track = new BuiltTrack(() -> chain, overlay, t, len);
            writer.putTrack(t, len, track::read, false);
            track.verify(); // the image's track as read fails its SHA-256: the ship fails, its image is dropped
            bytes += len;
            n++;
        }
        return new Step(n, bytes);
    }

    @Override
    public boolean hasMore(long done, long total) {
        return next < trackList.length;
    }

    @Override
    public void checkpoint(long doneUpTo) throws IOException {
        if (writer != null) {
            writer.sync();
        }
    }

    @Override
    public void finished() throws IOException {
        open();
        ImageInfo sealed = writer.seal();
        try (ImageReader r = store.open(sealed.id())) {
            r.verify(null); // only a verified image lets the entries go
        }
        chain.close();
        JournalAdmin.Open o = pool.journals.get(volume);
        synchronized (pool.journalLock) {
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            if (rec == null || !base.equals(rec.base())) {
                // re-based meanwhile (the journal stopped protecting, or was disabled): this image
                // holds writes on the old base only; it stays in the store, the journal is not on it
                pool.events.publish(Event.warning("JOURNAL", volume, "the journal of " + volume + " changed its base"
                        + " while it was shipped; image " + sealed.id() + " is kept but the journal does not build on it"));
                return;
            }
            pool.journalRecords.put(volume, rec.based(sealed.id(), through).shipped(Instant.now().toString(),
                    "ok: image " + sealed.id() + ", " + Sizes.count(sealed.tracks(), "track")));
            PoolConfig.BackupRecord last = pool.backupRecords.get(volume);
            if (last == null || last.storeUuid().equals(store.uuid())) {
                // a ship does not take the changed-block map: a loss on record before stays on record
                String lost = last != null && last.changeMapLost() != null ? last.changeMapLost()
                        : pool.changeMapsLost.get(volume);
                pool.backupRecords.put(volume, new PoolConfig.BackupRecord(volume, store.uuid(), store.describe(),
                        sealed.id(), lost));
            }
            pool.persist();
        }
        if (o != null) {
            o.journal.retire(through);
        }
        pool.events.publish(Event.info("JOURNAL", volume, "journal of " + volume + " shipped: image " + sealed.id()
                + " (" + Sizes.count(sealed.tracks(), "track") + ", verified); its entries are removed"));
    }

    @Override
    public void released() {
        if (writer != null) {
            try {
                writer.close(); // unfinished: the next ship removes it as an orphan
            } catch (IOException e) {
                // closing what the pool let go of
            }
        }
    }

    @Override
    public void stopped(JobState state, Exception error) {
        try {
            if (writer != null) {
                writer.abandon();
            }
            if (chain != null) {
                chain.close();
            }
        } catch (IOException e) {
            // the unfinished image is named by 'backup list'
        }
        String result = (state == JobState.CANCELLED ? "cancelled" : "failed: " + (error == null ? "" : error.getMessage()));
        synchronized (pool.journalLock) {
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            if (rec != null && !pool.isClosed()) {
                pool.journalRecords.put(volume, rec.shipped(Instant.now().toString(), result));
                try {
                    pool.persist();
                } catch (IOException e) {
                    // said in the event
                }
            }
        }
        pool.events.publish(Event.warning("JOURNAL", volume, "shipping the journal of " + volume + " " + result
                + "; its entries stay in the journal"));
    }
}
