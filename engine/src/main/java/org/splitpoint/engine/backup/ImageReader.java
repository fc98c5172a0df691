package org.splitpoint.engine.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HexFormat;
import java.util.function.LongConsumer;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.restore.TrackSource.TrackStream;

/**
 * Reads one sealed image: its index is loaded at open (and its SHA-256 checked against the
 * manifest); every track read is checked against its own SHA-256, so a damaged image is an error
 * naming the track, never wrong bytes. Each reader has its own data file handle: a restore gives
 * its on-demand path and its bulk copy a reader each, sharing one loaded index ({@link #withOwnData}).
 *
 * <p>The index is held by the tracks the image holds (sorted, found by binary search), not by the
 * volume's tracks: its memory and load time follow the data backed up, not the volume's size.
 */
public final class ImageReader implements AutoCloseable {

    /** The loaded index: for each track held, in track order, where its bytes are and their SHA-256. */
    private record Index(long[] tracks, long[] offsets, int[] lengths, byte[] sums) {
        int slot(long t) {
            return Arrays.binarySearch(tracks, t);
        }
    }

    private final ImageInfo info;
    private final DirectoryStore store;
    private final Path dir;
    private final StorageFile data;
    private final Index index;

    private ImageReader(ImageInfo info, DirectoryStore store, Path dir, StorageFile data, Index index) {
        this.info = info;
        this.store = store;
        this.dir = dir;
        this.data = data;
        this.index = index;
    }

