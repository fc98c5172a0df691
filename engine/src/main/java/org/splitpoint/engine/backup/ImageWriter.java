package org.splitpoint.engine.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.splitpoint.engine.io.PoolLockHandle;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.io.Zeros;
import org.splitpoint.engine.meta.CheckedJson;

/**
 * Writes one image: tracks appended to {@code data}, a record each appended to {@code index}; then
 * sealed (see {@link DirectoryStore}). Thread-safe: a backup's copier and a copy-before-write on a
 * host's thread append to the same image.
 *
 * <p>Durability: {@link #sync} forces the data before the index, so an index record never names
 * bytes that are not on disk; {@link #resume} keeps the records whose bytes check out and drops a
 * torn tail. A sync that fails fails every later one and the seal: the failed fsync may have
 * dropped bytes the index names (Linux marks the pages it could not write back clean, and the next
 * fsync succeeds without them), and a writer cannot put them again; its close cuts the index back
 * to what the last good sync made durable, so a resume keeps nothing past it. The header (what the image
 * will be) is saved in the partial directory at once, so an unfinished image can be resumed or
 * named.
 *
 * <p>A writer holds its image's lock ({@link DirectoryStore#WRITER_LOCK}) from creation or resumption
 * until it is sealed, abandoned or closed, so nothing else removes it meanwhile: another pool's
 * backup of a volume of the same name into the same store took it for a crash's leftover. The lock
 * is the kernel's, so a crash releases it.
 *
 * <p>A track is put a megabyte at a time ({@link #putTrack(long, int, TrackBytes, boolean)}): tracks
 * go up to 1 GiB, and a buffer of a track's size per copy ran a backup out of heap. A track's bytes
 * are contiguous in the data file, so its pieces are read and appended with the writer held; the
 * image's digest is put back as it was if a piece cannot be read (the track is then not put).
 *
 * <p>A live volume's backup puts its writer's calls into the store under a time limit
 * ({@link #answerWithin}): the caller reads the pieces, a helper writes them, and a store that does
 * not answer in time fails that put and every later put, sync and seal at once (see
 * {@link StoreTimeLimit}); the piece buffer is never filled again once a call was given up on.
 */
public final class ImageWriter implements AutoCloseable {

    private final DirectoryStore store;
    private final Path partial;
    private final ImageInfo header;
    /** Set once, before any put ({@link #answerWithin}): volatile for {@link #sync}, which reads them outside the monitor. */
    private volatile StorageFile data;
    private volatile StorageFile index;
    /** The time limit on calls into the store ({@link #answerWithin}), or null: none. */
    private StoreTimeLimit limit;
    private MessageDigest dataSha = IndexRecord.newDigest();
    private final MessageDigest indexSha = IndexRecord.newDigest();
    private final java.util.BitSet held = new java.util.BitSet();
    private long dataEnd;
    private long indexEnd;
    private boolean closed;
    private final PoolLockHandle writing;

    private ImageWriter(DirectoryStore store, Path partial, ImageInfo header, StorageFile data, StorageFile index,
                        PoolLockHandle writing) {
        this.store = store;
        this.partial = partial;
        this.header = header;
        this.data = data;
        this.index = index;
        this.writing = writing; // closed at most once by contract: close, then abandon, both release it
    }

    static ImageWriter create(DirectoryStore store, ImageInfo header, Path partial) throws IOException {
        store.storage().createDirectory(partial); // its name made durable below, before anything relies on it
        PoolLockHandle writing = store.lockWriter(header.id(), partial); // first: a clean-up meanwhile finds it written
        try {
            store.storage().syncDirectory(store.images());
            CheckedJson.write(store.storage(), partial.resolve("header.json"), ImageInfo.MAGIC, ImageInfo.VERSION, header);
            StorageFile d = store.storage().create(partial.resolve("data"));
            StorageFile i = store.storage().create(partial.resolve("index"));
            store.storage().syncDirectory(partial);
            return new ImageWriter(store, partial, header, d, i, writing);
        } catch (IOException | RuntimeException e) {
            writing.close();
            throw e;
        }
    }

    static ImageWriter resume(DirectoryStore store, Path partial) throws IOException {
        ImageInfo header = CheckedJson.read(store.storage(), partial.resolve("header.json"), ImageInfo.MAGIC,
                ImageInfo.VERSION, ImageInfo.class);
        PoolLockHandle writing = store.lockWriter(header.id(), partial);
        StorageFile d = null;
        try {
            d = store.storage().open(partial.resolve("data"));
            StorageFile i = store.storage().open(partial.resolve("index"));
            ImageWriter w = new ImageWriter(store, partial, header, d, i, writing);
            w.reload();
            return w;
        } catch (IOException | RuntimeException e) {
            if (d != null) {
                d.close();
            }
            writing.close();
            throw e;
        }
    }

