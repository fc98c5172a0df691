package org.splitpoint.app.journal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PoolConfig.ShipRecord;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;

/**
 * What the journal card says, from the engine's journal status and the pool's snapshot: the state,
 * its sentence, the legs, the gauges, when it ships next and how the last ships went. Pure, so the
 * sentences are tested without a toolkit.
 */
final class JournalFacts {

    /** One leg of the journal: its drive, the drive's state, and whether the journal still writes to it. */
    record Leg(String drive, DriveState state, boolean healthy) {
        /** The state shown: a leg the journal dropped is FAILED whatever the snapshot lags behind with. */
        DriveState shown() {
            return healthy || state == DriveState.MISSING ? state : DriveState.FAILED;
        }
    }

    /** One ship: when, whether it went through, and what it made ("12 tracks → data-…-journal") or why not. */
    record ShipLine(String when, boolean ok, String text) { }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private JournalFacts() {
    }

    /** The worst that holds; {@code baseBackupRunning}: a backup of the volume runs (it gives the journal its base). */
    static JournalState state(JournalAdmin.Status s, boolean baseBackupRunning) {
        if (s == null) {
            return JournalState.OFF;
        }
        if (s.unprotected()) {
            return JournalState.UNPROTECTED;
        }
        if (!s.protecting()) {
            return baseBackupRunning ? JournalState.STARTING : JournalState.NOT_PROTECTING;
        }
        if (s.storeProblem() != null) {
            return JournalState.CANNOT_SHIP; // it said PROTECTING with its store moved away (seen by hand)
        }
        return s.legsHealthy().contains(false) ? JournalState.DEGRADED : JournalState.PROTECTING;
    }

    /**
     * The state's sentence: what it means for the volume and what to do; {@code backupFailed} is why
     * the volume's last backup failed (null when it did not), said while the journal has no base;
     * {@code waitsFor} the restore under way that the base backup waits for (null: none).
     */
    static String headline(JournalState st, JournalAdmin.Status s, PoolSnapshot.VolumeView v, String backupFailed,
                           String waitsFor) {
        String volume = v == null ? "the volume" : v.name();
        String layout = v == null ? "its layout" : v.layout().word();
        if (v != null && v.state() == VolumeState.FAILED && (st == JournalState.PROTECTING || st == JournalState.DEGRADED)) {
            return "Volume " + volume + " is FAILED: the journal holds its writes since image " + s.base() + ". Rebuild it"
                    + " from backup + journal (the banner above) to bring it back as of its last acknowledged write.";
        }
        return switch (st) {
            case OFF -> "Writes are protected by " + layout + " alone. A journal keeps a second copy of every write on"
                    + " two SPARE drives until it is shipped into a backup store: after losing more drives than "
                    + layout + " survives, " + volume + " is rebuilt to its last acknowledged write.";
            case PROTECTING -> "Every write is also in the journal, mirrored on " + String.join(" and ", s.drives())
                    + ": " + volume + " can be rebuilt from image " + s.base() + " plus the journal, to its last"
                    + " acknowledged write.";
            case CANNOT_SHIP -> "The journal cannot ship into its store: " + s.storeProblem() + ". It keeps every"
                    + " write of " + volume + " on " + String.join(" and ", s.drives()) + " meanwhile, but image "
                    + s.base() + " is out of reach: bring the store back (it ships then), or disable the journal and"
                    + " enable it with another store.";
            case DEGRADED -> {
                String lost = s.drives().get(s.legsHealthy().get(0) ? 1 : 0);
                String kept = s.drives().get(s.legsHealthy().get(0) ? 0 : 1);
                yield "Journal drive " + lost + " FAILED: the journal carries on on " + kept + " alone, unmirrored."
                        + " Replace " + lost + " in the drive bay; it gets every entry from " + kept + ".";
            }
            case UNPROTECTED -> "Both journal drives failed (" + String.join(", ", s.drives()) + "): " + volume
                    + " keeps serving, but its writes are not journaled" + (s.base() == null ? "" : " and it cannot be"
                    + " rebuilt past image " + s.base()) + ". Disable the journal and enable it on two other drives.";
            case STARTING -> "The base backup into " + s.store() + " is running: the journal protects " + volume
                    + " once it completes.";
            case NOT_PROTECTING -> "No base image: the journal holds writes but has nothing to rebuild onto."
                    + (backupFailed == null ? "" : " Its last backup failed: " + backupFailed + ".") + " A backup"
                    + " into " + s.store() + " gives it one " + (waitsFor != null
                    // it said "within a minute" while the restore held the backup back, for as long as it ran
                    ? "(the journal starts one as soon as the " + waitsFor + " has ended)."
                    : s.nextBaseTrySeconds() == null
                    ? "(the journal starts one within a minute)." : "(the journal tries again in "
                    + Format.duration(s.nextBaseTrySeconds()) + "; its tries back off up to an hour).");
        };
    }

