package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * The fixed costs of an incremental restore (issue 14: 1% of the tracks should cost at most 3% of
 * a full restore): its syncs counted by file. The STD's write-intent bitmap is synced once for the
 * copy, not once per step of scattered tracks; pool.json is written at the start and at the end
 * (not also for the copy's settings, nor for the catch-up's state); the restore's last commit of
 * its cleared tracks is not forced apart from the end's record. The restored data is what the BCV held.
 */
class IncrementalRestoreSyncsTest {

    @TempDir
    Path dir;

    /** Real files; counts forces by file name while {@link #counting}. */
    static final class CountingStorage extends ForwardingStorage {
        final Map<String, AtomicInteger> forces = new ConcurrentHashMap<>();
        volatile boolean counting;

        @Override
        protected StorageFile wrap(Path path, StorageFile f) {
            String name = path.getFileName().toString();
            return new ForwardingStorage.ForwardingFile(f) {
                @Override
                public void force() throws IOException {
                    if (counting) {
                        forces.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                    }
                    file.force();
                }
            };
        }

        int of(String name) {
            AtomicInteger n = forces.get(name);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void anIncrementalRestoreOfScatteredTracksSyncsEachFileOnlyWhereItMust() throws Exception {
        int track = 64 * 1024;
        PairFixture.create(dir, Layout.RAID1, 64L << 20, track, 1);
        CountingStorage storage = new CountingStorage();
        int changed = 48;
        try (Pool pool = Pool.open(dir, storage)) {
            Pair p = pool.pairs().get("p1");
            assertThat(pool.pairs().establish("p1", false).await(60_000)).isTrue(); // the STD is not written
            pool.pairs().split(List.of("p1"));
            byte[] image = new byte[track];
            new java.util.Random(5).nextBytes(image);
            pool.device("bcv").write(3 * track, ByteBuffer.wrap(image)); // changed on the BCV: restored
            // tracks changed on the STD since the split, one per write-intent group (16 tracks),
            // as if long ago: their write-intent bits are clear, so the restore's writes need them
            for (int i = 1; i < changed; i++) {
                long t = i * 16L + 3;
                p.stdInvalid().mark(t, t + 1);
            }
            storage.counting = true;
            Job restore = pool.pairs().restore("p1", false, false);
            assertThat(restore.await(60_000)).isTrue();
            storage.counting = false;
            Map<String, Integer> seen = new TreeMap<>();
            storage.forces.forEach((k, v) -> seen.put(k, v.get()));
            System.out.println("syncs of an incremental restore of " + changed + " scattered tracks: " + seen);
            assertThat(p.state()).isEqualTo(PairState.Restored);
            byte[] back = new byte[track];
            pool.device("std").read(3 * track, ByteBuffer.wrap(back));
            assertThat(back).isEqualTo(image);
            // one sync for every track the copy writes, ahead of it (before: one per step of 8
            // scattered tracks, 6 here)
            assertThat(storage.of("std.wib")).as("syncs of the STD's write-intent bitmap").isLessThanOrEqualTo(1);
            // the start (RestInProg with the copy's settings) and the end (Restored); before,
            // also the copy's settings apart and the catch-up's SyncInProg
            assertThat(storage.of("pool.json.tmp")).as("writes of pool.json").isEqualTo(2);
            // the BCV's marks saved by the start's flush, and the restore's set made durable
            // before RestInProg is recorded; the last commit of the clears is not forced on its
            // own, as Restored is recorded right after (before: a third sync)
            assertThat(storage.of("p1.bcv.inv")).as("syncs of the BCV's invalid tracks").isLessThanOrEqualTo(2);
        }
    }
}
