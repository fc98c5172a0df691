package org.splitpoint.engine.meta;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file was replaced (renamed over its target: the new content is what the file system shows) but
 * its directory could not be synced: after a power cut either the old or the new content may be
 * there. Unlike a replacement that failed before its rename, it cannot be taken back: a caller must
 * not act as if the old content were still the file's.
 */
public final class UnsyncedReplaceException extends IOException {

    public UnsyncedReplaceException(Path target, IOException cause) {
        super(target.getFileName() + " was replaced but its directory could not be synced (" + cause.getMessage() + ")", cause);
    }
}
