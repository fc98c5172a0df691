package org.splitpoint.app.restore;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayDeque;
import java.util.function.Function;
import org.splitpoint.app.common.CellMapCanvas;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pair.HydrationFeed;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * Takes {@link RestoreSample}s of one volume's instant restore (from a backup, or to a snapshot: the
 * engine runs both as an {@link InstantRestore}) on a background thread: counts the
 * live bitmaps into cells and collects the tracks fetched since the last tick (the engine keeps
 * them in a ring; a late tick just misses some flashes). It holds on to the restore it saw, so
 * when the restore ends it gives one last picture of the full map (the engine drops the restore
 * then, but its bitmaps stay readable). Its samples are taken one at a time: the timer's ticks and a
 * view's {@code sampleNow} on a worker thread both sample, and the restore held, the feed's sequence and
 * the flashes are shared.
 */
public final class RestoreSampler {

    private static final int MAX_FLASHES = 4096;

    private record Flash(long track, long nanos) { }

    private final String volume;
    private final Function<Pool, InstantRestore> restoreOf;
    private final String jobId;
    private final ArrayDeque<Flash> flashes = new ArrayDeque<>();
    private InstantRestore held;
    private long seq = -1;

    /**
     * Samples the restore of {@code volume} that {@code restoreOf} finds in the pool (null: none),
     * whose bulk copy is job {@code jobId}.
     */
    public RestoreSampler(String volume, Function<Pool, InstantRestore> restoreOf, String jobId) {
        this.volume = volume;
        this.restoreOf = restoreOf;
        this.jobId = jobId;
    }

    /** The restore now, its last picture if it just ended, or null when there is none to show. */
    public synchronized RestoreSample sample(Pool pool) {
        InstantRestore r = restoreOf.apply(pool);
        boolean ended = false;
        if (r == null) {
            if (held == null) {
                return null;
            }
            r = held;
            ended = true;
            held = null;
        } else if (r != held) {
            held = r;
            seq = -1;
            flashes.clear();
        }
        long now = System.nanoTime();
        HydrationFeed.Batch batch = r.fetchedSince(Math.max(0, seq));
        if (seq >= 0) { // the first tick only learns where the feed is: older fetches are not news
            for (long t : batch.tracks()) {
                flashes.addLast(new Flash(t, now));
            }
        }
        seq = batch.nextSeq();
        while (!flashes.isEmpty() && (flashes.size() > MAX_FLASHES
                || now - flashes.peekFirst().nanos() > CellMapCanvas.FLASH_NANOS)) {
            flashes.removeFirst();
        }
        long[] ft = new long[flashes.size()];
        long[] fn = new long[flashes.size()];
        int i = 0;
        for (Flash f : flashes) {
            ft[i] = f.track();
            fn[i++] = f.nanos();
        }
        RestoreCells cells = RestoreCells.of(r.totalTracks(), r.owedTracks().toWords(), r.hostWritten().toWords(),
                r.fetchedOnDemand().toWords(), r.bulkCopied().toWords());
        var chain = r.chain();
        return new RestoreSample(volume, r.trackSize(), cells, ft, fn, r.onDemandFetches(), r.onDemandPerSecond(),
                r.currentTracks(), r.totalTracks(), chain == null ? null : chain.target(),
                chain == null ? 0 : chain.images().size(), r.unavailable(),
                r.writeThrough() == null ? null : r.writeThrough().header().id(), job(pool), ended, now);
    }

    /**
     * A sample of a restore run by the holder this app is attached to, from its {@code restore}
     * message (see {@link org.splitpoint.engine.control.PoolFeed}): the tracks fetched since its
     * previous message flash from now.
     */
    public synchronized RestoreSample sample(com.fasterxml.jackson.databind.JsonNode m) throws java.io.IOException {
        var json = org.splitpoint.engine.control.PoolFeed.json();
        long now = System.nanoTime();
        for (var t : m.path("fetched")) {
            flashes.addLast(new Flash(t.asLong(), now));
        }
        while (!flashes.isEmpty() && (flashes.size() > MAX_FLASHES
                || now - flashes.peekFirst().nanos() > CellMapCanvas.FLASH_NANOS)) {
            flashes.removeFirst();
        }
        long[] ft = new long[flashes.size()];
        long[] fn = new long[flashes.size()];
        int i = 0;
        for (Flash f : flashes) {
            ft[i] = f.track();
            fn[i++] = f.nanos();
        }
        long total = m.path("totalTracks").asLong();
        RestoreCells cells = RestoreCells.of(total, words(m, "owed"), words(m, "hostWritten"),
                words(m, "fetchedOnDemand"), words(m, "bulkCopied"));
        JsonNode image = m.path("image");
        JsonNode job = m.path("job");
        return new RestoreSample(volume, m.path("trackSize").asInt(), cells, ft, fn, m.path("onDemandFetches").asLong(),
                m.path("onDemandPerSecond").asDouble(), m.path("currentTracks").asLong(), total,
                image.isObject() ? json.treeToValue(image, org.splitpoint.engine.backup.ImageInfo.class) : null,
                m.path("chainImages").asInt(), text(m, "unavailable"), text(m, "writeThrough"),
                job.isObject() ? json.treeToValue(job, JobProgress.class) : null, m.path("ended").asBoolean(), now);
    }

    private static long[] words(JsonNode m, String field) throws java.io.IOException {
        return org.splitpoint.engine.control.PoolFeed.words(m.get(field));
    }

    private static String text(JsonNode m, String field) {
        JsonNode n = m.path(field);
        return n.isTextual() ? n.asText() : null;
    }

    private JobProgress job(Pool pool) {
        for (Job j : pool.jobs()) {
            if (j.id().equals(jobId)) {
                return j.progress();
            }
        }
        return null;
    }
}
