package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.VolumeState;

/**
 * Model-based: random writes, zeroings and reads at random offsets and lengths, checked against a
 * byte array, with a random member failed and later replaced and rebuilt while the I/O goes on.
 */
class VolumeModelTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} over {1} drives, seed {2}")
    @CsvSource({"RAID1, 2, 1", "RAID1, 3, 2", "RAID3, 3, 3", "RAID3, 5, 4", "RAID5, 3, 5", "RAID5, 4, 6", "RAID5, 5, 7"})
    void everyReadEqualsTheModelThroughFailureAndRebuild(Layout layout, int drives, long seed) throws Exception {
        TestPools.create(dir, layout, drives, 2 << 20, 4096);
        Random rnd = new Random(seed);
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            byte[] model = new byte[(int) v.size()];
            int ops = 1500;
            String failed = "d" + (1 + rnd.nextInt(drives));
            Job rebuild = null;
            for (int op = 0; op < ops; op++) {
                if (op == ops / 3) {
                    pool.admin().failDrive(failed);
                    assertThat(v.state()).isEqualTo(VolumeState.DEGRADED);
                }
                if (op == 2 * ops / 3) {
                    rebuild = pool.admin().replaceDrive(failed);
                    rebuild.setThrottle(4 << 20); // slow enough that host I/O overlaps the rebuild
                }
                if (rebuild != null && op == 2 * ops / 3 + 200) {
                    rebuild.setThrottle(0);
                }
                int len = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(300_000) : 1 + rnd.nextInt(9000);
                len = Math.min(len, model.length);
                long off = (long) rnd.nextInt(model.length - len + 1);
                int kind = rnd.nextInt(8);
                if (kind == 0) {
                    // zeroings: small ones are written where not zero, large ones (1 MiB and more,
                    // whole stripes) punched in the member images
                    if (rnd.nextInt(12) == 0) {
                        len = Math.min(model.length, (1 << 20) + rnd.nextInt(1 << 19));
                        off = (long) rnd.nextInt(model.length - len + 1);
                    }
                    v.writeZeroes(off, len, rnd.nextBoolean());
                    Arrays.fill(model, (int) off, (int) off + len, (byte) 0);
                } else if (kind < 4) {
                    byte[] data = new byte[len];
                    rnd.nextBytes(data);
                    v.write(off, ByteBuffer.wrap(data));
                    System.arraycopy(data, 0, model, (int) off, len);
                } else {
                    byte[] got = new byte[len];
                    v.read(off, ByteBuffer.wrap(got));
                    assertThat(Arrays.equals(got, 0, len, model, (int) off, (int) off + len))
                            .as("read of %d bytes at %d after op %d", len, off, op).isTrue();
                }
                if (rnd.nextInt(50) == 0) {
                    v.flush();
                }
            }
            assertThat(rebuild.await(60_000)).isTrue();
            assertThat(rebuild.state()).isEqualTo(JobState.DONE);
            assertThat(pool.snapshot().drive(failed).state()).isEqualTo(DriveState.ONLINE);
            assertThat(v.state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(TestPools.readAll(v)).isEqualTo(model);
            assertThat(pool.admin().verify("v", false, null)).isZero();
            v.flush();
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.openNotes()).isEmpty();
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }
}
