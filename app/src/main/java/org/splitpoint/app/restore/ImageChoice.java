package org.splitpoint.app.restore;

import java.nio.file.Path;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.backup.ImageInfo;

/** An image to restore from, and the store it is in. */
public record ImageChoice(Path store, ImageInfo image) {

    /** "prod-…-inc · incremental · 2026-12-02 00:28:54 · /backups". */
    public String describe() {
        return image.id() + " · " + image.kind().word() + " · " + Format.when(image.createdAt()) + " · " + store;
    }

    @Override
    public String toString() {
        return describe();
    }
}
