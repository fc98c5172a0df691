package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.EventBus;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The SPARE lent to a repository window has no image at open: the window's writes were there
 * alone. Before, the open failed with the image's path alone ('NoSuchFileException: .../d4.img');
 * now it is said as MissingRepositoryTest says a repository lost in meta/ (a critical event and an
 * open note), and the window goes on with its repository in meta/.
 */
@QuickServiceSteps
class MissingSpareRepositoryTest {

    private static final int BLOCK = 16 * 1024;

    @TempDir
    Path tmp;

    private static int differsAt(RaidVolume v, long off, int b) throws Exception {
        return Arrays.mismatch(ServicePools.read(v, off, BLOCK), TestPools.filled(BLOCK, b));
    }

    @Test
    void aRepositorySparesMissingImageIsSaidAndTheWindowGoesOnInMeta() throws Exception {
        Path a = ServicePools.repositoryOnD4(tmp, "p"); // block 0 written 0x22 on d4 alone
        Files.delete(a.resolve("drives").resolve("d4.img"));
        try (Pool p = Pool.open(a, org.splitpoint.engine.io.StorageFactory.real(), PoolOptions.READ_ONLY)) { // a look says it too
            assertThat(p.openNotes()).anyMatch(n -> n.contains("(on SPARE drive d4") && n.contains("are lost"));
        }
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            assertThat(p.openNotes()).anyMatch(n -> n.contains("the repository of d2's service window (on SPARE drive d4")
                    && n.contains("is missing: the writes made to volume v since") && n.contains("are lost"));
            assertThat(p.snapshot().drive("d2").service().repository()).as("the window's repository is in meta/ now").isNull();
            assertThat(p.snapshot().drive("d4").repository()).as("d4 is lent no more").isNull();
            assertThat(differsAt(v, 0, 0x11)).as("block 0 as it was when the window opened").isNegative();
            v.write(BLOCK, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x33))); // the window goes on, in meta/
            v.flush();
        }
        assertThat(EventBus.readLog(a.resolve("meta").resolve("events.jsonl"), 500))
                .anyMatch(e -> e.severity() == org.splitpoint.engine.event.Severity.CRITICAL && e.message().contains("on SPARE drive d4"));
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            assertThat(differsAt(v, BLOCK, 0x33)).as("the write made in the window after the loss").isNegative();
            Job job = p.service().online("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
            assertThat(differsAt(v, BLOCK, 0x33)).isNegative();
            assertThat(differsAt(v, 0, 0x11)).isNegative();
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }

    /**
     * The same at an open whose pool.json cannot be written (its file system full), and a data
     * window's lost delta log: before, the open failed on the write that records the window's new
     * repository place or mode (a full file system must not keep a pool from opening, PoolRecovery).
     */
    @Test
    void aLostWindowFileIsSaidEvenWhenPoolJsonCannotBeWritten() throws Exception {
        for (LogMode mode : new LogMode[] {LogMode.REPOSITORY, LogMode.DATA}) {
            Path a = ServicePools.pool(tmp.resolve(mode.word()), "p", Layout.RAID5, 3);
            try (Pool p = Pool.open(a)) {
                p.service().offline("d2", OfflineReason.RESET, mode);
                ServicePools.awaitJobs(p);
                p.volume("v").write(0, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x22)));
                p.volume("v").flush();
            }
            Files.delete(mode == LogMode.REPOSITORY ? a.resolve("drives").resolve("d4.img")
                    : a.resolve("meta").resolve("v.delta.log"));
            org.splitpoint.engine.io.FaultInjector full = new org.splitpoint.engine.io.FaultInjector(
                    org.splitpoint.engine.io.StorageFactory.real());
            full.diskFullAfter(f -> f.getFileName().toString().startsWith("pool.json"), 0);
            try (Pool p = Pool.open(a, full)) {
                assertThat(p.openNotes()).as(mode.word()).anyMatch(n -> n.contains("is missing") && n.contains("not recorded yet"));
                full.diskFreed();
                RaidVolume v = p.volume("v");
                v.write(BLOCK, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x33)));
                v.flush();
                Job job = p.service().online("d2");
                assertThat(job.await(30_000)).isTrue();
                assertThat(job.state()).as(mode.word() + ": " + job.progress().message()).isEqualTo(JobState.DONE);
                assertThat(differsAt(v, BLOCK, 0x33)).as(mode.word()).isNegative();
                if (mode == LogMode.DATA) {
                    assertThat(differsAt(v, 0, 0x22)).as("data: the window's write, rebuilt by pointers").isNegative();
                }
                assertThat(p.admin().verify("v", false, null)).as(mode.word() + ": parity mismatches").isZero();
            }
        }
    }
}
