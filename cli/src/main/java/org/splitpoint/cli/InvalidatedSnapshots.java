package org.splitpoint.cli;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Set;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * The snapshots that were valid before a command wrote to a volume, to say afterwards which of them
 * its writes made invalid. A write whose copy-on-write finds the save area full goes on (the host's
 * write outranks the snapshot) and the snapshot becomes invalid; 'volume write' said only 'wrote N
 * bytes', and the administrator learnt of the lost snapshot at the next 'snapshot list', if then.
 */
final class InvalidatedSnapshots {

    private final Set<String> valid = new HashSet<>();

    private InvalidatedSnapshots() {
    }

    /** The valid snapshots of {@code pool} now. */
    static InvalidatedSnapshots before(Pool pool) throws PoolException {
        InvalidatedSnapshots s = new InvalidatedSnapshots();
        for (SnapshotAdmin.Info i : pool.snapshots().list(null)) {
            if (SnapshotAdmin.VALID.equals(i.state())) {
                s.valid.add(i.ref());
            }
        }
        return s;
    }

    /** One warning on {@code err} for each snapshot valid before and invalid now, with why. */
    void sayAfter(Pool pool, PrintWriter err) throws PoolException {
        for (SnapshotAdmin.Info i : pool.snapshots().list(null)) {
            if (valid.contains(i.ref()) && !SnapshotAdmin.VALID.equals(i.state())) {
                err.println("splitpoint: warning: snapshot " + i.ref() + " is invalid now"
                        + (i.why() == null || i.why().isBlank() ? "" : ": " + i.why())
                        + "; it can no longer be read or restored");
            }
        }
    }
}
