package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.io.Zeros;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Samples of a drive image's tracks, so a drive coming back from a service window can be told from
 * one swapped in or changed outside the engine while it was OFFLINE (seeds 000 and 001).
 *
 * <p>Design. At offline time (and again when a return ends) a few tracks' CRC32Cs go on record in
 * the window's {@link PoolConfig.ServiceRecord} ("track:crc"): some spread over the rows, and some
 * found holding data (a sparsely written volume's spread samples are often all zeros, and say
 * nothing about a swapped drive); when no probe finds any, the image is scanned for the first track
 * that holds some, so a drive with any data has one sampled and a blank put in its place is told
 * from it. A drive that held no data at all is scanned again when it comes back: any data then is
 * another drive's (its samples, all zeros, matched a foreign image with zeros there). An image
 * changed in place on tracks no sample covers (not a blank, not another drive of other data
 * there) can still pass. When the drive comes back they are read again:
 * {@link #wholeRebuildReason} says why it must then be rebuilt whole, or null. A track that cannot
 * be read is the drive's fault, not the pool's, and no evidence either way; a halted storage is
 * neither, and is thrown. Tracks are read a {@link Zeros#CHUNK} at a time: they may be up to 1 GiB.
 */
final class ImageSamples {

    private ImageSamples() {
    }

    /** Tracks sampled from a drive's image at offline time. */
    private static final int SAMPLES = 8;

    /** Tracks probed for data at offline time, so that the samples include tracks that hold some. */
    private static final int PROBES = 256;

    /**
     * CRC32Cs of a few tracks of the image ("track:crc"): {@link #SAMPLES} spread over the volume's
     * rows, and up to as many more among {@link #PROBES} spread tracks that hold data (a sparsely
     * written volume's spread samples are often all zeros, and say nothing about a swapped drive).
     */
    static List<String> sample(Pool pool, Path image, RaidVolume v) throws IOException {
        return sample(pool, image, v, sampleTracks(pool, image, v));
    }

    /**
     * Which tracks to sample: {@link #SAMPLES} spread over the rows, and up to as many of
     * {@link #PROBES} spread tracks found holding data. Reads up to {@code SAMPLES + PROBES} tracks,
     * so a caller that must sample at one instant (no write in flight) chooses them before.
     */
    static List<Long> sampleTracks(Pool pool, Path image, RaidVolume v) throws IOException {
        List<Long> out = new ArrayList<>();
        long tracks = v.rowTracks();
        int zero = zeroTrackCrc(pool);
        for (int i = 0; i < SAMPLES; i++) {
            out.add(tracks * i / SAMPLES);
        }
        try (StorageFile f = pool.storage.openRead(image)) {
            int withData = 0;
            for (int i = 0; i < PROBES && withData < SAMPLES && tracks > SAMPLES; i++) {
                long t = (tracks * (2L * i + 1) / (2L * PROBES)); // between the spread samples
                Integer crc = crcOrNull(pool, f, t, v);
                if (crc != null && crc != zero) {
                    out.add(t);
                    withData++;
                }
            }
            if (withData == 0) {
                long t = firstTrackWithData(pool, f, v, zero, out);
                if (t >= 0) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /**
     * The first track of the image that holds data and is not sampled already, or -1: none does.
     * Every track is looked at (holes the file system reports are passed without reading), so a
     * drive that holds any data has one sampled, and a blank put in its place differs there: the
     * probes alone missed a sparsely written volume's few tracks, and a blank matched its samples
     * of zeros (SparseSwapTest). A drive that holds none is what a blank is, outside its delta.
     */
    private static long firstTrackWithData(Pool pool, StorageFile f, RaidVolume v, int zero, List<Long> sampled)
            throws IOException {
        long tracks = v.rowTracks();
        for (long t = 0; t < tracks; t++) {
            long from = t * pool.trackSize;
            long len = Math.min(pool.trackSize, v.memberRows() - from);
            if (sampled.contains(t) || f.hole(from, len)) {
                continue;
            }
            Integer crc = crcOrNull(pool, f, t, v);
            if (crc != null && crc != zero) {
                return t;
            }
        }
        return -1;
    }

    /** The CRC32Cs of {@code tracks} of the image now ("track:crc", or "track:unreadable"). */
    static List<String> sample(Pool pool, Path image, RaidVolume v, List<Long> tracks) throws IOException {
        List<String> out = new ArrayList<>(tracks.size());
        try (StorageFile f = pool.storage.openRead(image)) {
            for (long t : tracks) {
                Integer crc = crcOrNull(pool, f, t, v);
                out.add(t + ":" + (crc == null ? UNREADABLE : Integer.toHexString(crc)));
            }
        }
        return out;
    }

    /** A sample that could not be read (a drive taken out because it fails reads): no evidence either way. */
    private static final String UNREADABLE = "unreadable";

    /** The track's CRC32C, or null when it cannot be read (the drive's fault, not the pool's). */
    private static Integer crcOrNull(Pool pool, StorageFile f, long track, RaidVolume v) throws IOException {
        try {
            return trackCrc(pool, f, track, v);
        } catch (IOException e) {
            if (e instanceof org.splitpoint.engine.io.StorageHaltedException) {
                throw e;
            }
            return null;
        }
    }

    /**
     * The track's CRC32C, read {@link Zeros#CHUNK} at a time: a pool's tracks may be up to 1 GiB,
     * and a buffer of a track's size per sample was a gigabyte of heap each.
     */
    private static int trackCrc(Pool pool, StorageFile f, long track, RaidVolume v) throws IOException {
        long from = track * pool.trackSize;
        long end = from + Math.max(0, Math.min(pool.trackSize, v.memberRows() - from));
        CRC32C crc = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(Zeros.CHUNK, end - from));
        for (long at = from; at < end; at += b.capacity()) {
            b.clear().limit((int) Math.min(b.capacity(), end - at));
            f.readFully(at, b);
            crc.update(b.flip());
        }
        return (int) crc.getValue();
    }

    /** The CRC32C of a track of zeros (a blank image's tracks), without a track-sized buffer. */
    static int zeroTrackCrc(Pool pool) {
        CRC32C crc = new CRC32C();
        for (long left = pool.trackSize; left > 0; left -= Zeros.CHUNK) {
            crc.update(Zeros.of((int) Math.min(Zeros.CHUNK, left)));
        }
        return (int) crc.getValue();
    }

    /**
     * Why the drive coming back must be rebuilt whole, or null: a replacement whose image is blank,
     * or an image that changed outside the engine (a sampled track's checksum differs).
     */
    static String wholeRebuildReason(Pool pool, PoolConfig.ServiceRecord r, RaidVolume v, StorageFile f) throws IOException {
        boolean blank = true;
        boolean changed = false;
        boolean heldData = false;
        int zeroCrc = zeroTrackCrc(pool);
        for (String s : r.samples()) {
            int colon = s.indexOf(':');
            long t = Long.parseLong(s.substring(0, colon));
            Integer now = crcOrNull(pool, f, t, v);
            if (now == null) {
                return "its image cannot be read back (track " + t + " fails to read)";
            }
            blank &= now == zeroCrc;
            if (s.endsWith(":" + UNREADABLE)) {
                continue; // unreadable when it left: says nothing about it now
            }
            int was = Integer.parseUnsignedInt(s.substring(colon + 1), 16);
            changed |= now != was;
            heldData |= was != zeroCrc;
        }
        if (r.reason() == OfflineReason.REPLACEMENT && blank) {
            return "its image is blank (a new drive replaced it)";
        }
        if (changed) {
            return "its image changed outside Splitpoint while it was offline (sampled tracks differ)";
        }
        if (r.reason() == OfflineReason.REPLACEMENT && !heldData) {
            // nothing sampled shows it is the drive that left: a replacement is not trusted on no evidence
            return "it was taken out for replacement and no sampled track shows it is the same drive";
        }
        if (!heldData && firstTrackWithData(pool, f, v, zeroCrc, List.of()) >= 0) {
            // it held no data when it left (sampling scans for some), and no write reached it since:
            // data now is another drive's, whose zeros happened to lie where the samples are
            return "its image holds data where it held none when it went offline (another drive's image?)";
        }
        return null;
    }
}
