package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventBus;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobListener;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.meta.AtomicFile;

/**
 * Jobs that ended, newest last, in {@code meta/jobs-history.jsonl} (one JSON object a line, the
 * last {@link #KEPT} kept), so the app's Jobs history and {@code job history} show them after the
 * pool is closed and opened again. Every job the pool starts is followed ({@link Pool#startJob});
 * a job stopped by a close, to resume at the next opening, has not ended and is not listed. Also
 * says when a job is paused or resumed, as an event, whoever asked. The file is a record for
 * people, rewritten atomically at each end; an unreadable one starts an empty history (an opening's note
 * says so).
 */
public final class JobHistory {

    /** How many ended jobs are kept. */
    public static final int KEPT = 200;

    private static final System.Logger LOG = System.getLogger(JobHistory.class.getName());

    /**
     * One ended job: {@code result} DONE, CANCELLED or FAILED ({@code message} the failure's
     * sentence); {@code seconds} from its start (or resumption) in the process that ran it to its
     * end; {@code bytes} it copied in that process. A job of timed steps (a firmware update, a
     * reset: it waits, copying nothing) has {@code totalSteps} above 0 and the steps it finished,
     * with no bytes nor tracks (its tracks were ticks of a clock); an older saved line without steps
     * reads as 0 of 0. {@code unit} is what its tracks count ({@link org.splitpoint.engine.job.JobWork#unit}:
     * "MiB" for a diagnostics scan); null in an older saved line, read as "tracks". {@code outcome}
     * what a job that ended DONE made when its bytes do not say it ({@link org.splitpoint.engine.job.JobWork#outcome}:
     * a backup's image, which stores less than it read), else empty.
     */
    public record Entry(String id, String kind, String target, JobState result, String message, String startedAt,
                        String finishedAt, double seconds, long bytes, long doneTracks, long totalTracks,
                        long doneSteps, long totalSteps, String unit, String outcome, String title) {

        public Entry {
            unit = unit == null ? "tracks" : unit;
            outcome = outcome == null ? "" : outcome;
            message = message == null ? "" : message;
        }

        /** "it has no FIELD" for the first field every record has that this one lacks (a hand-edited line), else null. */
        String missing() {
            String[][] fields = {{"id", id}, {"kind", kind}, {"target", target}, {"startedAt", startedAt},
                {"finishedAt", finishedAt}};
            for (String[] f : fields) {
                if (f[1] == null) {
                    return "it has no " + f[0];
                }
            }
            return result == null ? "it has no result" : null;
        }

        /** A job that copied tracks. */
        public Entry(String id, String kind, String target, JobState result, String message, String startedAt,
                     String finishedAt, double seconds, long bytes, long doneTracks, long totalTracks) {
            this(id, kind, target, result, message, startedAt, finishedAt, seconds, bytes, doneTracks, totalTracks, 0, 0,
                    "tracks", "", null);
        }

        /** A job its kind and target name well enough (no title). */
        public Entry(String id, String kind, String target, JobState result, String message, String startedAt,
                     String finishedAt, double seconds, long bytes, long doneTracks, long totalTracks,
                     long doneSteps, long totalSteps, String unit, String outcome) {
            this(id, kind, target, result, message, startedAt, finishedAt, seconds, bytes, doneTracks, totalTracks,
                    doneSteps, totalSteps, unit, outcome, null);
        }

        /** "KIND TARGET", or the job's {@link Job#title} when it had one ("rebuild of prod from image … plus the journal"). */
        public String head() {
            return title != null && !title.isEmpty() ? title : kind + " " + target;
        }

        /** True for a job of timed steps, which copied nothing. */
        public boolean timed() {
            return totalSteps > 0;
        }

        /** "1024/1024 tracks", "2048/2048 MiB" for a diagnostics scan, or for timed steps "4 of 4 steps". */
        public String work() {
            return timed() ? new org.splitpoint.engine.job.JobWork.Steps(doneSteps, totalSteps).said()
                    : doneTracks + "/" + totalTracks + " " + unit;
        }

        /**
         * "establish prod-pair DONE in 0:12, 64.0 MiB, 1024/1024 tracks"; "firmware d2 DONE in 0:04, 4 of 4 steps";
         * a job with an outcome says what it read and what it made: "backup prod DONE in 0:03, 128 MiB read,
         * 46 MiB stored: 736 of 2048 tracks (all-zero tracks not stored)".
         */
        public String line() {
            long s = Math.round(seconds);
            return head() + " " + result + " in " + String.format("%d:%02d", s / 60, s % 60) + ", "
                    + (!outcome.isEmpty() ? Sizes.format(bytes) + " read, " + outcome
                    : (timed() ? "" : Sizes.format(bytes) + ", ") + work())
                    + (message == null || message.isEmpty() ? "" : " (" + message + ")");
        }
    }

