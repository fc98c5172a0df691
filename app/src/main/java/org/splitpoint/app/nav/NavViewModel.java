package org.splitpoint.app.nav;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.app.volumes.VolumeLook;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.SnapshotAdmin;
import org.splitpoint.engine.pool.VolumeState;

/**
 * The navigation tree's content: the pool, then Drives, Volumes (each volume, and under one that is
 * being restored from a backup, is FAILED (unless a member is in a service window: its return brings the
 * volume back), or was restored in this session, its "Instant restore", or
 * "Rebuild" when that is a rebuild from backup + journal; then its snapshots, oldest first),
 * Pairs (each pair), Backups, Drills (RUNNING while a drill runs) and Serving, each with its state,
 * and which entry is selected (the detail pane shows it).
 */
public final class NavViewModel {

    /** The tree as groups: the pool entry and, under it, each group with its children. */
    public record Tree(NavItem pool, List<Group> groups) { }

    /** A group and its entries; {@code below} holds an entry's own entries by its key (a volume's restore). */
    public record Group(NavItem item, List<NavItem> children, Map<String, List<NavItem>> below) {
        public Group(NavItem item, List<NavItem> children) {
            this(item, children, Map.of());
        }
    }

    private final String poolName;
    private final StringProperty selected = new SimpleStringProperty(NavItem.DRIVES);
    private final ReadOnlyObjectWrapper<Tree> tree = new ReadOnlyObjectWrapper<>();
    private PoolSnapshot snapshot;
    private List<PairView> pairs = List.of();
    private final Set<String> keptRestores = new HashSet<>();
    private final Set<String> rebuilds = new HashSet<>();
    private boolean drilling;
    /** The pool's health as the status bar says it (the snapshot's, or WARNING for a journal's gap), or null. */
    private PoolSnapshot.Health health;

    public NavViewModel(String poolName) {
        this.poolName = poolName;
        rebuild();
    }

    /** The key of the selected entry (the view sets it on a click; commands may set it too). */
    public StringProperty selectedProperty() {
        return selected;
    }

    public ReadOnlyObjectProperty<Tree> treeProperty() {
        return tree.getReadOnlyProperty();
    }

    public void apply(PoolSnapshot s) {
        snapshot = s;
        rebuild();
    }

    public void apply(List<PairView> p) {
        pairs = p;
        rebuild();
    }

    /** Keeps volume {@code name}'s "Instant restore" entry for the session (its view was opened). */
    public void keepRestore(String name) {
        if (keptRestores.add(name)) {
            rebuild();
        }
    }

    /** Names volume {@code name}'s restore entry "Rebuild" while its restore is a rebuild from backup + journal. */
    public void rebuilding(String name, boolean on) {
        if (on ? rebuilds.add(name) : rebuilds.remove(name)) {
            rebuild();
        }
    }

    /**
     * The pool's health as the window says it: the snapshot's, or WARNING where a journal does not
     * protect its volume or cannot ship (PoolViewModel's JournalGaps). The tree's pool entry said the
     * snapshot's HEALTHY beside the status bar's WARNING (seen by hand, a journal's store moved away).
     */
    public void health(PoolSnapshot.Health h) {
        if (h != health) {
            health = h;
            rebuild();
        }
    }

    /** Marks the Drills entry RUNNING while a drill runs. */
    public void drilling(boolean on) {
        if (drilling != on) {
            drilling = on;
            rebuild();
        }
    }

