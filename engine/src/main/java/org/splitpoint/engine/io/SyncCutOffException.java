package org.splitpoint.engine.io;

import java.nio.file.Path;

/**
 * A force (fdatasync) of a file (a drive image, a bitmap) that an interrupt cut off: the JDK closed the descriptor it
 * ran on, so its answer never came back. It is not done again on a new descriptor, as other
 * operations are: if the kernel had a failed write-back to report, that fsync took the report (Linux
 * tells it once per open file and marks the pages it could not write clean), and a second fsync
 * would answer success over writes that are not on disk. So the outcome is unknown, and taken as
 * the loss it may be: a {@link WritesLostException}, which the engine heals from the other drives
 * as after a flush that failed for want of space; the drive is not at fault.
 */
public class SyncCutOffException extends WritesLostException {
    public SyncCutOffException(Path path, Throwable cause) {
        super("the sync of " + path + " was cut off by an interrupt (its descriptor was closed while it ran):"
                + " whether the writes before it reached the disk is unknown", cause);
    }
}