    static ImageReader open(DirectoryStore store, ImageInfo info, Path dir) throws IOException {
        for (String part : new String[] {"index", "data"}) {
            // a damaged image like any other (verify goes on to the next one): the open's own error stopped a verify
            // of the whole store at 'ID/index does not exist', or said only 'Is a directory'
            Path p = dir.resolve(part);
            if (java.nio.file.Files.isDirectory(p)) {
                throw new BackupException("image " + info.id() + ": its " + part + " is a directory, not a file (damaged)");
            }
            if (!java.nio.file.Files.exists(p)) {
                throw new BackupException("image " + info.id() + ": its " + part + " file is missing (damaged)");
            }
        }
        long tracks = info.volumeTracks();
        Index index;
        MessageDigest indexSha = IndexRecord.newDigest();
        try (StorageFile file = store.storage().openRead(dir.resolve("index"))) {
            long size = file.size();
            if (size % IndexRecord.SIZE != 0) {
                throw new BackupException("image " + info.id() + ": its index is " + size + " bytes, not whole records (damaged)");
            }
            long records = size / IndexRecord.SIZE;
            if (records > Integer.MAX_VALUE / 32) {
                throw new BackupException("image " + info.id() + ": its index has " + records + " records for a volume of "
                        + tracks + " tracks (damaged)");
            }
            int n = (int) records;
            index = new Index(new long[n], new long[n], new int[n], new byte[n * 32]);
            boolean sorted = true;
            int k = 0;
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, 1 << 20) / IndexRecord.SIZE * IndexRecord.SIZE
                    + IndexRecord.SIZE);
            for (long at = 0; at < size; ) {
                b.clear().limit((int) Math.min(b.capacity() / IndexRecord.SIZE * IndexRecord.SIZE, size - at));
                file.readFully(at, b);
                b.flip();
                indexSha.update(b.array(), 0, b.limit());
                for (int p = 0; p < b.limit(); p += IndexRecord.SIZE) {
                    IndexRecord r = IndexRecord.decode(b.position(p));
                    if (r == null || r.track() >= tracks || r.offset() + r.length() > info.dataBytes()) {
                        throw new BackupException("image " + info.id() + ": index record " + (at + p) / IndexRecord.SIZE
                                + " is damaged");
                    }
                    sorted &= k == 0 || r.track() > index.tracks[k - 1];
                    index.tracks[k] = r.track();
                    index.offsets[k] = r.offset();
                    index.lengths[k] = r.length();
                    System.arraycopy(r.sha256(), 0, index.sums, k * 32, 32);
                    k++;
                }
                at += b.limit();
            }
            if (!sorted) {
                index = sortedByTrack(index);
            }
        }
        if (!HexFormat.of().formatHex(indexSha.digest()).equals(info.indexSha256())) {
            throw new BackupException("image " + info.id() + ": its index fails the SHA-256 in its manifest (damaged)");
        }
        return new ImageReader(info, store, dir, openData(store, info, dir), index);
    }

    /**
     * Records in the order they were put (a copy-before-write puts a track early; a write-through
     * image puts a track again each time hosts write it, the last one counting), sorted by track.
     */
    private static Index sortedByTrack(Index in) {
        int n = in.tracks.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> in.tracks[a] != in.tracks[b] ? Long.compare(in.tracks[a], in.tracks[b])
                : Integer.compare(a, b));
        int kept = 0;
        int[] keep = new int[n];
        for (int i = 0; i < n; i++) {
            if (i + 1 < n && in.tracks[order[i + 1]] == in.tracks[order[i]]) {
                continue; // a later record of the same track
            }
            keep[kept++] = order[i];
        }
        Index out = new Index(new long[kept], new long[kept], new int[kept], new byte[kept * 32]);
        for (int i = 0; i < kept; i++) {
            int j = keep[i];
            out.tracks[i] = in.tracks[j];
            out.offsets[i] = in.offsets[j];
            out.lengths[i] = in.lengths[j];
            System.arraycopy(in.sums, j * 32, out.sums, i * 32, 32);
        }
        return out;
    }

    private static StorageFile openData(DirectoryStore store, ImageInfo info, Path dir) throws IOException {
        StorageFile data = store.storage().openRead(dir.resolve("data"));
        if (data.size() != info.dataBytes()) {
            long n = data.size();
            data.close();
            throw new BackupException("image " + info.id() + ": its data is " + n + " bytes, the manifest says "
                    + info.dataBytes() + " (truncated or damaged)");
        }
        return data;
    }

    /** Another reader of this image with its own data file handle, sharing the loaded index. */
    public ImageReader withOwnData() throws IOException {
        return new ImageReader(info, store, dir, openData(store, info, dir), index);
    }

    public ImageInfo info() {
        return info;
    }

    /** True when this image holds track {@code t}. */
    public boolean holds(long t) {
        return index.slot(t) >= 0;
    }

    /** Tracks this image holds. */
    public int heldTracks() {
        return index.tracks.length;
    }

    /** Reads track {@code t} (which this image holds) into {@code dst[0, length)}; returns the length. */
    public int readTrack(long t, byte[] dst) throws IOException {
        return readTrack(t, dst, 0);
    }

    /** Reads track {@code t} (which this image holds) into {@code dst[off, off + length)}; returns the length. */
    public int readTrack(long t, byte[] dst, int off) throws IOException {
        TrackStream in = stream(t); // one piece: the whole track
        int len = trackBytes(t);
        in.read(dst, off, len);
        in.verify();
        return len;
    }

    /**
     * Track {@code t} (which this image holds) read in order, a piece at a time, its SHA-256 summed
     * on the way and checked by {@link TrackStream#verify}.
     */
    public TrackStream stream(long t) {
        int i = index.slot(t);
        if (i < 0) {
            throw new IllegalArgumentException("image " + info.id() + " does not hold track " + t);
        }
        MessageDigest md = IndexRecord.newDigest();
        long start = index.offsets[i];
        int len = index.lengths[i];
        return new TrackStream() {
            private long at;

            @Override
            public void read(byte[] dst, int off, int n) throws IOException {
                if (at + n > len) {
                    throw new DamagedTrackException(t, "image " + info.id() + ": track " + t + " holds " + len + " bytes, "
                            + (at + n) + " asked (damaged)");
                }
                data.readFully(start + at, ByteBuffer.wrap(dst, off, n));
                md.update(dst, off, n);
                at += n;
            }

            @Override
            public void verify() throws IOException {
                if (at != len || !Arrays.equals(md.digest(), 0, 32, index.sums, i * 32, i * 32 + 32)) {
                    throw new DamagedTrackException(t, "image " + info.id() + ": track " + t + " fails its SHA-256 (the backup is damaged)");
                }
            }
        };
    }

    /** The length of track {@code t}'s bytes in this image (which holds it). */
    public int trackBytes(long t) {
        return index.lengths[index.slot(t)];
    }

    /**
     * The bytes {@link #verify} reads: the data file, once (every track's bytes lie within it, and
     * its index was checked for that at the open).
     */
    public long verifyBytes() {
        return info.dataBytes();
    }

    /**
     * Reads the data file once, checking its SHA-256 whole and every track's own on the same bytes
     * (a track put again, by a write-through image, is checked by its last copy, which the index
     * holds; an earlier copy only by the whole); {@code progress} gets the bytes read so far of
     * {@link #verifyBytes}. Throws naming the damage: the tracks that fail their own SHA-256 (what a
     * restore leaves owed), or the data file's only.
     *
     * <p>Why one pass. It read the data file whole, then each track again: twice the disk's bytes
     * for the same two checks, as each track's bytes are a range of that file.
     */
    public void verify(LongConsumer progress) throws IOException {
        MessageDigest whole = IndexRecord.newDigest();
        TrackSums tracks = new TrackSums();
        byte[] buf = new byte[1 << 20];
        for (long at = 0; at < info.dataBytes(); ) {
            int n = (int) Math.min(buf.length, info.dataBytes() - at);
            data.readFully(at, ByteBuffer.wrap(buf, 0, n));
            whole.update(buf, 0, n);
            tracks.update(at, buf, n);
            at += n;
            if (progress != null) {
                progress.accept(at);
            }
        }
        boolean wholeOk = HexFormat.of().formatHex(whole.digest()).equals(info.dataSha256());
        List<Long> bad = tracks.finish();
        if (!bad.isEmpty()) {
            String list = bad.subList(0, Math.min(8, bad.size())).stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(", ")) + (bad.size() > 8 ? ", ..." : "");
            throw new BackupException("image " + info.id() + ": " + bad.size() + " of " + index.tracks.length
                    + " tracks fail their SHA-256 (track" + (bad.size() == 1 ? " " : "s ") + list + "; damaged): a restore"
                    + " of it copies the others and leaves " + (bad.size() == 1 ? "that one" : "those") + " unrestored");
        }
        if (!wholeOk) {
            throw new BackupException("image " + info.id() + ": its data fails the SHA-256 in its manifest (damaged)");
        }
    }

    /**
     * Every held track's SHA-256, summed from the data file's bytes as one pass reads them in file
     * order. Tracks are taken by where their bytes start (a copy-before-write puts a track early, a
     * write-through image's last copy of a track may come after later tracks); a track is open while
     * the pass is inside its bytes, and ranges that overlap (a damaged index) each get theirs.
     */
    private final class TrackSums {
        private final int[] byOffset = slotsByOffset();
        private final List<Open> open = new ArrayList<>();
        private final List<Long> bad = new ArrayList<>();
        private int next;

        /** A track the pass is inside of: its slot, its digest, the bytes summed. */
        private record Open(int slot, MessageDigest md, long[] summed) { }

        /** Sums {@code buf[0, n)}, the data file's bytes at {@code at}, into each track they belong to. */
        void update(long at, byte[] buf, int n) {
            long end = at + n;
            while (next < byOffset.length && index.offsets[byOffset[next]] < end) {
                open.add(new Open(byOffset[next++], IndexRecord.newDigest(), new long[1]));
            }
            for (var it = open.iterator(); it.hasNext(); ) {
                Open o = it.next();
                long from = Math.max(at, index.offsets[o.slot]);
                long to = Math.min(end, index.offsets[o.slot] + index.lengths[o.slot]);
                if (to > from) {
                    o.md.update(buf, (int) (from - at), (int) (to - from));
                    o.summed[0] += to - from;
                }
                if (to >= index.offsets[o.slot] + index.lengths[o.slot]) {
                    check(o);
                    it.remove();
                }
            }
        }

        /** The tracks that fail their SHA-256, in track order, once the pass has read the whole file. */
        List<Long> finish() {
            // only an empty track at the file's very end was never reached (the index was checked against the size)
            while (next < byOffset.length) {
                open.add(new Open(byOffset[next++], IndexRecord.newDigest(), new long[1]));
            }
            open.forEach(this::check);
            open.clear();
            bad.sort(null);
            return bad;
        }

        private void check(Open o) {
            int i = o.slot;
            if (o.summed[0] != index.lengths[i] || !Arrays.equals(o.md.digest(), 0, 32, index.sums, i * 32, i * 32 + 32)) {
                bad.add(index.tracks[i]);
            }
        }

        /** Slots in the order of their bytes in the data file (already so for an image put in track order). */
        private int[] slotsByOffset() {
            int n = index.tracks.length;
            boolean ordered = true;
            for (int i = 1; i < n && ordered; i++) {
                ordered = index.offsets[i - 1] <= index.offsets[i];
            }
            java.util.stream.IntStream slots = java.util.stream.IntStream.range(0, n);
            return ordered ? slots.toArray() : slots.boxed()
                    .sorted((a, b) -> Long.compare(index.offsets[a], index.offsets[b])).mapToInt(Integer::intValue).toArray();
        }
    }

    @Override
    public void close() throws IOException {
        data.close();
    }
}
