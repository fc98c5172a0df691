package org.splitpoint.app.session;

import java.io.IOException;
import java.nio.file.Path;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.pool.ThinProvisioning;

/**
 * The New pool dialog's rules, without the toolkit: each field's value checked in order, the first
 * problem as one sentence (empty when the pool can be created) and the field it is about, which the
 * dialog marks. They mirror the engine's checks so the Create button is disabled before the engine
 * would refuse.
 *
 * @param withDemo also make the demo's volumes and pair (needs 6 drives)
 */
public record NewPoolForm(String directory, int drives, String driveSize, String trackSize, boolean withDemo) {

    /** The dialog's fields, as a problem names the one it is about. */
    public enum Field { DIRECTORY, DRIVES, DRIVE_SIZE, TRACK_SIZE, THIN }

    /** The first problem and its field; {@link #NONE} when the pool can be created. */
    public record Problem(Field field, String sentence) {
        public static final Problem NONE = new Problem(null, "");
    }

    /** Why the pool cannot be created as filled in, or "" when it can. */
    public String problem() {
        return check().sentence();
    }

    /** The first problem with the field it is about, {@link Problem#NONE} when there is none. */
    public Problem check() {
        return checkWith(directoryProblem(directory));
    }

    /**
     * As {@link #check}, with the directory's problem looked at already ({@link #directoryProblem}, off
     * the UI thread): the other fields are judged here without touching the file system.
     */
    public Problem checkWith(String directoryProblem) {
        String why = directoryProblem;
        if (!why.isEmpty()) {
            return new Problem(Field.DIRECTORY, why);
        }
        if (drives < 1 || drives > 256) {
            return new Problem(Field.DRIVES, "a pool has 1 to 256 drives, not " + drives);
        }
        if (withDemo && drives < 6) {
            return new Problem(Field.DRIVES, "the demo volumes and pair need 6 drives");
        }
        why = trackSizeProblem();
        if (!why.isEmpty()) {
            return new Problem(Field.TRACK_SIZE, why);
        }
        why = driveSizeProblem();
        return why.isEmpty() ? Problem.NONE : new Problem(Field.DRIVE_SIZE, why);
    }

    /**
     * As {@link #checkWith(String)}, and then the drives' total against {@code free}, the bytes free
     * on the file system that would hold the pool ({@link #freeSpace}, -1 unknown): the images are
     * sparse, so a pool larger than that is made, thin, as {@code pool create} makes it, but only once
     * {@code thinAccepted} ("I know the drives are thin") is ticked. 64 drives of 64 TiB on 77 GiB
     * free were created without a word.
     */
    public Problem checkWith(String directoryProblem, long free, boolean thinAccepted) {
        Problem p = checkWith(directoryProblem);
        if (p != Problem.NONE || thinAccepted || !thin(free)) {
            return p;
        }
        return new Problem(Field.THIN, "the drives can outgrow the free space: tick 'I know the drives are thin' to create the pool");
    }

    /**
     * What the drives can grow to against {@code free} ({@link ThinProvisioning#sentence}) while the
     * number of drives and their size are right, else "".
     */
    public String provisioning(long free) {
        ThinProvisioning t = typed(free);
        return t == null ? "" : t.sentence();
    }

    /** True when the drives can outgrow {@code free} (false while the count or size is wrong). */
    public boolean thin(long free) {
        ThinProvisioning t = typed(free);
        return t != null && t.thin();
    }

    /** The drives typed against {@code free}; null while their number or size is wrong (their own problem is said). */
    private ThinProvisioning typed(long free) {
        return drives < 1 || drives > 256 || !driveSizeProblem().isEmpty() ? null
                : ThinProvisioning.newDrives(drives, driveBytes(), free);
    }

    /**
     * The bytes free on the file system that would hold a pool in {@code directory} (its nearest
     * existing parent's), as a decimal string; "-1" when it cannot be told. A statfs, which a hung
     * network path holds: the dialog asks it in the background, as it asks {@link #directoryProblem}.
     */
    public static String freeSpace(String directory) {
        try {
            Path dir = directory == null || directory.isBlank() ? null : Path.of(directory.trim());
            return Long.toString(dir == null || !dir.isAbsolute() ? -1 : ThinProvisioning.freeSpace(dir));
        } catch (java.nio.file.InvalidPathException e) {
            return "-1";
        }
    }

    /**
     * Why a pool cannot be made in {@code directory}, "" when it can: the engine's rule, which looks at
     * the directory (a stat, its first entry), so the dialog asks it in the background.
     */
    public static String directoryProblem(String directory) {
        if (directory == null || directory.isBlank()) {
            return "choose a directory for the pool";
        }
        Path dir;
        try {
            dir = Path.of(directory.trim());
        } catch (java.nio.file.InvalidPathException e) {
            return "\"" + directory.trim() + "\" is not a path: " + e.getReason();
        }
        if (!dir.isAbsolute()) {
            return "the directory must be an absolute path";
        }
        try {
            String notHere = Pool.whyNotCreateIn(dir); // the engine's own rule and sentence
            return notHere == null ? "" : notHere;
        } catch (IOException e) {
            return "cannot read " + dir + ": " + e.getMessage();
        }
    }

    private String trackSizeProblem() {
        long track;
        try {
            track = Sizes.parse(trackSize);
        } catch (IllegalArgumentException e) {
            return "track size: " + e.getMessage();
        }
        if (track < 4096 || track > (1L << 30) || Long.bitCount(track) != 1) {
            return "the track size must be a power of two from 4K to 1G";
        }
        return "";
    }

    private String driveSizeProblem() {
        long size;
        try {
            size = Sizes.parse(driveSize);
        } catch (IllegalArgumentException e) {
            return "drive size: " + e.getMessage();
        }
        if (size < (1L << 20)) {
            return "a drive must be at least 1M";
        }
        if (size % 4096 != 0) {
            return "the drive size must be a multiple of 4K";
        }
        if (size > (1L << 46)) {
            return "a drive must be at most 64T";
        }
        return "";
    }

    public Path dir() {
        return Path.of(directory.trim());
    }

    public long driveBytes() {
        return Sizes.parse(driveSize);
    }

    public int trackBytes() {
        return (int) Sizes.parse(trackSize);
    }
}
