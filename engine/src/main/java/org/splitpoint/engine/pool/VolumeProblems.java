package org.splitpoint.engine.pool;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventBus;
import org.splitpoint.engine.meta.AtomicFile;

/**
 * The volumes' data problems ({@link VolumeProblem}) from when they are found until a repair (or,
 * for mismatches, a clean verify) clears them, kept in {@code meta/problems.json} so that
 * {@code pool status} in another process, and the next opening, still show them. The file is
 * advisory, not part of the data's crash safety: a lost or unreadable one means "no problems on
 * record", said in a note of the opening. A problem raises one event when found (a critical one for a lost
 * write); a growing count of the same problem does not raise more, so a burst is one event.
 */
public final class VolumeProblems {

    private final Pool pool;
    private final Path file;
    /** By volume, then kind; guarded by this. */
    private final Map<String, Map<VolumeProblem.Kind, VolumeProblem>> byVolume = new LinkedHashMap<>();

    VolumeProblems(Pool pool) {
        this.pool = pool;
        this.file = pool.paths.meta().resolve("problems.json");
        load();
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        String why;
        try {
            List<VolumeProblem> all = EventBus.JSON.readValue(AtomicFile.read(pool.storage, file),
                    new TypeReference<List<VolumeProblem>>() { });
            why = all == null ? "it holds no list" : null;
            for (int i = 0; why == null && i < all.size(); i++) {
                VolumeProblem p = all.get(i);
                why = p == null || p.volume() == null || p.kind() == null ? "entry " + (i + 1) + " is not a problem's record" : null;
            }
            if (why == null) {
                for (VolumeProblem p : all) {
                    byVolume.computeIfAbsent(p.volume(), v -> new LinkedHashMap<>()).put(p.kind(), p);
                }
                return;
            }
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            why = "it is not valid JSON";
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            // the parser's words name our types and its source ("No content to map due to end-of-input ...")
            why = e.getMessage() != null && e.getMessage().startsWith("No content") ? "it is empty"
                    : "it is not a list of problems' records";
        } catch (IOException e) {
            why = e.getMessage();
        } catch (RuntimeException e) {
            why = "it is not a list of problems' records";
        }
        // said among the opening's notes, one sentence like every damaged meta/ file's: a logger's warning came out
        // on a CLI command's stderr as three lines with a timestamp and the parser's words
        pool.openNotes.add("the record of the volumes' problems (meta/" + file.getFileName() + ") is damaged (" + why
                + "): it is read as no problems on record; a verify finds a volume's mismatches again");
    }

    /**
     * Records that {@code volume} has a problem of {@code kind}, {@code count} in all so far;
     * the first finding raises an event (critical for lost writes), later counts only update it.
     */
    public void report(String volume, VolumeProblem.Kind kind, long count, String detail) throws IOException, PoolException {
        pool.volume(volume);
        VolumeProblem now;
        boolean fresh;
        synchronized (this) {
            Map<VolumeProblem.Kind, VolumeProblem> m = byVolume.computeIfAbsent(volume, v -> new LinkedHashMap<>());
            VolumeProblem before = m.get(kind);
            fresh = before == null;
            if (!fresh && before.count() == count && before.detail().equals(detail)) {
                return;
            }
            String since = fresh ? Instant.now().truncatedTo(ChronoUnit.SECONDS).toString() : before.since();
            now = new VolumeProblem(volume, kind, count, since, detail);
            m.put(kind, now);
            save();
        }
        if (fresh) {
            pool.events.publish(now.critical() ? Event.critical("VOLUME_PROBLEM", volume, now.sentence())
                    : Event.warning("VOLUME_PROBLEM", volume, now.sentence()));
        }
    }

    /** Clears {@code volume}'s problems of the given kinds ({@code why}: "repaired"), with an event if any stood. */
    public void clear(String volume, String why, VolumeProblem.Kind... kinds) throws IOException {
        List<String> gone = new ArrayList<>();
        synchronized (this) {
            Map<VolumeProblem.Kind, VolumeProblem> m = byVolume.get(volume);
            if (m == null) {
                return;
            }
            for (VolumeProblem.Kind k : kinds) {
                if (m.remove(k) != null) {
                    gone.add(k.word());
                }
            }
            if (m.isEmpty()) {
                byVolume.remove(volume);
            }
            if (gone.isEmpty()) {
                return;
            }
            save();
        }
        pool.events.publish(Event.info("VOLUME_PROBLEM", volume, "volume " + volume + ": " + String.join(", ", gone)
                + " cleared (" + why + ")"));
    }

    /** The problems of {@code volume} standing now (empty when none). */
    public synchronized List<VolumeProblem> of(String volume) {
        Map<VolumeProblem.Kind, VolumeProblem> m = byVolume.get(volume);
        return m == null ? List.of() : List.copyOf(m.values());
    }

    /** Every problem standing now. */
    public synchronized List<VolumeProblem> all() {
        List<VolumeProblem> out = new ArrayList<>();
        byVolume.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /** A volume deleted: its problems go with it. */
    synchronized void forget(String volume) throws IOException {
        if (byVolume.remove(volume) != null) {
            save();
        }
    }

    private void save() throws IOException {
        if (pool.isReadOnly()) {
            return; // a read-only opening shows what it finds, and keeps what it finds to itself
        }
        List<VolumeProblem> all = new ArrayList<>();
        byVolume.values().forEach(m -> all.addAll(m.values()));
        AtomicFile.replace(pool.storage, file, EventBus.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
    }
}
