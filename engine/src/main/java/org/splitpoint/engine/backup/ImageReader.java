package org.splitpoint.engine.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.LongConsumer;
import org.splitpoint.engine.io.StorageFile;

/**
 * Reads one sealed image: its index is loaded at open (and its SHA-256 checked against the
 * manifest); every track read is checked against its own SHA-256, so a damaged image is an error
 * naming the track, never wrong bytes. Each reader has its own file handles: a restore gives its
 * on-demand path and its bulk copy a reader each.
 */
public final class ImageReader implements AutoCloseable {

    private final ImageInfo info;
    private final StorageFile data;
    private final long[] offsets; // by track; -1 when the image does not hold it
    private final int[] lengths;
    private final byte[] sums;

    private ImageReader(ImageInfo info, StorageFile data, long[] offsets, int[] lengths, byte[] sums) {
        this.info = info;
        this.data = data;
        this.offsets = offsets;
        this.lengths = lengths;
        this.sums = sums;
    }

    static ImageReader open(DirectoryStore store, ImageInfo info, Path dir) throws IOException {
        long tracks = info.volumeTracks();
        if (tracks > Integer.MAX_VALUE / 32) {
            throw new BackupException("image " + info.id() + " describes " + tracks + " tracks, more than a reader holds");
        }
        long[] offsets = new long[(int) tracks];
        int[] lengths = new int[(int) tracks];
        byte[] sums = new byte[(int) tracks * 32];
        Arrays.fill(offsets, -1);
        MessageDigest indexSha = IndexRecord.newDigest();
        try (StorageFile index = store.storage().openRead(dir.resolve("index"))) {
            long size = index.size();
            if (size % IndexRecord.SIZE != 0) {
                throw new BackupException("image " + info.id() + ": its index is " + size + " bytes, not whole records (damaged)");
            }
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, 1 << 20) / IndexRecord.SIZE * IndexRecord.SIZE
                    + IndexRecord.SIZE);
            for (long at = 0; at < size; ) {
                b.clear().limit((int) Math.min(b.capacity() / IndexRecord.SIZE * IndexRecord.SIZE, size - at));
                index.readFully(at, b);
                b.flip();
                indexSha.update(b.array(), 0, b.limit());
                for (int p = 0; p < b.limit(); p += IndexRecord.SIZE) {
                    IndexRecord r = IndexRecord.decode(b.position(p));
                    if (r == null || r.track() >= tracks || r.offset() + r.length() > info.dataBytes()) {
                        throw new BackupException("image " + info.id() + ": index record " + (at + p) / IndexRecord.SIZE
                                + " is damaged");
                    }
                    int t = (int) r.track();
                    offsets[t] = r.offset();
                    lengths[t] = r.length();
                    System.arraycopy(r.sha256(), 0, sums, t * 32, 32);
                }
                at += b.limit();
            }
        }
        if (!HexFormat.of().formatHex(indexSha.digest()).equals(info.indexSha256())) {
            throw new BackupException("image " + info.id() + ": its index fails the SHA-256 in its manifest (damaged)");
        }
        StorageFile data = store.storage().openRead(dir.resolve("data"));
        if (data.size() != info.dataBytes()) {
            long n = data.size();
            data.close();
            throw new BackupException("image " + info.id() + ": its data is " + n + " bytes, the manifest says "
                    + info.dataBytes() + " (truncated or damaged)");
        }
        return new ImageReader(info, data, offsets, lengths, sums);
    }

    public ImageInfo info() {
        return info;
    }

    /** True when this image holds track {@code t}. */
    public boolean holds(long t) {
        return offsets[(int) t] >= 0;
    }

    /** Reads track {@code t} (which this image holds) into {@code dst[0, length)}; returns the length. */
    public int readTrack(long t, byte[] dst) throws IOException {
        int i = (int) t;
        int len = lengths[i];
        data.readFully(offsets[i], ByteBuffer.wrap(dst, 0, len));
        byte[] sha = IndexRecord.digestOf(dst, 0, len);
        if (!Arrays.equals(sha, 0, 32, sums, i * 32, i * 32 + 32)) {
            throw new BackupException("image " + info.id() + ": track " + t + " fails its SHA-256 (the backup is damaged)");
        }
        return len;
    }

    /**
     * Reads every track and the data file whole, checking each SHA-256; {@code progress} gets bytes
     * done. Throws naming the first damage found.
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
        if (!HexFormat.of().formatHex(whole.digest()).equals(info.dataSha256())) {
            throw new BackupException("image " + info.id() + ": its data fails the SHA-256 in its manifest (damaged)");
        }
        byte[] track = new byte[info.trackSize()];
        for (long t = 0; t < offsets.length; t++) {
            if (holds(t)) {
                readTrack(t, track);
            }
        }
    }

    @Override
    public void close() throws IOException {
        data.close();
    }
}
