package org.splitpoint.engine.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.meta.CheckedJson;

/**
 * Writes one image: tracks appended to {@code data}, a record each appended to {@code index}; then
 * sealed (see {@link DirectoryStore}). Thread-safe: a backup's copier and a copy-before-write on a
 * host's thread append to the same image.
 *
 * <p>Durability: {@link #sync} forces the data before the index, so an index record never names
 * bytes that are not on disk; {@link #resume} keeps the records whose bytes check out and drops a
 * torn tail. The header (what the image will be) is saved in the partial directory at once, so an
 * unfinished image can be resumed or named.
 */
public final class ImageWriter implements AutoCloseable {

    private final DirectoryStore store;
    private final Path partial;
    private final ImageInfo header;
    private final StorageFile data;
    private final StorageFile index;
    private final MessageDigest dataSha = IndexRecord.newDigest();
    private final MessageDigest indexSha = IndexRecord.newDigest();
    private final java.util.BitSet held = new java.util.BitSet();
    private long dataEnd;
    private long indexEnd;
    private boolean closed;

    private ImageWriter(DirectoryStore store, Path partial, ImageInfo header, StorageFile data, StorageFile index) {
        this.store = store;
        this.partial = partial;
        this.header = header;
        this.data = data;
        this.index = index;
    }

    static ImageWriter create(DirectoryStore store, ImageInfo header, Path partial) throws IOException {
        Files.createDirectories(partial);
        store.storage().syncDirectory(store.images());
        CheckedJson.write(store.storage(), partial.resolve("header.json"), ImageInfo.MAGIC, ImageInfo.VERSION, header);
        StorageFile d = store.storage().create(partial.resolve("data"));
        StorageFile i = store.storage().create(partial.resolve("index"));
        store.storage().syncDirectory(partial);
        return new ImageWriter(store, partial, header, d, i);
    }

    static ImageWriter resume(DirectoryStore store, Path partial) throws IOException {
        ImageInfo header = CheckedJson.read(store.storage(), partial.resolve("header.json"), ImageInfo.MAGIC,
                ImageInfo.VERSION, ImageInfo.class);
        StorageFile d = store.storage().open(partial.resolve("data"));
        StorageFile i = store.storage().open(partial.resolve("index"));
        ImageWriter w = new ImageWriter(store, partial, header, d, i);
        w.reload();
        return w;
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
            byte[] bytes = new byte[r.length()];
            data.readFully(r.offset(), ByteBuffer.wrap(bytes));
            if (!java.util.Arrays.equals(IndexRecord.digestOf(bytes, 0, bytes.length), r.sha256())) {
                break;
            }
            dataSha.update(bytes);
            indexSha.update(rec.array(), 0, IndexRecord.SIZE);
            held.set((int) r.track());
            goodData += r.length();
            goodIndex = at + IndexRecord.SIZE;
        }
        data.setLength(goodData);
        index.setLength(goodIndex);
        dataEnd = goodData;
        indexEnd = goodIndex;
    }

    public ImageInfo header() {
        return header;
    }

    /** Where the image's store is. */
    public String store() {
        return store.describe();
    }

    /** Appends track {@code track}'s bytes {@code buf[0, len)}. */
    public synchronized void putTrack(long track, byte[] buf, int len) throws IOException {
        if (closed) {
            throw new IOException("image " + header.id() + " is closed");
        }
        byte[] sha = IndexRecord.digestOf(buf, 0, len);
        data.writeFully(dataEnd, ByteBuffer.wrap(buf, 0, len));
        IndexRecord r = new IndexRecord(track, dataEnd, len, sha);
        ByteBuffer e = r.encode();
        index.writeFully(indexEnd, e.duplicate());
        dataSha.update(buf, 0, len);
        indexSha.update(e.array(), 0, IndexRecord.SIZE);
        dataEnd += len;
        indexEnd += IndexRecord.SIZE;
        held.set((int) track);
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
        if (put == syncedThrough) {
            return; // nothing put since the last sync (a checkpoint of an idle copy, or seal after one)
        }
        data.force();
        index.force();
        syncedThrough = put;
    }

    /** The index length the last {@link #sync} made durable. */
    private volatile long syncedThrough = -1;

    /** Makes the image durable and visible (immutable from now on); returns its manifest. */
    public synchronized ImageInfo seal() throws IOException {
        sync();
        ImageInfo sealed = header.sealed(held.cardinality(), dataEnd, HexFormat.of().formatHex(dataSha.digest()),
                HexFormat.of().formatHex(indexSha.digest()));
        data.close();
        index.close();
        closed = true;
        store.storage().delete(partial.resolve("header.json"));
        return store.seal(partial, sealed);
    }

    /** Throws the unfinished image away. */
    public synchronized void abandon() throws IOException {
        close();
        store.delete(header.id());
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            data.close();
            index.close();
        }
    }
}
