package org.splitpoint.engine.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.log.Crc32c;
import org.splitpoint.engine.meta.CorruptMetadataException;

/**
 * The durable list of saved tracks ({@code meta/snapshots.log}): {@link SaveRecord}s appended in
 * the order they were made durable.
 *
 * <p>Design. A record is appended only after its track's bytes are durable in the save area, and
 * the origin's write waits for the record's sync: so a record on disk always names good bytes, and
 * a track the origin overwrote always has its record. Each record carries its sequence number and
 * a CRC32C; replay stops at the first record that is torn, damaged or out of sequence (an unsynced
 * tail that a power cut cut short, which nothing relied on), and a writable open cuts the file
 * there so nothing stale is read after a later append. A slot written again supersedes its earlier
 * record (a slot is reused only once its record is dead, and that is durable in pool.json first).
 * Dead records (of deleted or invalid snapshots) stay until the log is compacted, at open, when
 * they outweigh the live ones: the live records are written to a new file, synced, and renamed over.
 */
public final class SaveLog implements AutoCloseable {

    private static final long MAGIC = 0x53504c4f47534e50L; // "SPLOGSNP"
    private static final int HEADER = 16;
    private static final int FIXED = 1 + 8 + 8 + 8 + 8 + 8 + 2; // type, seq, track, slot, from, to, name length
    private static final byte SAVE = 1;

    private final StorageFactory storage;
    private final Path path;
    private final StorageFile file;
    private long end;
    private long nextSeq;

    private SaveLog(StorageFactory storage, Path path, StorageFile file, long end, long nextSeq) {
        this.storage = storage;
        this.path = path;
        this.file = file;
        this.end = end;
        this.nextSeq = nextSeq;
    }

    /** What a log held: its records in order, and where its good part ends. */
    public record Replay(List<SaveRecord> records, long end, long nextSeq, long fileSize) { }

    /** Creates an empty log at {@code path} (the caller syncs the directory). */
    public static SaveLog create(StorageFactory storage, Path path) throws IOException {
        StorageFile f = storage.create(path);
        ByteBuffer h = ByteBuffer.allocate(HEADER).putLong(MAGIC).putLong(0);
        f.writeFully(0, h.flip());
        f.force();
        return new SaveLog(storage, path, f, HEADER, 0);
    }

    /** Reads the log at {@code path} without changing it. */
    public static Replay read(StorageFactory storage, Path path) throws IOException {
        try (StorageFile f = storage.openRead(path)) {
            return replay(f, path);
        }
    }

    /**
     * Opens the log for appending after {@code replay} (from {@link #read}): a torn tail is cut
     * off (and the cut made durable) first.
     */
    public static SaveLog open(StorageFactory storage, Path path, Replay replay) throws IOException {
        StorageFile f = storage.open(path);
        try {
            if (replay.fileSize() != replay.end()) {
                f.setLength(replay.end());
                f.force();
            }
            return new SaveLog(storage, path, f, replay.end(), replay.nextSeq());
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Writes {@code live} into a new log and renames it over {@code path} (the caller syncs the directory). */
    public static void rewrite(StorageFactory storage, Path path, List<SaveRecord> live) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".new");
        storage.delete(tmp);
        try (SaveLog fresh = create(storage, tmp)) {
            fresh.append(live);
            fresh.sync();
        }
        storage.rename(tmp, path);
    }

    private static Replay replay(StorageFile f, Path path) throws IOException {
        long size = f.size();
        if (size < HEADER) {
            throw new CorruptMetadataException(path.getFileName() + " is shorter than its header");
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER);
        f.readFully(0, h);
        if (h.getLong(0) != MAGIC) {
            throw new CorruptMetadataException(path.getFileName() + " is not a snapshot save log");
        }
        List<SaveRecord> out = new ArrayList<>();
        long pos = HEADER;
        long seq = 0;
        ByteBuffer lenCrc = ByteBuffer.allocate(8);
        while (pos + 8 <= size) {
            lenCrc.clear();
            f.readFully(pos, lenCrc);
            int len = lenCrc.getInt(0);
            int crc = lenCrc.getInt(4);
            if (len < FIXED || len > FIXED + 4096 || pos + 8 + len > size) {
                break;
            }
            ByteBuffer p = ByteBuffer.allocate(len);
            f.readFully(pos + 8, p);
            p.flip();
            if (Crc32c.of(p.duplicate()) != crc) {
                break;
            }
            if (p.get() != SAVE || p.getLong() != seq) {
                break;
            }
            long track = p.getLong();
            long slot = p.getLong();
            long from = p.getLong();
            long to = p.getLong();
            int nameLen = p.getShort() & 0xffff;
            if (nameLen != p.remaining()) {
                break;
            }
            byte[] name = new byte[nameLen];
            p.get(name);
            out.add(new SaveRecord(new String(name, StandardCharsets.UTF_8), track, slot, from, to));
            seq++;
            pos += 8 + len;
        }
        return new Replay(out, pos, seq, size);
    }

    /** Appends {@code records} (not yet durable: see {@link #sync}). */
    public synchronized void append(List<SaveRecord> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        int total = 0;
        List<byte[]> names = new ArrayList<>(records.size());
        for (SaveRecord r : records) {
            byte[] n = r.volume().getBytes(StandardCharsets.UTF_8);
            names.add(n);
            total += 8 + FIXED + n.length;
        }
        ByteBuffer b = ByteBuffer.allocate(total);
        for (int i = 0; i < records.size(); i++) {
            SaveRecord r = records.get(i);
            byte[] n = names.get(i);
            ByteBuffer p = ByteBuffer.allocate(FIXED + n.length);
            p.put(SAVE).putLong(nextSeq++).putLong(r.track()).putLong(r.slot()).putLong(r.from()).putLong(r.to())
                    .putShort((short) n.length).put(n).flip();
            b.putInt(p.remaining()).putInt(Crc32c.of(p.duplicate())).put(p);
        }
        b.flip();
        file.writeFully(end, b);
        end += total;
    }

    /** Makes every appended record durable. */
    public void sync() throws IOException {
        file.force();
    }

    /** Bytes the log takes. */
    public synchronized long size() {
        return end;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
