package org.splitpoint.app.lifecycle;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableSet;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * "New volume": a name, a layout, the drives picked from the bay's free SPARE drives, and a size
 * (empty: all they hold). The rule line says, as drives are ticked, how many the layout needs and
 * what the chosen ones hold; the problem names the first field that is wrong; the engine's refusal
 * is shown in its words.
 */
public final class NewVolumeForm extends LifecycleForm {

    /** A free SPARE drive that can be picked. */
    public record Spare(String name, long size) { }

    private final List<Spare> spares;
    private final List<String> taken;

    // ---- properties
    private final StringProperty name = new SimpleStringProperty();
    private final ObjectProperty<Layout> layout = new SimpleObjectProperty<>();
    private final ObservableSet<String> chosen = FXCollections.observableSet(new java.util.LinkedHashSet<>());
    private final StringProperty size = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper rule = new ReadOnlyStringWrapper();

    NewVolumeForm(PoolBridge bridge, ActionStatus status, PoolSnapshot s) {
        super(bridge, status);
        this.spares = freeSpares(s);
        this.taken = s.volumes().stream().map(PoolSnapshot.VolumeView::name).toList();
        name.set(freeName(taken, "vol"));
        layout.set(spares.size() >= 3 ? Layout.RAID5 : Layout.RAID1);
        rule.bind(Bindings.createStringBinding(this::ruleLine, layout, chosen));
        watch(name, layout, chosen, size);
    }

    /** The SPARE drives a new volume may take: not a journal's, not a service window's repository. */
    static List<Spare> freeSpares(PoolSnapshot s) {
        List<Spare> out = new ArrayList<>();
        for (PoolSnapshot.DriveView d : s.drives()) {
            if (d.state() == DriveState.SPARE && d.volume() == null && d.journal() == null && d.repository() == null) {
                out.add(new Spare(d.name(), d.size()));
            }
        }
        return out;
    }

    /** {@code prefix}1, 2, … : the first not in {@code taken}. */
    static String freeName(List<String> taken, String prefix) {
        int i = 1;
        while (taken.contains(prefix + i)) {
            i++;
        }
        return prefix + i;
    }

    public List<Spare> spares() {
        return spares;
    }

    public StringProperty nameProperty() {
        return name;
    }

    public ObjectProperty<Layout> layoutProperty() {
        return layout;
    }

    /** The names of the ticked spares. */
    public ObservableSet<String> chosen() {
        return chosen;
    }

    /** The size typed ("512M", "2G"); empty: all the chosen drives hold. */
    public StringProperty sizeProperty() {
        return size;
    }

    /** "raid5 needs at least 3 drives: 2 chosen" / "raid5 over 3 drives of 2 MiB holds 4 MiB …". */
    public ReadOnlyStringProperty ruleProperty() {
        return rule.getReadOnlyProperty();
    }

    /** What the chosen drives hold under the layout, or -1 when too few are chosen. */
    long capacity() {
        Layout l = layout.get();
        if (l == null || chosen.size() < l.minDrives()) {
            return -1;
        }
        long smallest = spares.stream().filter(sp -> chosen.contains(sp.name())).mapToLong(Spare::size).min().orElse(0);
        return RaidVolume.capacity(l, chosen.size(), smallest, l.defaultStripUnit());
    }

    private String ruleLine() {
        Layout l = layout.get();
        if (l == null) {
            return "";
        }
        String needs = switch (l) {
            case RAID1 -> "raid1 mirrors every byte on each chosen drive (at least 2); it holds one drive's worth";
            case RAID3 -> "raid3 keeps parity on one dedicated drive (at least 3); it holds all but one drive's worth";
            case RAID5 -> "raid5 spreads parity over all its drives (at least 3); it holds all but one drive's worth";
        };
        if (chosen.size() < l.minDrives()) {
            return needs + ". Chosen: " + chosen.size() + " of the " + l.minDrives() + " needed.";
        }
        return needs + ". Chosen: " + chosen.size() + " drives, holding " + Sizes.format(capacity())
                + "; it survives " + (l.redundancy(chosen.size()) == 1 ? "one drive failing"
                : l.redundancy(chosen.size()) + " drives failing") + ".";
    }

    @Override
    protected Problem check() {
        String n = name.get() == null ? "" : name.get().trim();
        String bad = nameProblem("volume", n);
        if (bad != null) {
            return Problem.of("name", bad);
        }
        if (taken.contains(n)) {
            return Problem.of("name", "a volume named '" + n + "' already exists; choose another name");
        }
        if (spares.isEmpty()) {
            return Problem.of("drives", "the pool has no free SPARE drive; add drives first");
        }
        Layout l = layout.get();
        if (l == null) {
            return Problem.of("layout", "choose a layout");
        }
        if (chosen.size() < l.minDrives()) {
            return Problem.of("drives", l.word() + " needs at least " + l.minDrives() + " drives; tick "
                    + (l.minDrives() - chosen.size()) + " more");
        }
        long bytes;
        try {
            bytes = bytes();
        } catch (IllegalArgumentException e) {
            return Problem.of("size", e.getMessage());
        }
        if (bytes > capacity()) {
            return Problem.of("size", "the size " + Sizes.format(bytes) + " is larger than the "
                    + Sizes.format(capacity()) + " these drives hold; type at most " + Sizes.format(capacity())
                    + ", leave it empty for all of it, or tick more drives");
        }
        return Problem.NONE;
    }

    /** The size typed in bytes (0: all the drives hold); throws with a sentence when it is not a size. */
    private long bytes() {
        String t = size.get() == null ? "" : size.get().trim();
        if (t.isEmpty()) {
            return 0;
        }
        long b = Sizes.parse(t);
        if (b <= 0 || b % 512 != 0) {
            throw new IllegalArgumentException("the size must be a positive multiple of 512 bytes, not " + t);
        }
        return b;
    }

    @Override
    protected Submission<?> submission() {
        String n = name.get().trim();
        Layout l = layout.get();
        List<String> drives = spares.stream().map(Spare::name).filter(chosen::contains).toList(); // bay order
        long bytes = bytes();
        return new Submission<>(HolderAction.ofState(HolderCommands.createVolume(n, l.word(), drives, bytes),
                (out, state) -> state.volume(n).size(), pool -> {
                    pool.admin().createVolume(n, l, drives, bytes);
                    return pool.snapshot().volume(n).size();
                }), made -> status.succeeded("Created volume " + n + ": " + l.word() + " over " + String.join(", ", drives)
                + ", " + Sizes.format(made)));
    }
}
