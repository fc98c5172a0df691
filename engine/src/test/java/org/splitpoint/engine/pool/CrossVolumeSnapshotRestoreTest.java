package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A restore of v to another volume's snapshot w@s while w's own snapshots are taken, deleted and
 * restored to: w's writes (its hosts' and its own restore's refills) are saved for s first, and s
 * stays pinned while either restore reads it, so v ends holding s's image exactly, read on demand
 * meanwhile as s had it, and w ends as its own restore and later writes left it.
 */
class CrossVolumeSnapshotRestoreTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    private static byte[] random(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void write(Pool pool, String volume, int fromTrack, int tracks, long seed, byte[] model) throws Exception {
        byte[] b = random(tracks * TRACK, seed);
        pool.device(volume).write((long) fromTrack * TRACK, ByteBuffer.wrap(b));
        if (model != null) {
            System.arraycopy(b, 0, model, fromTrack * TRACK, b.length);
        }
    }

    private static byte[] readAll(Pool pool, String volume) throws Exception {
        byte[] b = new byte[(int) pool.device(volume).size()];
        pool.device(volume).read(0, ByteBuffer.wrap(b));
        return b;
    }

    private static void await(Job job) throws Exception {
        assertThat(job.await(120_000)).isTrue();
        assertThat(job.state()).isEqualTo(JobState.DONE);
    }

    @Test
    void aRestoreToAnotherVolumesSnapshotHoldsItsImageWhileThatVolumesSnapshotsChange() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            int tracks = (int) (pool.volume("w").size() / TRACK);
            byte[] s = random(tracks * TRACK, 1);
            pool.device("w").write(0, ByteBuffer.wrap(s));
            pool.snapshots().create("w", "s");
            byte[] w = s.clone();
            write(pool, "w", 0, 64, 2, w);

            Job ofV = pool.snapshots().restore("v", "w@s", false, 0);
            ofV.pause();
            pool.snapshots().create("w", "t");
            write(pool, "w", 32, 64, 3, w);
            byte[] read = new byte[8 * TRACK];
            pool.device("v").read(40L * TRACK, ByteBuffer.wrap(read)); // owed: read from s on demand
            TestPools.assertSameBytes(read, Arrays.copyOfRange(s, 40 * TRACK, 48 * TRACK), "v's tracks 40-47 read during");

            Job ofW = pool.snapshots().restore("w", "s", true, 0); // w back to s too, while v reads s
            write(pool, "w", 60, 8, 4, null); // during w's restore: w holds them after it
            byte[] duringW = s.clone();
            System.arraycopy(random(8 * TRACK, 4), 0, duringW, 60 * TRACK, 8 * TRACK);
            await(ofW);
            w = duringW;
            pool.snapshots().delete("w", "t");
            pool.snapshots().create("w", "u");
            byte[] u = w.clone();
            write(pool, "w", 100, 16, 5, null);
            await(pool.snapshots().restore("w", "u", false, 0));

            ofV.resume();
            await(ofV);
            TestPools.assertSameBytes(readAll(pool, "v"), s, "v restored to w@s");
            TestPools.assertSameBytes(readAll(pool, "w"), u, "w restored to w@u");
        }
    }
}
