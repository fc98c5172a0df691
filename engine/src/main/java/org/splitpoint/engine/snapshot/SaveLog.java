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
 *
 * <p>A log cut short by hand or by a damaged file system looks like a torn tail, yet the records it
 * lost were acknowledged: their snapshots would read the volume's current bytes for those tracks. So
 * the header keeps the count of records made durable, written after each sync has forced them (never
 * ahead of them: a power cut before it lands leaves an older, smaller count, which the records
 * still cover) and checked by its own CRC32C (a torn count reads as unknown, as does the zero an
 * older log's header holds). A replay that finds fewer records than the count says so
 * ({@link Replay#cutShort}); the catalog then takes the snapshots for lost, as when the log is gone.
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

    /**
     * What a log held: its records in order, where its good part ends, and the count of records its
     * header says were made durable (-1 when it does not say: an older log, a torn count).
     */
    public record Replay(List<SaveRecord> records, long end, long nextSeq, long fileSize, long durableCount) {

        /** Why the log ends before records it had made durable, or null when it does not. */
        public String cutShort() {
            if (durableCount <= records.size()) {
                return null;
            }
            return "it ends after " + records.size() + " of the " + durableCount + " records it had made durable";
        }
    }

    /** Creates an empty log at {@code path} (the caller syncs the directory). */
    public static SaveLog create(StorageFactory storage, Path path) throws IOException {
        StorageFile f = storage.create(path);
        ByteBuffer h = ByteBuffer.allocate(HEADER).putLong(MAGIC).put(durableCount(0));
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
     * off (and the cut made durable) first. A log {@link Replay#cutShort} has its count set to the
     * records it holds: the caller has made its loss durable first (the snapshots it held are invalid
     * in pool.json), so a later opening does not take what is saved after it for cut short again.
     */
    public static SaveLog open(StorageFactory storage, Path path, Replay replay) throws IOException {
        StorageFile f = storage.open(path);
        try {
            if (replay.fileSize() != replay.end()) {
                f.setLength(replay.end());
                f.force();
            }
            if (replay.cutShort() != null) {
                f.writeFully(8, ByteBuffer.wrap(durableCount(replay.records().size())));
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
        int count = h.getInt(8);
        long durableCount = Crc32c.of(ByteBuffer.wrap(h.array(), 8, 4)) == h.getInt(12) ? Integer.toUnsignedLong(count) : -1;
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
        return new Replay(out, pos, seq, size, durableCount);
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

    /**
     * Makes every appended record durable, then writes their count into the header (unforced: the
     * next sync forces it, and until then the older count on disk is no more than the records there).
     */
    public void sync() throws IOException {
        long appended;
        synchronized (this) {
            appended = nextSeq;
        }
        file.force();
        file.writeFully(8, ByteBuffer.wrap(durableCount(appended)));
    }

    /**
     * The header's count field: the count and its CRC32C. A count past what four bytes hold is
     * written as unknown (no check) rather than wrapped.
     */
    private static byte[] durableCount(long count) {
        ByteBuffer b = ByteBuffer.allocate(8);
        if (count > 0xffff_ffffL) {
            return b.array(); // zeros: their CRC does not match, read as unknown
        }
        b.putInt((int) count);
        b.putInt(Crc32c.of(ByteBuffer.wrap(b.array(), 0, 4)));
        return b.array();
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
