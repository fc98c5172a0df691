package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.VolumeState;

/** For each layout, failing each member in turn leaves the volume's SHA-256 unchanged. */
class FailEachMemberTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} over {1} drives")
    @CsvSource({"RAID1, 2", "RAID1, 3", "RAID3, 4", "RAID5, 4"})
    void shaIsUnchangedWithAnyOneMemberFailed(Layout layout, int drives) throws Exception {
        TestPools.create(dir, layout, drives, 1 << 20, 4096);
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            byte[] data = new byte[(int) v.size()];
            new Random(drives).nextBytes(data);
            v.write(0, ByteBuffer.wrap(data));
            v.flush();
            String sha = TestPools.sha256(v);
            for (int i = 1; i <= drives; i++) {
                String d = "d" + i;
                pool.admin().failDrive(d);
                assertThat(v.state()).isEqualTo(VolumeState.DEGRADED);
                assertThat(TestPools.sha256(v)).as("with %s failed", d).isEqualTo(sha);
                Job job = pool.admin().replaceDrive(d);
                assertThat(job.await(30_000)).isTrue();
                assertThat(job.state()).isEqualTo(JobState.DONE);
                assertThat(v.state()).isEqualTo(VolumeState.OPTIMAL);
                assertThat(TestPools.sha256(v)).as("after rebuilding %s", d).isEqualTo(sha);
            }
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }
}
