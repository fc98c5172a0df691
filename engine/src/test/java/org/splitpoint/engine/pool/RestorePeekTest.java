package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * A volume being restored tells what its owed tracks hold without fetching them: `nbdinfo --map`
 * (NBD block status) of a volume restoring at 5 MB/s had the server read a page of every MiB, and
 * each read fetched its whole track from the backup — 960 MiB pulled in 1.3 s past the throttle.
 * Owed tracks the backup leaves out are zeros; other owed tracks are data; neither is fetched.
 */
class RestorePeekTest {

    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void owedTracksAreToldFromTheBackupsIndexWithoutAFetch() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 4L << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] image;
        try (Pool pool = Pool.open(dir)) {
            BlockDevice v = pool.device("v");
            image = new byte[(int) v.size()];
            new Random(61).nextBytes(image);
            Arrays.fill(image, 10 * TRACK, 20 * TRACK, (byte) 0); // left out of the full image
            v.write(0, ByteBuffer.wrap(image));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            byte[] other = new byte[image.length];
            new Random(62).nextBytes(other);
            v.write(0, ByteBuffer.wrap(other)); // the volume's tracks 10-19 hold data now
            v.flush();
        }
        try (Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false))) {
            pool.instantRestores().restore("v", store, null, false, 0); // jobs not started: every track owed
            InstantRestore r = pool.instantRestores().restoreOf("v");
            BlockDevice v = pool.device("v");
            assertThat(v.peek(10L * TRACK, 10L * TRACK)).as("owed tracks the backup leaves out").isEqualTo(Peek.ZEROS);
            assertThat(v.peek(12L * TRACK + 4096, 4096)).isEqualTo(Peek.ZEROS);
            assertThat(v.peek(0, 1 << 20)).as("owed tracks of data").isEqualTo(Peek.COLD_DATA);
            assertThat(v.peek(9L * TRACK, 2L * TRACK)).as("data and zeros: data").isEqualTo(Peek.COLD_DATA);
            assertThat(r.onDemandFetches()).as("nothing fetched to tell").isZero();
            assertThat(r.currentTracks()).isZero();

            // once written by a host, a track is the volume's to tell (it holds data now)
            v.write(15L * TRACK, ByteBuffer.wrap(new byte[TRACK]).put(0, (byte) 1));
            assertThat(v.peek(15L * TRACK, TRACK)).isNotEqualTo(Peek.ZEROS);
            assertThat(v.peek(10L * TRACK, 5L * TRACK)).isEqualTo(Peek.ZEROS);
            byte[] zeros = new byte[TRACK];
            v.read(11L * TRACK, ByteBuffer.wrap(zeros));
            assertThat(zeros).isEqualTo(new byte[TRACK]); // and the zeros said are what a read gives
        }
    }
}
