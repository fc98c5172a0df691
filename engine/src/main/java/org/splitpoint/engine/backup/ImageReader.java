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
     * The bytes {@link #verify} reads: the data file whole, then each track it holds (a track put
     * again, by a write-through image, is read once, its last copy).
     */
    public long verifyBytes() {
        long tracks = 0;
        for (int length : index.lengths) {
            tracks += length;
        }
        return info.dataBytes() + tracks;
    }

    /**
     * Reads every track and the data file whole, checking each SHA-256; {@code progress} gets the
     * bytes read so far of {@link #verifyBytes} (both passes, so a rate and an ETA drawn from it cover
     * all of the work: the track pass reported nothing, and an ETA said 0:00 while it ran). Throws
     * naming the damage: the tracks that fail their own SHA-256 (what a restore leaves owed), or the
     * data file's only.
     */
    public void verify(LongConsumer progress) throws IOException {
        MessageDigest whole = IndexRecord.newDigest();
        byte[] buf = new byte[1 << 20];
        for (long at = 0; at < info.dataBytes(); ) {
            int n = (int) Math.min(buf.length, info.dataBytes() - at);
            data.readFully(at, ByteBuffer.wrap(buf, 0, n));
            whole.update(buf, 0, n);
            at += n;
            if (progress != null) {
                progress.accept(at);
            }
        }
        boolean wholeOk = HexFormat.of().formatHex(whole.digest()).equals(info.dataSha256());
        List<Long> bad = new ArrayList<>();
        long read = info.dataBytes();
        long reported = read;
        for (int i = 0; i < index.tracks.length; i++) {
            TrackStream in = stream(index.tracks[i]);
            try {
                for (int at = 0; at < index.lengths[i]; ) {
                    int n = Math.min(buf.length, index.lengths[i] - at);
                    in.read(buf, 0, n);
                    at += n;
                }
                in.verify();
            } catch (DamagedTrackException e) {
                bad.add(index.tracks[i]);
            }
            read += index.lengths[i];
            // about a megabyte between reports, as the data pass's, whatever the track size
            if (progress != null && (read - reported >= buf.length || i == index.tracks.length - 1)) {
                progress.accept(read);
                reported = read;
            }
        }
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

    @Override
    public void close() throws IOException {
        data.close();
    }
}
