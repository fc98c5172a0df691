package org.splitpoint.engine.meta;

import java.io.IOException;

/** A state file failed a check (JSON, magic, version, CRC32C, content). The message is one sentence. */
public final class CorruptMetadataException extends IOException {
    public CorruptMetadataException(String message) {
        super(message);
    }
}