    private final Pool pool;
    private final Path file;
    private final List<Entry> entries = new ArrayList<>(); // guarded by this
    private long version;

    JobHistory(Pool pool) {
        this.pool = pool;
        this.file = pool.paths.meta().resolve("jobs-history.jsonl");
        load();
    }

    private void load() {
        // said among the opening's notes, one sentence like every damaged meta/ file's (a logger's
        // warning came out on a CLI command's stderr as two lines with a timestamp and the parser's
        // multi-line message)
        entries.addAll(read(pool.storage, file, why -> pool.openNotes.add("the job history (meta/"
                + file.getFileName() + ") is damaged (" + why + "): it starts empty, and the next job to end"
                + " writes it anew")));
    }

    /**
     * The history the process holding the pool in {@code poolDir} saved last, oldest first, read
     * without opening the pool (the app attached to that holder follows it so); the file is
     * replaced atomically, so a read sees one whole version. Empty when there is none yet.
     */
    public static List<Entry> readSaved(Path poolDir) {
        Path file = new PoolPaths(poolDir).meta().resolve("jobs-history.jsonl");
        return read(org.splitpoint.engine.io.StorageFactory.real(), file,
                why -> LOG.log(System.Logger.Level.WARNING, "ignoring " + file + ": " + why));
    }

    /** The entries of {@code file}; none when it is damaged, which is said to {@code damaged}. */
    private static List<Entry> read(org.splitpoint.engine.io.StorageFactory storage, Path file,
                                    java.util.function.Consumer<String> damaged) {
        List<Entry> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            String[] lines = new String(AtomicFile.read(storage, file), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                String why = null;
                Entry e = null;
                try {
                    e = EventBus.JSON.readValue(lines[i], Entry.class);
                } catch (com.fasterxml.jackson.core.JsonParseException x) {
                    why = "it is not valid JSON";
                } catch (com.fasterxml.jackson.core.JacksonException x) { // JSON of another shape: the parser's words name our types
                    why = "";
                }
                if (why == null) {
                    why = e == null ? "" : e.missing(); // 'null', or a field every record has left out: job history failed on it
                }
                if (why != null) {
                    damaged.accept(why.startsWith("it is not valid JSON") ? "line " + (i + 1) + " is not valid JSON"
                            : "line " + (i + 1) + " is not a job's record" + (why.isEmpty() ? "" : ": " + why));
                    out.clear();
                    return out;
                }
                out.add(e);
            }
        } catch (IOException | RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            damaged.accept(m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m);
            out.clear();
        }
        return out;
    }

    /** Follows {@code job}: its end goes into the history, its pause and resume out as events. */
    void follow(Job job) {
        job.addListener(new JobListener() {
            @Override
            public void pausedChanged(Job j, boolean paused) {
                pool.events.publish(Event.info("JOB_STATE", j.id(), j.kind() + " " + j.target()
                        + (paused ? " paused" : " resumed")));
            }

            @Override
            public void finished(Job j, JobProgress last) {
                ended(j, last);
            }
        });
    }

    private void ended(Job j, JobProgress last) {
        Instant now = Instant.now();
        org.splitpoint.engine.job.JobWork.Steps steps = j.steps();
        boolean timed = steps != null && steps.total() > 0;
        Entry e = new Entry(j.id(), j.kind(), j.target(), last.state(), last.state() == JobState.FAILED ? last.message() : "",
                j.startedAt().truncatedTo(ChronoUnit.SECONDS).toString(), now.truncatedTo(ChronoUnit.SECONDS).toString(),
                Duration.between(j.startedAt(), now).toMillis() / 1000.0, j.bytesMoved(), timed ? 0 : last.doneTracks(),
                timed ? 0 : last.totalTracks(), timed ? steps.done() : 0, timed ? steps.total() : 0, last.unit(),
                last.state() == JobState.DONE ? j.outcome() : "", j.title());
        synchronized (this) {
            entries.add(e);
            while (entries.size() > KEPT) {
                entries.remove(0);
            }
            version++;
            if (pool.isReadOnly()) {
                return;
            }
            try {
                StringBuilder out = new StringBuilder();
                for (Entry x : entries) {
                    out.append(EventBus.JSON.writeValueAsString(x)).append('\n');
                }
                AtomicFile.replace(pool.storage, file, out.toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException ex) {
                // the job's own outcome is on record where it matters (pool.json); the history is for people
                LOG.log(System.Logger.Level.WARNING, "could not write " + file + ": " + ex.getMessage());
            }
        }
    }

    /** The ended jobs, oldest first. */
    public synchronized List<Entry> list() {
        return List.copyOf(entries);
    }

    /** Grows by one with each ended job (for a view that polls: has anything changed?). */
    public synchronized long version() {
        return version;
    }
}
