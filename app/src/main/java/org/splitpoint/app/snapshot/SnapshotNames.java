package org.splitpoint.app.snapshot;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * Snapshot names as the engine takes them: a letter, then up to 62 letters, digits, '_', '.' or
 * '-' (the engine's rule and sentence, repeated here because its check is not public, so a name is
 * judged as it is typed); a proposal from the local time ("snap-20261202-0812"), made unique.
 */
public final class SnapshotNames {

    /** The engine's name rule (pool.Validation). */
    static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");

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
        if (!NAME.matcher(name).matches()) {
            return "'" + name + "' is not a valid snapshot name (a letter, then up to 62 letters, digits, '_', '.' or '-')";
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
