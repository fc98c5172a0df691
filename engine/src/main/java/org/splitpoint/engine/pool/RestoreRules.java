package org.splitpoint.engine.pool;

/**
 * When a volume may be restored — from a backup, to a snapshot, or rebuilt from backup + journal —
 * as far as a {@link PoolSnapshot} shows it, with the sentence when not (policy). The one source
 * of the rules the three restores share: {@link RestoreAdmin} (and so a rebuild) and
 * {@link SnapshotAdmin} check them on a snapshot taken under the pool's monitor before acting,
 * and the app's restore dialogs ask them with the snapshot they show, so a disabled Restore says
 * the CLI's error in that state. Each returns null when the restore is allowed.
 *
 * <p>What differs between the restores (a restore under way, a pair, the image or the snapshot
 * chosen) stays with each operation.
 */
public final class RestoreRules {

    private RestoreRules() {
    }

    /**
     * No drive of {@code volume} in a service window (OFFLINE, or coming back). A restore rewrites
     * every track: the window's delta (a data log or a repository: the bytes themselves) would hold
     * the whole volume, its return be a whole resync, and a second failure in it would cost the
     * restore too; so a restore waits for the window, as a window waits for a restore
     * ({@link DriveRules#offline}).
     */
    public static Refusal window(PoolSnapshot s, String volume) {
        boolean inWindow = s.drives().stream().anyMatch(d -> d.service() != null && volume.equals(d.service().volume()));
        return inWindow ? new Refusal("volume " + volume + " has a drive in a service window; bring it online first") : null;
    }
}
