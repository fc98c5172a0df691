package org.splitpoint.engine.backup;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * One backup image as its manifest describes it. Immutable, like the image once sealed.
 *
 * <p>A full image holds every track of the volume that is not all zeros (a track it does not hold
 * reads as zeros); an incremental holds the tracks changed since its {@code parent}, and a track it
 * does not hold is read from the parent chain. {@code dataSha256} and {@code indexSha256} cover the
 * image's two files whole; the index holds a SHA-256 per track besides.
 */
public record ImageInfo(String id, String store, String volume, long size, int trackSize, String createdAt,
                        String parent, Kind kind, long tracks, long dataBytes, String dataSha256, String indexSha256) {

    /** Full or incremental, as {@code backup list} words them. */
    public enum Kind {
        FULL, INCREMENTAL;

        @JsonValue
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.word().equalsIgnoreCase(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown image kind '" + s + "'");
        }
    }

    public static final String MAGIC = "splitpoint-backup-image";
    public static final int VERSION = 1;

    /**
     * Why this manifest's figures cannot be an image's, or null when they can: its checksum only says
     * it is as a writer left it. A track size of 0 ended 'backup verify' in an internal error (/ by
     * zero); a track size of 3 B or -1 tracks were verified "ok".
     */
    public String impossible() {
        if (trackSize < 4096 || trackSize > (1 << 30) || Integer.bitCount(trackSize) != 1) {
            return "its track size " + trackSize + " is not a power of two from 4K to 1G";
        }
        if (size <= 0 || size % 512 != 0) {
            return "its volume size " + size + " is not a positive multiple of 512 bytes";
        }
        if (tracks < 0 || tracks > volumeTracks()) {
            return "it says the image holds " + tracks + " tracks of a volume of " + volumeTracks();
        }
        if (dataBytes < 0) {
            return "it says the image holds " + dataBytes + " bytes of data";
        }
        return null;
    }

    /** Tracks of the volume the image describes. */
    public long volumeTracks() {
        return (size + trackSize - 1) / trackSize;
    }

    /** The same image, sealed with its contents' figures. */
    ImageInfo sealed(long tracks, long dataBytes, String dataSha256, String indexSha256) {
        return new ImageInfo(id, store, volume, size, trackSize, createdAt, parent, kind, tracks, dataBytes, dataSha256,
                indexSha256);
    }
}
