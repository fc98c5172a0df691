package org.splitpoint.app.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The status of every volume's staged backup journal, read off the UI thread. A journal whose
 * status the engine cannot give (it throws when both legs were lost before the pool was opened)
 * is still shown, as what the snapshot says of its drives, so one broken journal neither hides
 * the others nor reads as "no journal".
 */
final class JournalStatuses {

    private JournalStatuses() {
    }

    /** By volume; null when the list of journals changed under the reading (the next refresh sees it settled). */
    static Map<String, JournalAdmin.Status> of(Pool pool, PoolSnapshot s) {
        Map<String, JournalAdmin.Status> out = new TreeMap<>();
        List<String> volumes;
        try {
            volumes = pool.journals().volumes();
        } catch (RuntimeException e) {
            return null;
        }
        for (String v : volumes) {
            try {
                out.put(v, pool.journals().status(v));
            } catch (PoolException e) {
                return null; // disabled under the listing
            } catch (RuntimeException e) {
                out.put(v, fromDrives(v, s));
            }
        }
        return Map.copyOf(out);
    }

    /** A journal as its drives show it: a leg is healthy while its drive is ONLINE; no store, base or entries known. */
    static JournalAdmin.Status fromDrives(String volume, PoolSnapshot s) {
        List<String> drives = new ArrayList<>();
        List<Boolean> healthy = new ArrayList<>();
        for (PoolSnapshot.DriveView d : s.drives()) {
            if (volume.equals(d.journal())) {
                drives.add(d.name());
                healthy.add(d.state() == DriveState.ONLINE);
            }
        }
        while (drives.size() < 2) {
            drives.add("?");
            healthy.add(false);
        }
        boolean none = !healthy.contains(true);
        return new JournalAdmin.Status(volume, drives, healthy, "unknown (the journal's status cannot be read)", null, 0, 0, 0, 0, 0,
                0, null, null, List.of(), false, none, "never", null, null);
    }
}
