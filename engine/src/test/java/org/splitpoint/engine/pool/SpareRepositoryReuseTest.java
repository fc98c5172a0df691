package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A repository window on a SPARE drive keeps its writes on the SPARE while they fit there: the
 * SPARE's oldest records are cleaned (their live bytes copied forward, then dropped) as it fills,
 * and the repository overflows into meta/ only when the SPARE holds more live bytes than it has
 * room for. Before, the SPARE's log only grew: 1 MiB overwritten 20 times on a 16 MiB SPARE went
 * on into meta/v.repo.1 once 16 MiB had been written, though 15 MiB of the SPARE held nothing live.
 */
class SpareRepositoryReuseTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void overwritesStayOnTheSpare() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2, 16L * MIB);
        byte[] last = null;
        try (Pool p = Pool.open(dir)) {
            p.service().offline("d2", OfflineReason.RESET, LogMode.REPOSITORY);
            ServicePools.awaitJobs(p);
            assertThat(p.snapshot().drive("d2").service().repository()).isEqualTo("d3");
            RaidVolume v = p.volume("v");
            for (int i = 0; i < 60; i++) {
                last = TestPools.filled(MIB, i + 1);
                v.write(3 * ServicePools.TRACK, ByteBuffer.wrap(last));
                v.flush();
            }
            assertThat(ServiceLogGrowthTest.logBytes(dir, "v.repo")).as("the repository's files in meta/").isZero();
            assertThat(ServicePools.read(v, 3 * ServicePools.TRACK, MIB)).as("read in the window").isEqualTo(last);
        }
        comesBack(dir, 3 * ServicePools.TRACK, last);
    }

    @Test
    void aSpareHoldingMoreLiveBytesThanItsRoomOverflowsAndEveryWriteReadsBack() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID5, 3, 16L * MIB); // 32 MiB of volume, a 16 MiB SPARE
        byte[] model = new byte[20 * MIB];
        try (Pool p = Pool.open(dir)) {
            p.service().offline("d2", OfflineReason.RESET, LogMode.REPOSITORY);
            ServicePools.awaitJobs(p);
            RaidVolume v = p.volume("v");
            byte[] before = ServicePools.read(v, 0, model.length);
            System.arraycopy(before, 0, model, 0, model.length);
            Random r = new Random(3);
            for (int i = 0; i < 80; i++) { // 18 MiB distinct, written over and over
                int at = (i * 7 % 18) * MIB + r.nextInt(MIB / 2);
                byte[] d = new byte[MIB / 2];
                r.nextBytes(d);
                v.write(at, ByteBuffer.wrap(d));
                System.arraycopy(d, 0, model, at, d.length);
                if (i % 3 == 0) {
                    v.flush();
                }
            }
            v.flush();
            assertThat(ServiceLogGrowthTest.logBytes(dir, "v.repo")).as("the overflow in meta/").isPositive();
            assertThat(ServicePools.read(v, 0, model.length)).as("read in the window").isEqualTo(model);
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(ServicePools.read(p.volume("v"), 0, model.length)).as("read reopened").isEqualTo(model);
        }
        comesBack(dir, 0, model);
    }

    private static void comesBack(Path dir, long at, byte[] expected) throws Exception {
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            assertThat(ServicePools.read(v, at, expected.length)).as("read in the window, reopened").isEqualTo(expected);
            Job job = p.service().online("d2");
            assertThat(job.await(60_000)).as(job.progress().message()).isTrue();
            ServicePools.awaitJobs(p);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(ServicePools.read(v, at, expected.length)).as("read after the return").isEqualTo(expected);
            assertThat(p.admin().verify("v", false, null)).as("the members agree").isZero();
        }
    }
}
