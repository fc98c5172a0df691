package org.splitpoint.app.snapshot;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * Snapshot names as the engine takes them (its rule and sentence, {@link SnapshotAdmin#nameProblem},
 * so a name is judged as it is typed); a proposal from the local time ("snap-20261202-0812"), made unique.
 */
public final class SnapshotNames {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmm", Locale.ROOT);

    private SnapshotNames() {
    }

    /** "snap-20261202-0812" at {@code now} in {@code zone}; "-2", "-3"… appended while {@code taken} has it. */
    public static String propose(Instant now, ZoneId zone, Collection<String> taken) {
        String base = "snap-" + STAMP.format(now.atZone(zone));
        String n = base;
        for (int i = 2; taken.contains(n); i++) {
            n = base + "-" + i;
        }
        return n;
    }

    /**
     * Why {@code typed} cannot name a new snapshot of {@code volume} whose snapshots are {@code existing}
     * (surrounding blanks ignored); empty when it can. The engine's sentences.
     */
    public static String whyNot(String typed, String volume, List<SnapshotAdmin.Info> existing) {
        String name = typed == null ? "" : typed.strip();
        if (name.isEmpty()) {
            return "type a name for the snapshot";
        }
        String problem = SnapshotAdmin.nameProblem(name);
        if (problem != null) {
            return problem;
        }
        for (SnapshotAdmin.Info s : existing) {
            if (s.volume().equals(volume) && s.name().equals(name)) {
                return "volume " + volume + " has a snapshot named " + name + " already (" + Format.when(s.createdAt())
                        + "); pick another name or delete that one first";
            }
        }
        return "";
    }
}
