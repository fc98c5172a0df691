package org.splitpoint.app.drill;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.pool.Drill;

/**
 * Past drills, newest first, from the pool's event log: each finished drill published a DRILL event
 * whose message is its result's summary ("drill on prod/d2 (firmware, pointers): 37 of 1024 tracks
 * resynced …") with the engine's severity (critical when a write read back wrong, a warning when a
 * second failure took tracks, which the figures name: "(70 tracks lost)"). A drill's start
 * ("drill started on …") is not a result and is left out; an event seen twice (the log's history
 * and live) is listed once. UI thread only.
 */
public final class DrillHistory {

    public static final String TYPE = "DRILL";
    static final int MAX = 100;

    /** One past drill: when, how it went (the event's severity), "drill on prod/d2 (firmware, pointers)", the figures. */
    public record Row(Instant time, StateLook look, String title, String figures) { }

    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final ObservableList<Row> rowsView = FXCollections.unmodifiableObservableList(rows);
    private final Set<Event> seen = new HashSet<>();

    public ObservableList<Row> rows() {
        return rowsView;
    }

    /** Takes a batch of events; adds the finished drills among them. */
    public void add(List<Event> batch) {
        List<Row> fresh = new ArrayList<>();
        for (Event e : batch) {
            Row r = rowOf(e);
            if (r != null && seen.add(e)) {
                fresh.add(r);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        List<Row> all = new ArrayList<>(rows);
        all.addAll(fresh);
        all.sort(Comparator.comparing(Row::time).reversed());
        rows.setAll(all.size() > MAX ? all.subList(0, MAX) : all);
    }

    /** The row of a finished drill's event, or null for any other event. */
    static Row rowOf(Event e) {
        if (!TYPE.equals(e.type()) || e.message() == null || !e.message().startsWith("drill on ")) {
            return null;
        }
        String m = e.message();
        int colon = m.indexOf("): ");
        String title = colon < 0 ? m : m.substring(0, colon + 1);
        String figures = colon < 0 ? "" : m.substring(colon + 3);
        return new Row(e.time(), verdict(e.severity(), Drill.lostTracksIn(figures)), title, figures);
    }

    /**
     * The verdict a result card gave, from the severity the engine gave its event; a drill whose
     * figures name tracks lost did not pass, whatever its event's severity (an engine before 2026-12
     * logged a pointers drill that lost only the hosts' tracks as INFO).
     */
    static StateLook verdict(Severity s, long lostTracks) {
        return switch (s == Severity.INFO && lostTracks > 0 ? Severity.WARNING : s) {
            case INFO -> new StateLook("PASSED", StateLook.Glyph.CHECK, StateLook.Tone.OK);
            case WARNING -> new StateLook("LOSS AS PREDICTED", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN);
            case CRITICAL -> new StateLook("FAILED", StateLook.Glyph.CROSS, StateLook.Tone.BAD);
        };
    }
}
