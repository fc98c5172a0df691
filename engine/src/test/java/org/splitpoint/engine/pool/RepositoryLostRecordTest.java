package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A repository window whose repository (on SPARE d4) lost a record at a failed force (EIO: the
 * kernel drops the unforced pages). The repository is the only copy of the window's writes, so it
 * cannot fall back to pointers as a data window does (LostLogRecordTest): every later flush fails
 * and the return fails until the pool is opened again. What this shows: no write acknowledged by a
 * flush is lost, neither before the reopen nor after a power cut, and the window ends after it.
 */
class RepositoryLostRecordTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void quickSteps() {
        System.setProperty("splitpoint.serviceStepScale", "0");
    }

    private static int differs(byte[] got, int b) {
        return Arrays.mismatch(got, TestPools.filled(got.length, b));
    }

    @Test
    void aRepositoryThatLostARecordKeepsEveryAcknowledgedWriteThroughAPowerCut() throws Exception {
        Path a = ServicePools.pool(tmp, "p", Layout.RAID5, 3);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1).unforcedWritesLost();
        Pool p = Pool.open(a, inj);
        try {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(8 * TRACK, 0x11)));
            v.flush();
            p.service().offline("d2", OfflineReason.RESET, LogMode.REPOSITORY);
            ServicePools.awaitJobs(p);
            assertThat(p.snapshot().drive("d2").service().repository()).isEqualTo("d4");
            v.write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22)));
            v.flush(); // acknowledged: in the repository alone
            v.write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
            inj.failForces(f -> f.getFileName().toString().equals("d4.img"), 1);
            assertThatThrownBy(v::flush).as("the flush whose repository force failed").isInstanceOf(IOException.class);
            v.write(4L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x44)));
            assertThatThrownBy(v::flush).as("a later flush: the repository cannot tell which records are gone")
                    .isInstanceOf(IOException.class);
            assertThat(differs(read(v, 0, TRACK), 0x22)).as("the acknowledged write, before the reopen").isNegative();
            assertThat(differs(read(v, 6L * TRACK, TRACK), 0x11)).isNegative();
            inj.crash();
        } finally {
            p.abandon();
        }
        try (Pool q = Pool.open(a)) {
            RaidVolume v = q.volume("v");
            assertThat(differs(read(v, 0, TRACK), 0x22)).as("the acknowledged write, after the power cut").isNegative();
            assertThat(differs(read(v, 6L * TRACK, TRACK), 0x11)).isNegative();
            Job back = q.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(back.state()).as(back.progress().message()).isEqualTo(JobState.DONE);
            assertThat(q.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(differs(read(v, 0, TRACK), 0x22)).as("the acknowledged write, after the return").isNegative();
            assertThat(q.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }
}