    private void rebuild() {
        PoolSnapshot s = snapshot;
        NavItem pool = new NavItem(NavItem.POOL, poolName, s == null ? null : StateLook.of(health != null ? health : s.health()));
        List<NavItem> volumes = new ArrayList<>();
        Map<String, List<NavItem>> restores = new HashMap<>();
        long badDrives = 0;
        if (s != null) {
            for (PoolSnapshot.VolumeView v : s.volumes()) {
                volumes.add(new NavItem(NavItem.volume(v.name()), v.name(), VolumeLook.of(v, s)));
                List<NavItem> below = new ArrayList<>();
                NavItem r = restoreItem(s, v);
                if (r != null) {
                    below.add(r);
                }
                for (SnapshotAdmin.Info i : s.snapshotsOf(v.name())) {
                    below.add(snapshotItem(i));
                }
                if (!below.isEmpty()) {
                    restores.put(NavItem.volume(v.name()), List.copyOf(below));
                }
            }
            badDrives = s.drives().stream().filter(d -> d.state() == DriveState.FAILED || d.state() == DriveState.MISSING
                    || d.state() == DriveState.REBUILDING).count();
        }
        List<NavItem> ps = new ArrayList<>();
        for (PairView p : pairs) {
            ps.add(new NavItem(NavItem.pair(p.name()), p.name(), org.splitpoint.app.pair.PairLook.brief(p)));
        }
        int drives = s == null ? 0 : s.drives().size();
        NavItem drivesItem = new NavItem(NavItem.DRIVES, "Drives (" + drives + ")",
                badDrives > 0 ? new StateLook("", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN) : null);
        List<Group> groups = List.of(new Group(drivesItem, List.of()),
                new Group(new NavItem(NavItem.VOLUMES, "Volumes (" + volumes.size() + ")", null), volumes, restores),
                new Group(new NavItem(NavItem.PAIRS, "Pairs (" + ps.size() + ")", null), ps),
                new Group(new NavItem(NavItem.BACKUPS, "Backups", null), List.of()),
                new Group(new NavItem(NavItem.DRILLS, "Drills", drilling
                        ? new StateLook("RUNNING", StateLook.Glyph.ARROWS, StateLook.Tone.BUSY) : null), List.of()),
                new Group(new NavItem(NavItem.SERVE, "Serving (NBD)", null), List.of()));
        Tree t = new Tree(pool, groups);
        if (!t.equals(tree.get())) {
            tree.set(t);
        }
    }

    /** A snapshot under its volume: a red cross and INVALID when it is, arrows while the volume is restored to it. */
    private static NavItem snapshotItem(SnapshotAdmin.Info i) {
        StateLook look = !SnapshotAdmin.VALID.equals(i.state()) ? new StateLook("INVALID", StateLook.Glyph.CROSS,
                StateLook.Tone.BAD) : i.restoring() ? StateLook.restoring()
                : new StateLook("", StateLook.Glyph.DOT, StateLook.Tone.BUSY);
        return new NavItem(NavItem.snapshot(i.volume(), i.name()), i.name(), look);
    }

    /**
     * True when a member of volume {@code name} is OFFLINE in a service window: a volume FAILED then
     * (a second failure in the window) comes back when that drive does, losing at most the window's
     * tracks, where a restore from a backup loses every write since the backup. Its page leads with
     * the drive's return, and the tree offers no restore beside it.
     */
    private static boolean inServiceWindow(PoolSnapshot s, String name) {
        return s.drives().stream().anyMatch(d -> d.service() != null && name.equals(d.service().volume()));
    }

    /** The volume's "Instant restore" entry, or null when it has none to show. */
    private NavItem restoreItem(PoolSnapshot s, PoolSnapshot.VolumeView v) {
        JobProgress job = null;
        for (JobProgress j : s.jobs()) {
            if (j.kind().equals("instant-restore") && j.target().equals(v.name())) {
                job = j;
            }
        }
        boolean running = job != null && !job.state().isFinished();
        // under way without a running copy: it failed (damaged tracks) or waits for its store
        boolean stopped = !running && v.restore() != null;
        if (!running && !stopped && !keptRestores.contains(v.name())
                && (v.state() != VolumeState.FAILED || inServiceWindow(s, v.name()))) {
            return null;
        }
        if (running || stopped) {
            keptRestores.add(v.name()); // it stays, so the view does not vanish when the restore ends
        }
        StateLook look = stopped && job == null ? new StateLook(v.restore().waiting() != null ? "WAITING" : "STOPPED",
                StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)
                : job == null ? null : switch (job.state()) {
            case RUNNING -> new StateLook(String.format(java.util.Locale.ROOT, "%.0f%%", 100 * job.fraction()),
                    StateLook.Glyph.ARROWS, StateLook.Tone.BUSY); // short: the tree is narrow
            case PAUSED -> new StateLook("PAUSED", StateLook.Glyph.PAUSE, StateLook.Tone.SERVICE);
            case DONE -> new StateLook("DONE", StateLook.Glyph.CHECK, StateLook.Tone.OK);
            default -> new StateLook(job.state().name(), StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN);
        };
        return new NavItem(NavItem.restore(v.name()), rebuilds.contains(v.name()) ? "Rebuild" : "Instant restore", look);
    }
}
