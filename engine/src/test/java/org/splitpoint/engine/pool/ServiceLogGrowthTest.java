package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A service window's log (data and repository modes) was append-only: it grew with every host
 * write, not with the bytes written. A window that overwrote the same 1 MiB 100 times left a log of
 * ~100 MiB (a reviewer saw 962 MiB for 128 MiB of distinct data): a long window under load filled
 * the file system. The log is compacted now (DeltaLog): it stays within about twice the distinct
 * bytes written, plus a few MiB, and the return and the reads through it are exactly right, also
 * after a reopen.
 */
class ServiceLogGrowthTest {

    private static final int MIB = 1 << 20;
    /** What the log may take for 1 MiB written in its window: twice it, and the compaction's slack. */
    private static final long BOUND = 2L * MIB + org.splitpoint.engine.service.DeltaLog.COMPACTION_SLACK + 2L * MIB;

    @TempDir
    Path tmp;

    @Test
    void aDataWindowsLogKeepsTheDistinctBytesNotEveryWrite() throws Exception {
        overwriteAndReturn(ServicePools.pool(tmp, "data", Layout.RAID1, 2, 16L * MIB), LogMode.DATA, "v.delta.log");
    }

    @Test
    void aRepositoryOnASpareStaysWithinItsBound() throws Exception {
        overwriteAndReturn(ServicePools.pool(tmp, "spare", Layout.RAID1, 2, 16L * MIB), LogMode.REPOSITORY, "v.repo");
    }

    @Test
    void aRepositoryInMetaKeepsTheDistinctBytes() throws Exception {
        Path dir = tmp.resolve("meta");
        Pool.create(dir, 2, 16L * MIB, ServicePools.TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
        }
        overwriteAndReturn(dir, LogMode.REPOSITORY, "v.repo");
    }

    private void overwriteAndReturn(Path dir, LogMode mode, String logName) throws Exception {
        byte[] last = null;
        try (Pool p = Pool.open(dir)) {
            p.service().offline("d2", OfflineReason.RESET, mode);
            ServicePools.awaitJobs(p);
            RaidVolume v = p.volume("v");
            for (int i = 0; i < 100; i++) {
                last = TestPools.filled(MIB, i + 1);
                last[i] = (byte) 0x7f; // (each write differs from the one before in more than its fill)
                v.write(3 * ServicePools.TRACK, ByteBuffer.wrap(last));
                v.flush();
            }
            p.windows.get("v").awaitCompaction();
            assertThat(logBytes(dir, logName)).as("the window's log files in meta/ for 1 MiB written 100 times")
                    .isLessThanOrEqualTo(BOUND);
            assertThat(ServicePools.read(v, 3 * ServicePools.TRACK, MIB)).as("read in the window").isEqualTo(last);
        }
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            assertThat(ServicePools.read(v, 3 * ServicePools.TRACK, MIB)).as("read in the window, reopened").isEqualTo(last);
            Job job = p.service().online("d2");
            assertThat(job.await(60_000)).as(job.progress().message()).isTrue();
            ServicePools.awaitJobs(p);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(ServicePools.read(v, 3 * ServicePools.TRACK, MIB)).as("read after the return").isEqualTo(last);
            assertThat(p.admin().verify("v", false, null)).as("the members agree").isZero();
        }
        assertThat(logBytes(dir, logName)).as("the log's files after the return").isZero();
    }

    /** Bytes of the log's files in meta/ ({@code name} and its overflow segments and generations). */
    static long logBytes(Path pool, String name) throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(pool.resolve("meta"))) {
            s.filter(f -> f.getFileName().toString().startsWith(name)).forEach(files::add);
        }
        long n = 0;
        for (Path f : files) {
            n += Files.size(f);
        }
        return n;
    }
}
