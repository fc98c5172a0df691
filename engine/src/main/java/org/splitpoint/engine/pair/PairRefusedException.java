package org.splitpoint.engine.pair;

import java.io.IOException;

/**
 * Host I/O the pair's state does not allow (a write to an established BCV). An IOException so it
 * travels the data path; NBD turns it into EPERM, the CLI into exit 1 with this sentence.
 */
public final class PairRefusedException extends IOException {
    public PairRefusedException(String message) {
        super(message);
    }
}