    /** Keeps the index records whose bytes are in the data file and match their SHA-256. */
    private void reload() throws IOException {
        long indexSize = index.size();
        long dataSize = data.size();
        ByteBuffer rec = ByteBuffer.allocate(IndexRecord.SIZE);
        long goodIndex = 0;
        long goodData = 0;
        for (long at = 0; at + IndexRecord.SIZE <= indexSize; at += IndexRecord.SIZE) {
            rec.clear();
            index.readFully(at, rec);
            rec.flip();
            IndexRecord r = IndexRecord.decode(rec);
            if (r == null || r.offset() != goodData || r.offset() + r.length() > dataSize) {
                break;
            }
            MessageDigest before = copyOf(dataSha);
            if (!java.util.Arrays.equals(digestOfStored(r.offset(), r.length()), r.sha256())) {
                dataSha = before;
                break;
            }
            indexSha.update(rec.array(), 0, IndexRecord.SIZE);
            held.set((int) r.track());
            goodData += r.length();
            goodIndex = at + IndexRecord.SIZE;
        }
        data.setLength(goodData);
        index.setLength(goodIndex);
        dataEnd = goodData;
        indexEnd = goodIndex;
        durableIndex = goodIndex;
    }

    /** The SHA-256 of data bytes [offset, offset+length), read a piece at a time; the image's digest takes them too. */
    private byte[] digestOfStored(long offset, int length) throws IOException {
        MessageDigest md = IndexRecord.newDigest();
        byte[] buf = new byte[Math.min(length, PIECE)];
        for (long at = 0; at < length; ) {
            int n = (int) Math.min(buf.length, length - at);
            data.readFully(offset + at, ByteBuffer.wrap(buf, 0, n));
            md.update(buf, 0, n);
            dataSha.update(buf, 0, n);
            at += n;
        }
        return md.digest();
    }

    public ImageInfo header() {
        return header;
    }

    /**
     * From now on the writes, forces and truncations of the image's files go through {@code limit}
     * (see {@link StoreTimeLimit}). Called once, before anything is put.
     */
    public synchronized void answerWithin(StoreTimeLimit limit) {
        if (this.limit != null) {
            throw new IllegalStateException("image " + header.id() + " has a time limit already");
        }
        this.limit = limit;
        String at = "images/" + partial.getFileName() + "/";
        data = limit.limit(data, at + "data");
        index = limit.limit(index, at + "index");
    }

    /** The time limit on calls into the store, or null. */
    public synchronized StoreTimeLimit timeLimit() {
        return limit;
    }

    /** Where the image's store is. */
    public String store() {
        return store.describe();
    }

    /** Appends track {@code track}'s bytes {@code buf[0, len)}. */
    public void putTrack(long track, byte[] buf, int len) throws IOException {
        putTrack(track, len, (within, piece, n) -> System.arraycopy(buf, (int) within, piece, 0, n), false);
    }

    /** A track's bytes, a piece at a time. */
    @FunctionalInterface
    public interface TrackBytes {
        /** Fills {@code piece[0, n)} with the track's bytes [within, within + n). */
        void read(long within, byte[] piece, int n) throws IOException;
    }

    /** The most of a track held in memory at once. */
    static final int PIECE = 1 << 20;

    private byte[] piece;

