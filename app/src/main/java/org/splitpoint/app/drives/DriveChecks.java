package org.splitpoint.app.drives;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import org.splitpoint.engine.pool.DriveRules;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.PoolSnapshot.DriveView;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;
import org.splitpoint.engine.pool.Refusal;
import org.splitpoint.engine.pool.Sizes;

/**
 * Why a drive verb is disabled, for the drive bay and the Drills view: the engine's {@link DriveRules}
 * decide and word it — the sentence {@code drive fail|replace|offline|online} would print in that
 * state, naming the app's button where it names a CLI verb ({@link org.splitpoint.app.common.AppWords})
 * — after the app's own "loading" and "select a drive"; and what a replacement does, for its
 * confirmation.
 */
public final class DriveChecks {

    private DriveChecks() {
    }

    /** Why {@code rule} refuses the verb on drive {@code name} in {@code s}; "" when it is allowed. */
    public static String whyNot(PoolSnapshot s, String name, BiFunction<PoolSnapshot, String, Refusal> rule) {
        if (s == null) {
            return "the pool is still loading";
        }
        if (name == null || name.isBlank()) {
            return "select a drive first";
        }
        if (s.drive(name) == null) {
            return "drive " + name + " is no longer in the pool";
        }
        return org.splitpoint.app.common.AppWords.of(Refusal.sentenceOf(rule.apply(s, name)));
    }

    /** What replacing {@code name} does; null when it is not in the snapshot. */
    static ReplacePlan plan(PoolSnapshot s, String name) {
        DriveView d = s == null || name == null ? null : s.drive(name);
        if (d == null) {
            return null;
        }
        Path image = Path.of("drives", name + ".img");
        String keptAs = name + ".img.replaced-<date and time>"; // the engine stamps each set-aside image
        String size = Sizes.format(d.size());
        VolumeView v = d.volume() == null ? null : s.volume(d.volume());
        if (v == null) {
            return new ReplacePlan(name, d.state().name(), size, null, null, null, List.of(), image.toString(), keptAs);
        }
        List<String> sources = v.drives().stream()
                .filter(n -> !n.equals(name) && s.drive(n) != null && s.drive(n).state() == DriveState.ONLINE)
                .toList();
        return new ReplacePlan(name, d.state().name(), size, v.name(), v.layout().word(), v.state().name(), sources,
                image.toString(), keptAs);
    }
}
