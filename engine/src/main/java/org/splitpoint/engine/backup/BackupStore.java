package org.splitpoint.engine.backup;

import java.io.IOException;
import java.util.List;

/**
 * Where backup images live. One small interface, so that an object store can be added later
 * without touching the backup or the restore: a directory today ({@link DirectoryStore}).
 *
 * <p>Images are immutable once sealed. A sealed image is listed only when its manifest is valid;
 * an image still being written (or left half-written by a crash) is never taken for one.
 */
public interface BackupStore {

    /** The store's identity, recorded with a volume's last backup so incrementals chain correctly. */
    String uuid();

    /** Where the store is, for sentences ("/backups", later "s3://..."). */
    String describe();

    /** The sealed images, oldest first. */
    List<ImageInfo> list() throws IOException;

    /** Ids of images whose writing never finished (a crash or a failed backup). */
    List<String> unfinished() throws IOException;

    /** Opens a sealed image for reading (its index loaded, its tracks checked as they are read). */
    ImageReader open(String id) throws IOException;

    /** Starts a new image described by {@code header} (sums and counts are filled in when sealed). */
    ImageWriter create(ImageInfo header) throws IOException;

    /** Reopens an unfinished image to go on writing it (after a crash); torn records are dropped. */
    ImageWriter resume(String id) throws IOException;

    /** Deletes a sealed or unfinished image. */
    void delete(String id) throws IOException;
}
