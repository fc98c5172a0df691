package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A data window's delta log damaged between two openings (cut short, or bytes overwritten in its
 * middle): its replay stops at the damage, as at a crash's torn tail, so the records after it are
 * gone, and they were acknowledged (flushed) long before. Before, nothing said so, 'drive online'
 * ended DONE having copied only the records left, and the drive came back stale on the tracks the
 * lost records held (the volume's parity then disagreed with its data, and reads through the drive
 * served old bytes). The window's durable bitmap still names those tracks and the other members have
 * them, so the opening logs them again from the others and says so.
 */
@QuickServiceSteps
class DamagedDeltaLogTest {

    @TempDir
    Path tmp;

    private static final int[] TRACKS = {1, 3, 5, 6};

    private Path windowWithFourRecords() throws Exception {
        Path a = pool(tmp, "p", Layout.RAID5, 3);
        try (Pool p = Pool.open(a)) {
            RaidVolume v = ServicePools.writtenThenOffline(p, OfflineReason.FIRMWARE, LogMode.DATA);
            for (int t : TRACKS) {
                v.write((long) t * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x40 + t)));
                v.flush(); // acknowledged, one after the other
            }
        }
        return a;
    }

    private void damagedThenBack(Path a, String how) throws Exception {
        try (Pool p = Pool.open(a)) {
            Job back = p.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(back.state()).as(back.progress().message()).isEqualTo(JobState.DONE);
            RaidVolume v = p.volume("v");
            assertThat(p.admin().verify("v", false, null)).as(how + ": parity mismatches after the return").isZero();
            for (int t : TRACKS) {
                byte[] got = read(v, (long) t * TRACK, TRACK);
                assertThat(Arrays.mismatch(got, TestPools.filled(TRACK, 0x40 + t))).as(how + ": track " + t).isNegative();
            }
            assertThat(String.join("\n", p.openNotes())).as(how + ": the open says the log lost records")
                    .contains("delta log").contains("d2").contains("from the other members");
        }
        // the drive itself holds them: with d1 out, d2's strips are read as they are or rebuild d1's
        try (Pool p = Pool.open(a)) {
            p.admin().failDrive("d1");
            RaidVolume v = p.volume("v");
            for (int t : TRACKS) {
                byte[] got = read(v, (long) t * TRACK, TRACK);
                assertThat(Arrays.mismatch(got, TestPools.filled(TRACK, 0x40 + t))).as(how + ": track " + t + " with d1 FAILED")
                        .isNegative();
            }
        }
    }

    @Test
    void aLogCutShortComesBackWhole() throws Exception {
        Path a = windowWithFourRecords();
        Path log = a.resolve("meta/v.delta.log");
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        damagedThenBack(a, "cut short");
    }

    @Test
    void aLogOverwrittenInItsMiddleComesBackWhole() throws Exception {
        Path a = windowWithFourRecords();
        Path log = a.resolve("meta/v.delta.log");
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
            byte[] junk = new byte[4096];
            Arrays.fill(junk, (byte) 0x5a);
            f.seek(f.length() / 3);
            f.write(junk);
        }
        damagedThenBack(a, "overwritten");
    }

    private static void overwrite(Path file, long at, int len) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] junk = new byte[len];
            Arrays.fill(junk, (byte) 0x5a);
            f.seek(at);
            f.write(junk);
        }
    }

    /** A header no check passes stopped the pool's open with a sentence that named no window and no file. */
    @Test
    void aLogWhoseHeaderIsDamagedIsRefusedByNameAndComesBackByPointersOnceMovedAside() throws Exception {
        Path a = windowWithFourRecords();
        Path log = a.resolve("meta/v.delta.log");
        overwrite(log, 0, 8192);
        assertThatThrownBy(() -> Pool.open(a).close())
                .hasMessageContaining("the delta log of d2's service window")
                .hasMessageContaining("v.delta.log")
                .hasMessageContaining("move it aside");
        Files.move(log, log.resolveSibling("v.delta.log.damaged"));
        damagedThenBack(a, "header damaged, moved aside");
    }

    @Test
    void aRepositoryWhoseHeaderIsDamagedIsRefusedNamingItsSpare() throws Exception {
        Path a = ServicePools.repositoryOnD4(tmp, "r");
        overwrite(a.resolve("drives/d4.img"), 0, 8192);
        assertThatThrownBy(() -> Pool.open(a).close())
                .hasMessageContaining("the repository of d2's service window")
                .hasMessageContaining("SPARE drive d4")
                .hasMessageContaining("are only there");
    }
}
