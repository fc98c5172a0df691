package org.splitpoint.engine.io;

import java.io.IOException;

/**
 * Every file stopped answering at once: the machine lost power or the process is going away (the
 * fault injector throws it after a simulated power cut). It is not the failure of one drive, so the
 * engine never records a drive failure for it; whatever was not durable is settled at the next open.
 */
public class StorageHaltedException extends IOException {
    public StorageHaltedException(String message) {
        super(message);
    }
}
