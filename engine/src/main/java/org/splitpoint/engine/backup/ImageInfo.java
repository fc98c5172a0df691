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
