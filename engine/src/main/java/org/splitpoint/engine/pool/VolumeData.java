package org.splitpoint.engine.pool;

/**
 * What a restore from a backup may do with what its volume holds now: it replaces all of it with the
 * image's. A FAILED volume holds nothing readable (it is lost beyond its redundancy), so the CLI and
 * the app ask nothing then; the caller says which it had, and the engine checks it at the instant the
 * restore takes the volume, host requests held off ({@link RestoreAdmin#restore(String, java.nio.file.Path,
 * String, boolean, long, VolumeData)}). A volume that left FAILED after that look (a drive brought back,
 * hosts writing to it again) is then never replaced on a question that was never asked.
 *
 * <p>The backup restore's twin of {@link StdWrites} and {@link BcvWrites}.
 */
public enum VolumeData {

    /** Agreed to: the volume's name typed, or {@code --yes}. */
    MAY_BE_REPLACED,

    /** Not asked, the volume being FAILED at the look: the restore is refused, nothing changed, unless it still is. */
    ONLY_IF_FAILED
}