    /**
     * Appends track {@code track} of {@code len} bytes, read from {@code src} a piece at a time;
     * with {@code skipZero}, a track whose bytes are all zero is not put (it reads as zeros from a
     * full image). Returns whether it was put.
     */
    public synchronized boolean putTrack(long track, int len, TrackBytes src, boolean skipZero) throws IOException {
        if (closed) {
            throw new IOException("image " + header.id() + " is closed");
        }
        if (limit != null) {
            limit.checkAnswering(); // a call given up on may still be writing from the piece: never fill it again
        }
        if (piece == null) {
            piece = new byte[PIECE];
        }
        MessageDigest before = copyOf(dataSha);
        MessageDigest trackSha = IndexRecord.newDigest();
        long zeros = 0; // leading zero bytes read and not yet appended (while they may be the whole track)
        boolean any = !skipZero;
        ByteBuffer e;
        try {
            for (long within = 0; within < len; ) {
                int n = (int) Math.min(PIECE, len - within);
                src.read(within, piece, n);
                if (!any && Zeros.isZero(piece, 0, n)) {
                    zeros += n;
                } else {
                    if (!any) {
                        appendZeros(zeros, trackSha);
                        any = true;
                    }
                    data.writeFully(dataEnd + within, ByteBuffer.wrap(piece, 0, n));
                    trackSha.update(piece, 0, n);
                    dataSha.update(piece, 0, n);
                }
                within += n;
            }
            if (!any) {
                return false;
            }
            e = new IndexRecord(track, dataEnd, len, trackSha.digest()).encode();
            index.writeFully(indexEnd, e.duplicate()); // a failure here too: the track was not put
        } catch (IOException | RuntimeException x) {
            dataSha = before; // the bytes appended past dataEnd are overwritten by the next track, or cut at the seal
            throw x;
        }
        indexSha.update(e.array(), 0, IndexRecord.SIZE);
        dataEnd += len;
        indexEnd += IndexRecord.SIZE;
        held.set((int) track);
        return true;
    }

    /** Appends the {@code count} zero bytes a track began with, at the track's start (dataEnd). */
    private void appendZeros(long count, MessageDigest trackSha) throws IOException {
        Zeros.inChunks(dataEnd, count, (at, zeros) -> {
            data.writeFully(at, zeros.duplicate());
            trackSha.update(zeros.duplicate());
            dataSha.update(zeros);
        });
    }

    private static MessageDigest copyOf(MessageDigest md) {
        try {
            return (MessageDigest) md.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 cannot be copied", e);
        }
    }

    /** True when track {@code t} was put in this image already. */
    public synchronized boolean holds(long t) {
        return held.get((int) t);
    }

    /** Tracks held (distinct). */
    public synchronized long tracks() {
        return held.cardinality();
    }

    public synchronized long bytes() {
        return dataEnd;
    }

    /** Makes what was put durable: the data first, then the index that names it. */
    public void sync() throws IOException {
        long put;
        synchronized (this) {
            put = indexEnd;
        }
        // one sync at a time (not under this writer's monitor: puts go on): a sync that ran beside
        // one that failed succeeded without the pages the failure dropped, and said the records
        // naming them were durable (a host's flush beside the restore's commit:
        // WriteThroughSyncFailedAtCloseTest); now it finds the failure and fails too
        synchronized (syncs) {
            IOException failed = syncFailed;
            if (failed != null) {
                throw new IOException("image " + header.id() + " could not be made durable earlier (" + failed.getMessage()
                        + "): bytes it names may be lost", failed);
            }
            if (put <= syncedThrough) {
                return; // nothing put since the last sync (a checkpoint of an idle copy, or seal after one)
            }
            try {
                data.force();
                index.force();
            } catch (IOException e) {
                syncFailed = e;
                throw e;
            }
            syncedThrough = put;
            durableIndex = put;
        }
    }

    /** Held by a {@link #sync} (see there). */
    private final Object syncs = new Object();

    /**
     * The index length the last good {@link #sync} made durable (or the resume found): a close after
     * a failed sync cuts the index back to it ({@link #cutToDurable}).
     */
    private volatile long durableIndex;

    /**
     * After a failed sync, cuts the index back to what the last good sync made durable: the records
     * past it may name pages the failed fsync dropped, which the page cache still holds, clean, so
     * a resume in the same boot read them back, found their SHA-256 good and kept them, and the
     * image was sealed naming bytes no disk held (WriteThroughSyncFailedAtCloseTest). The cut holds
     * in the page cache even if its force fails, which is what such a resume reads; after a power
     * cut the resume's own check finds the dropped bytes missing.
     */
    private void cutToDurable() throws IOException {
        if (syncFailed != null && index.size() > durableIndex) {
            index.setLength(durableIndex);
            index.force();
        }
    }

    /** The failure of a sync, after which none succeeds (see the class note). */
    private volatile IOException syncFailed;

    /** The index length the last {@link #sync} made durable. */
    private volatile long syncedThrough = -1;