    /**
     * Why the newest backup of {@code volume} among the jobs kept failed, or null when it did not (or
     * none is kept): a journal without a base says it, else it looked as if none had been tried.
     */
    static String lastBackupFailure(PoolSnapshot snap, String volume) {
        JobProgress last = null;
        for (JobProgress p : snap == null ? List.<JobProgress>of() : snap.jobs()) { // the pool lists jobs as started
            if (p.kind().equals("backup") && p.target().equals(volume)) {
                last = p;
            }
        }
        if (last == null || last.state() != JobState.FAILED) {
            return null;
        }
        String m = last.message() == null ? "" : last.message().strip();
        return m.isEmpty() ? "job " + last.id() + " FAILED" : m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }

    static List<Leg> legs(JournalAdmin.Status s, PoolSnapshot snap) {
        List<Leg> out = new ArrayList<>();
        for (int i = 0; i < s.drives().size(); i++) {
            String d = s.drives().get(i);
            PoolSnapshot.DriveView dv = snap == null ? null : snap.drive(d);
            out.add(new Leg(d, dv == null ? DriveState.MISSING : dv.state(), s.legsHealthy().get(i)));
        }
        return out;
    }

    /** The journal's bytes against its max size: a ship starts when it is reached. */
    static Gauge size(JournalAdmin.Status s) {
        double f = s.maxSize() <= 0 ? 0 : (double) s.bytes() / s.maxSize();
        return new Gauge(f, Format.size(s.bytes()) + " of " + Format.size(s.maxSize()), Gauge.Level.of(f));
    }

    /** The oldest entry's age against the max age; no bar without a max age. */
    static Gauge age(JournalAdmin.Status s) {
        boolean limited = s.maxAgeSeconds() > 0;
        if (s.entries() == 0) {
            // the limit itself is in "Next ship"
            return new Gauge(limited ? 0 : -1, "none waiting", Gauge.Level.LOW);
        }
        if (!limited) {
            return new Gauge(-1, Format.duration(s.oldestAgeSeconds()) + " · no age limit", Gauge.Level.LOW);
        }
        double f = (double) s.oldestAgeSeconds() / s.maxAgeSeconds();
        return new Gauge(f, Format.duration(s.oldestAgeSeconds()) + " of " + Format.duration(s.maxAgeSeconds()),
                Gauge.Level.of(f));
    }

    /** "12 entries · 1.2 MiB". */
    static String entries(JournalAdmin.Status s) {
        return Format.count(s.entries()) + (s.entries() == 1 ? " entry" : " entries") + " · " + Format.size(s.bytes());
    }

    /** When the journal ships next, in the app's words (the engine's names the CLI command). */
    static String nextShip(JournalAdmin.Status s, boolean shipping) {
        if (shipping) {
            return "shipping now";
        }
        if (s.unprotected()) {
            return "never: the journal lost both its drives";
        }
        if (!s.protecting()) {
            return "once it has a base image";
        }
        return "when it holds " + Format.size(s.maxSize()) + (s.maxAgeSeconds() > 0 ? " or its oldest entry is "
                + Format.duration(s.maxAgeSeconds()) + " old" : "");
    }

    /** The last ships, newest first. */
    static List<ShipLine> ships(JournalAdmin.Status s, ZoneId zone, LocalDate today) {
        List<ShipLine> out = new ArrayList<>();
        for (ShipRecord r : s.recentShips()) {
            boolean ok = r.result() != null && r.result().startsWith("ok");
            out.add(0, new ShipLine(when(r.at(), zone, today), ok, r.result() == null ? "" : ok ? made(r.result()) : r.result()));
        }
        return out;
    }

    private static final java.util.regex.Pattern SHIPPED = java.util.regex.Pattern.compile(
            "ok: image (\\S+), (\\d+) tracks?");

    /** The engine's "ok: image data-…-journal, 12 tracks" as "12 tracks → data-…-journal": the count differs most. */
    static String made(String result) {
        java.util.regex.Matcher m = SHIPPED.matcher(result);
        return m.matches() ? Format.tracks(Long.parseLong(m.group(2))) + " → " + m.group(1)
                : result.replaceFirst("^ok:?\\s*", "");
    }

    /** A ship's time: the time of day when it is today, else the day too. */
    static String when(String iso, ZoneId zone, LocalDate today) {
        try {
            var t = Instant.parse(iso).atZone(zone);
            return t.toLocalDate().equals(today) ? TIME.format(t) : DAY_TIME.format(t);
        } catch (RuntimeException e) {
            return String.valueOf(iso);
        }
    }
}
