package org.splitpoint.engine.backup;

import java.io.IOException;

/** A backup store, image or chain is missing, damaged or does not fit; the message is one sentence. */
public class BackupException extends IOException {
    public BackupException(String message) {
        super(message);
    }
}