    /** Makes the image durable and visible (immutable from now on); returns its manifest. */
    public synchronized ImageInfo seal() throws IOException {
        try {
            if (data.size() > dataEnd) {
                data.setLength(dataEnd); // what a track that could not be put left past the last one
                data.force(); // the cut before the manifest says how long the data is (sync skips a file synced since)
            }
            sync();
            ImageInfo sealed = header.sealed(held.cardinality(), dataEnd, HexFormat.of().formatHex(dataSha.digest()),
                    HexFormat.of().formatHex(indexSha.digest()));
            data.close();
            index.close();
            closed = true;
            if (limit == null) {
                sealInStore(sealed, null);
            } else {
                sealWithin(sealed);
            }
            sealedAs = sealed;
            return sealed;
        } finally {
            // sealed or not, this writer is done: an image left unfinished by a failure here is a
            // leftover from now on (abandon still removes it), not held for the life of the process
            if (!closed) {
                closed = true;
                try {
                    cutToDurable();
                } catch (IOException e) {
                    // giving up on the image: the failure that brought us here is the one to report
                }
                closeQuietly(data);
                closeQuietly(index);
            }
            writing.close();
        }
    }

    /**
     * The store's part of {@link #seal}: the manifest, the rename into place, the directory's sync, the
     * header and the lock's file gone. With {@code handOff}, the seal of a writer under a time limit:
     * no rename once the caller gave up, and an image renamed after all is removed again.
     */
    private void sealInStore(ImageInfo sealed, SealHandOff handOff) throws IOException {
        // the header stays until the image is sealed: an unfinished image without it cannot be
        // resumed, and a crash between its deletion and the rename left a restore's write-through
        // image so (the restore then waited for a store it took for unreadable)
        store.seal(partial, sealed, handOff == null ? () -> true : handOff::mayRename);
        if (handOff != null && !handOff.sealedInTime()) {
            // renamed, but the caller said the store did not answer: never to be valid, it goes now
            store.delete(sealed.id());
            return;
        }
        store.storage().delete(store.images().resolve(sealed.id()).resolve("header.json")); // a leftover is harmless
        // the lock stays in the directory up to its rename, so no clean-up can find it unlocked before
        store.storage().delete(store.images().resolve(sealed.id()).resolve(DirectoryStore.WRITER_LOCK));
    }

    /**
     * {@link #sealInStore} on a helper thread, waited for at most the limit. Why: a store that hangs in
     * the seal (the manifest's write, the directory's sync) hung the backup's job thread for good, and
     * with it 'backup cancel' (a job ending takes no cancel), the pool's close (which waits for its jobs)
     * and 'pool status' (the job said running for good). Past the limit the seal fails and the image is
     * never made valid: the helper renames nothing once the caller gave up, and removes an image it
     * renamed just before (a hand-off under {@link SealHandOff}'s monitor says which came first).
     */
    private void sealWithin(ImageInfo sealed) throws IOException {
        SealHandOff handOff = new SealHandOff();
        try {
            limit.call("sealing images/" + sealed.id() + DirectoryStore.PARTIAL, () -> {
                sealInStore(sealed, handOff);
                return null;
            });
        } catch (StoreTimeLimit.NotAnsweredException e) {
            if (handOff.giveUp()) {
                throw e;
            }
            // sealed just as the wait ended: the image is valid, and this seal succeeded
        }
    }

    /** Who owns a seal's outcome once the caller stops waiting (see {@link #sealWithin}). */
    private static final class SealHandOff {
        private boolean gaveUp;
        private boolean sealed;

        /** The helper, before the rename: false once the caller gave up (nothing is renamed). */
        synchronized boolean mayRename() {
            return !gaveUp;
        }

        /** The helper, after the rename and its sync: false when the caller gave up meanwhile (the image goes). */
        synchronized boolean sealedInTime() {
            sealed = !gaveUp;
            return sealed;
        }

        /** The caller, past the limit: true when the seal is given up, false when it was made in time. */
        synchronized boolean giveUp() {
            gaveUp = !sealed;
            return gaveUp;
        }
    }

    /** What {@link #seal} made, once it renamed the image into place (abandon then removes that). */
    private ImageInfo sealedAs;

    private static void closeQuietly(StorageFile f) {
        try {
            f.close();
        } catch (IOException e) {
            // giving up on the image: the failure that brought us here is the one to report
        }
    }

    /**
     * Throws the image away: the unfinished one, or the sealed one when a step after the seal failed
     * (a journal ship's verify, recording a backup): it was never recorded, and no restore may pick it.
     */
    public synchronized void abandon() throws IOException {
        if (!closed) {
            closed = true;
            data.close();
            index.close();
        }
        try {
            if (sealedAs != null) {
                store.delete(sealedAs.id());
            } else {
                store.removePartial(partial); // with its lock held (unless closed before): nothing else takes it meanwhile
            }
        } finally {
            writing.close();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                cutToDurable();
            } finally {
                try {
                    data.close();
                    index.close();
                } finally {
                    writing.close();
                }
            }
        }
    }
}
