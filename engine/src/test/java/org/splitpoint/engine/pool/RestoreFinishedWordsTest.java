package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.Job;

/**
 * The sentence an instant restore ends with counts its tracks in English: one track fetched on
 * demand was "1 tracks fetched on demand".
 */
class RestoreFinishedWordsTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aRestoreThatFetchedOneTrackOnDemandSaysOneTrack() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1 << 20, TRACK);
        Path store = tmp.resolve("store");
        try (Pool pool = Pool.open(dir)) {
            BlockDevice v = pool.device("v");
            byte[] image = new byte[(int) v.size()];
            new Random(1).nextBytes(image);
            v.write(0, ByteBuffer.wrap(image));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
        }
        try (Pool pool = Pool.open(dir)) {
            List<Event> events = new CopyOnWriteArrayList<>();
            pool.events().addListener(events::add);
            Job bulk = pool.instantRestores().restore("v", store, null, false, 1); // 1 byte/s: the bulk copy waits
            byte[] b = new byte[100];
            pool.device("v").read(200L * TRACK + 7, ByteBuffer.wrap(b)); // an owed track, fetched on demand
            bulk.setThrottle(0);
            assertThat(bulk.await(60_000)).isTrue();
            pool.events().drain();
            assertThat(events).map(Event::message).filteredOn(m -> m.contains(" finished: ")).singleElement()
                    .asString().contains("1 track fetched on demand, ").doesNotContain("1 tracks");
        }
    }
}
