package org.splitpoint.app.nav;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The navigation tree's content: the pool, then Drives, Volumes (each volume) and Pairs (each
 * pair), each with its state, and which entry is selected (the detail pane shows it).
 */
public final class NavViewModel {

    /** The tree as groups: the pool entry and, under it, each group with its children. */
    public record Tree(NavItem pool, List<Group> groups) { }

    public record Group(NavItem item, List<NavItem> children) { }

    private final String poolName;
    private final StringProperty selected = new SimpleStringProperty(NavItem.DRIVES);
    private final ReadOnlyObjectWrapper<Tree> tree = new ReadOnlyObjectWrapper<>();
    private PoolSnapshot snapshot;
    private List<PairView> pairs = List.of();

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

    private void rebuild() {
        PoolSnapshot s = snapshot;
        NavItem pool = new NavItem(NavItem.POOL, poolName, s == null ? null : StateLook.of(s.health()));
        List<NavItem> volumes = new ArrayList<>();
        long badDrives = 0;
        if (s != null) {
            for (PoolSnapshot.VolumeView v : s.volumes()) {
                volumes.add(new NavItem(NavItem.volume(v.name()), v.name(), StateLook.of(v.state())));
            }
            badDrives = s.drives().stream().filter(d -> d.state() == DriveState.FAILED || d.state() == DriveState.MISSING
                    || d.state() == DriveState.REBUILDING).count();
        }
        List<NavItem> ps = new ArrayList<>();
        for (PairView p : pairs) {
            ps.add(new NavItem(NavItem.pair(p.name()), p.name(), StateLook.of(p.state())));
        }
        int drives = s == null ? 0 : s.drives().size();
        NavItem drivesItem = new NavItem(NavItem.DRIVES, "Drives (" + drives + ")",
                badDrives > 0 ? new StateLook("", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN) : null);
        List<Group> groups = List.of(new Group(drivesItem, List.of()),
                new Group(new NavItem(NavItem.VOLUMES, "Volumes (" + volumes.size() + ")", null), volumes),
                new Group(new NavItem(NavItem.PAIRS, "Pairs (" + ps.size() + ")", null), ps),
                new Group(new NavItem(NavItem.SERVE, "Serving (NBD)", null), List.of()));
        Tree t = new Tree(pool, groups);
        if (!t.equals(tree.get())) {
            tree.set(t);
        }
    }
}
