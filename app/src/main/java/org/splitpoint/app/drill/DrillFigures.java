package org.splitpoint.app.drill;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.pool.Drill;
import org.splitpoint.engine.pool.LogMode;

/**
 * The result card of a drill, from the engine's {@link Drill.Result}: a verdict (PASSED; LOSS AS
 * PREDICTED when pointers mode lost the tracks a second failure took, which it promises to say;
 * FAILED when a write read back wrong, parity disagreed, or a mode that promises no loss lost
 * bytes — the engine's {@link Drill.Result#severity}, which its DRILL event carries, so the card and
 * the list of past drills agree), a headline, and the figures, each with a tone so the one that
 * matters stands out.
 *
 * @param resyncFraction tracks resynced over a full rebuild's, 0..1 (the card draws it as a bar)
 * @param timeFraction   the resync's time over the estimated full rebuild's, 0..1
 */
public record DrillFigures(StateLook verdict, String headline, List<Figure> figures, double resyncFraction,
                           double timeFraction) {

    /** One line of the card: {@code key} ("Bytes lost"), {@code value}, and its tone. */
    public record Figure(String id, String key, String value, StateLook.Tone tone) { }

    public static DrillFigures of(Drill.Result r) {
        return of(r, null);
    }

    /**
     * As {@link #of(Drill.Result)}, knowing the {@code plan} run: a second failure it asked for that did
     * not happen is said. Every mode counts member-row tracks (a repository replay: the rows its
     * writes changed), so all are measured against a full rebuild of the drive.
     */
    public static DrillFigures of(Drill.Result r, Drill.Plan plan) {
        double share = r.resyncFraction();
        boolean secondMissed = plan != null && plan.secondFailureAfter() != null && r.secondFailure() == null;
        boolean pointers = r.mode() == LogMode.POINTERS;
        // the engine's verdict, the one its DRILL event carries and the list of past drills shows
        boolean bad = r.severity() == Severity.CRITICAL;
        boolean predictedLoss = r.severity() == Severity.WARNING;
        // tracks the second failure took that were not the drill's test data are the hosts' (PASSED
        // read "No acknowledged write was lost" beside "47 tracks lost")
        boolean hostsLost = r.bytesLost() == 0 && r.lostTracks() > 0;
        StateLook verdict = bad ? new StateLook("FAILED", StateLook.Glyph.CROSS, StateLook.Tone.BAD)
                : predictedLoss ? new StateLook("LOSS AS PREDICTED", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)
                : new StateLook("PASSED", StateLook.Glyph.CHECK, StateLook.Tone.OK);
        String pct = percent(share);
        String headline;
        if (bad) {
            headline = "The drill found a problem: " + problems(r) + ".";
        } else if (predictedLoss && r.bytesLost() == 0) {
            headline = "The second failure cost " + Format.tracks(r.lostTracks()) + " the hosts wrote in the window,"
                    + " as pointers mode says it would; reads of them fail until they are written whole or restored.";
        } else if (predictedLoss) {
            headline = "The second failure cost " + Format.size(r.bytesLost()) + " of the workload's writes (" + r.lostTracks()
                    + " tracks), as pointers mode says it would; reads of them fail, never returning stale data.";
        } else if (r.wholeRebuild() != null) {
            headline = "No acknowledged write was lost; " + r.drive() + " was rebuilt whole (" + r.wholeRebuild() + ").";
        } else {
            headline = "No acknowledged write was lost; " + (r.mode() == LogMode.REPOSITORY
                    ? "only the window's writes were replayed: " + pct + " of a full rebuild's tracks"
                    : "only the delta went back to " + r.drive() + ": " + pct + " of a full rebuild")
                    + (r.secondFailure() == null ? "." : ", with " + r.secondFailure() + " failing in the window.");
        }
        if (secondMissed) {
            // ended early on request: expected, said as such (it read as a drill that went wrong, in amber)
            headline += r.endedEarly() ? " The window was ended early, before the second failure was due."
                    : " The second failure asked for did not happen.";
        }
        List<Figure> f = new ArrayList<>();
        f.add(new Figure("figResynced", r.mode() == LogMode.REPOSITORY ? "Tracks replayed" : "Tracks resynced",
                Format.count(r.tracksResynced()) + " of " + Format.count(r.totalTracks()) + " · " + pct
                        + " of a full rebuild" + r.resyncedBeyondDelta(), StateLook.Tone.OK));
        boolean slower = r.estimatedFullRebuildSeconds() > 0 && r.resyncSeconds() > r.estimatedFullRebuildSeconds();
        f.add(new Figure("figResyncTime", "Resync time", seconds(r.resyncSeconds()) + (r.estimatedFullRebuildSeconds() > 0
                ? " vs ~" + seconds(r.estimatedFullRebuildSeconds()) + " for a full rebuild" + (slower ? " (slower)" : "")
                : " (no track could be resynced: nothing to estimate a full rebuild from)"),
                slower ? StateLook.Tone.WARN : StateLook.Tone.OK));
        f.add(new Figure("figWrites", "Writes in the window", (r.testData()
                ? Format.count(r.writes()) + " (" + Format.size(r.bytesWritten()) + ")"
                : hostsDelta(r.deltaTracks(), r.deltaBytes()))
                + (r.writesRefused() > 0 ? ", " + Format.count(r.writesRefused()) + " refused" : ""),
                r.writesRefused() > 0 ? StateLook.Tone.WARN : StateLook.Tone.IDLE));
        if (r.endedEarly()) {
            // End drill now (or 'drill end'): when, against the plan, as the engine's "ended early" step says it
            String d = r.timeline().stream().filter(s -> s.name().equals(Drill.ENDED_EARLY)).map(Drill.Step::detail)
                    .findFirst().orElse("").replaceFirst("^the window was ended", "ended");
            f.add(new Figure("figWindow", "Window", d.isEmpty() ? "ended early" : Character.toUpperCase(d.charAt(0))
                    + d.substring(1), StateLook.Tone.SERVICE));
        }
        f.add(new Figure("figLost", "Bytes lost", hostsLost && r.bytesLost() == 0 ? Format.tracks(r.lostTracks())
                + " of the hosts' writes" : r.bytesLost() == 0 ? "0"
                : Format.size(r.bytesLost()) + " (" + Format.count(r.bytesLost()) + " bytes, " + Format.tracks(r.lostTracks()) + ")",
                r.bytesLost() == 0 && !hostsLost ? StateLook.Tone.OK : pointers ? StateLook.Tone.WARN : StateLook.Tone.BAD));
        f.add(new Figure("figMismatches", "Verify mismatches", Format.count(r.verifyMismatches()),
                r.verifyMismatches() == 0 ? StateLook.Tone.OK : StateLook.Tone.BAD));
        f.add(new Figure("figErrors", "Workload errors", Format.count(r.workloadErrors()),
                r.workloadErrors() == 0 ? StateLook.Tone.OK : StateLook.Tone.BAD));
        if (secondMissed) {
            f.add(new Figure("figSecond", "Second failure", r.endedEarly()
                    ? "did not happen: the window was ended before it was due"
                    : "did not happen: the window closed before it was due",
                    r.endedEarly() ? StateLook.Tone.IDLE : StateLook.Tone.WARN));
        } else {
            f.add(new Figure("figSecond", "Second failure", r.secondFailure() == null ? "none"
                    : r.secondFailure() + " FAILED in the window; replaced and rebuilt after", r.secondFailure() == null
                    ? StateLook.Tone.IDLE : StateLook.Tone.SERVICE));
        }
        if (r.wholeRebuild() != null) {
            f.add(new Figure("figWhole", "Whole rebuild", r.wholeRebuild(), StateLook.Tone.SERVICE));
        }
        double est = r.estimatedFullRebuildSeconds();
        return new DrillFigures(verdict, headline, List.copyOf(f), clamp(share),
                est <= 0 ? 0 : clamp(r.resyncSeconds() / est));
    }

    /**
     * "hosts' writes: 102 tracks (6.4 MiB) in the delta": a drill without test data wrote nothing
     * itself, so its count said "0" where the hosts' writes had filled the delta.
     */
    static String hostsDelta(long tracks, long bytes) {
        return "hosts' writes: " + Format.count(tracks) + (tracks == 1 ? " track (" : " tracks (") + Format.size(bytes)
                + ") in the delta";
    }

    private static String problems(Drill.Result r) {
        List<String> p = new ArrayList<>();
        if (r.workloadErrors() > 0) {
            p.add(Format.count(r.workloadErrors()) + " blocks read back wrong");
        }
        if (r.verifyMismatches() > 0) {
            p.add(Format.count(r.verifyMismatches()) + " mismatched sectors");
        }
        if ((r.bytesLost() > 0 || r.lostTracks() > 0) && r.mode() != LogMode.POINTERS) {
            p.add((r.bytesLost() > 0 ? Format.size(r.bytesLost()) : Format.tracks(r.lostTracks())) + " lost in "
                    + r.mode().word() + " mode, which promises no loss");
        }
        return String.join(", ", p);
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    /** 0.0361 → "3.61%"; 0.425 → "42.5%": below 10% two decimals, so a small delta does not read as 0. */
    static String percent(double fraction) {
        double p = 100 * Math.max(0, fraction);
        return String.format(Locale.ROOT, p < 10 ? "%.2f%%" : "%.1f%%", p);
    }

    /** 0.123 → "0.12 s"; 42.5 → "42.5 s"; 190 → "3 min 10 s". */
    static String seconds(double s) {
        if (s < 10) {
            return String.format(Locale.ROOT, "%.2f s", s);
        }
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        return Format.duration(Math.round(s));
    }
}
