package org.splitpoint.engine.backup;

/**
 * One track of an image fails its check (its SHA-256, or its length): that track is damaged, the
 * rest of the image may still be read. A restore copies every other track and leaves this one owed.
 */
public final class DamagedTrackException extends BackupException {
    private final long track;

    public DamagedTrackException(long track, String message) {
        super(message);
        this.track = track;
    }

    /** The damaged track. */
    public long track() {
        return track;
    }
}
