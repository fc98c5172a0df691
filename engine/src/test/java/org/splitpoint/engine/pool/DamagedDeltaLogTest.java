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
 * them, so the opening logs them again from the others and says so. A track whose newer record is
 * lost while an older one survives looked whole that way: the log's forced mark (RingLog) shows the
 * replay ended short of what flushes acknowledged, and the opening then logs every track of the
 * bitmap again (or, with no other copy, refuses the drive's return; a repository's loss is said).
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

    /**
     * Tracks 2..3 of "v" (a whole stripe: d2 takes a record whatever its strip) written as {@code
     * twoTracks(0)}, flushed, then {@code twoTracks(1)}, flushed, in a data window; the log's size after each flush.
     */
    private long[] trackWrittenTwice(Path a) throws Exception {
        Path log = a.resolve("meta/v.delta.log");
        long[] sizes = new long[2];
        try (Pool p = Pool.open(a)) {
            RaidVolume v = ServicePools.writtenThenOffline(p, OfflineReason.FIRMWARE, LogMode.DATA);
            for (int i = 0; i < 2; i++) {
                v.write(2L * TRACK, ByteBuffer.wrap(twoTracks(i)));
                v.flush(); // acknowledged
                sizes[i] = Files.size(log);
            }
        }
        return sizes;
    }

    /** Write {@code i}'s bytes for tracks 2..3: 0x61 + i, then 0x71 + 2i (the parity d2 holds differs between the two writes). */
    private static byte[] twoTracks(int i) {
        byte[] b = TestPools.filled(2 * TRACK, 0x61 + i);
        Arrays.fill(b, TRACK, 2 * TRACK, (byte) (0x71 + 2 * i));
        return b;
    }

    /** The drive back; tracks 2..3 read as the second write, through the drive too, and the open said why. */
    private void secondWriteBack(Path a, String how) throws Exception {
        try (Pool p = Pool.open(a)) {
            Job back = p.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(back.state()).as(back.progress().message()).isEqualTo(JobState.DONE);
            assertThat(p.admin().verify("v", false, null)).as(how + ": parity mismatches after the return").isZero();
            byte[] got = read(p.volume("v"), 2L * TRACK, 2 * TRACK);
            assertThat(Arrays.mismatch(got, twoTracks(1))).as(how + ": tracks 2..3").isNegative();
            assertThat(String.join("\n", p.openNotes())).as(how + ": the open says the log lost acknowledged records")
                    .contains("delta log").contains("d2").contains("from the other members");
        }
        try (Pool p = Pool.open(a)) {
            p.admin().failDrive("d1"); // d2's strips read as they are, or rebuild d1's
            byte[] got = read(p.volume("v"), 2L * TRACK, 2 * TRACK);
            assertThat(Arrays.mismatch(got, twoTracks(1))).as(how + ": tracks 2..3 with d1 FAILED")
                    .isNegative();
        }
    }

    /**
     * A track's second record lost to damage while its first survives: the replay ends at the
     * damage as at a torn tail, the track keeps a record (the first), so nothing looked lost, and
     * the drive came back with the first write's bytes, the second one acknowledged and gone.
     */
    @Test
    void aLogCutShortBeforeATracksSecondRecordBringsBackTheSecond() throws Exception {
        Path a = pool(tmp, "p", Layout.RAID5, 3);
        long[] sizes = trackWrittenTwice(a);
        try (RandomAccessFile f = new RandomAccessFile(a.resolve("meta/v.delta.log").toFile(), "rw")) {
            f.setLength(sizes[0]); // the second write's records gone, the first's whole
        }
        secondWriteBack(a, "cut short");
    }

    @Test
    void aTracksSecondRecordOverwrittenBringsBackTheSecond() throws Exception {
        Path a = pool(tmp, "p", Layout.RAID5, 3);
        long[] sizes = trackWrittenTwice(a);
        overwrite(a.resolve("meta/v.delta.log"), sizes[0] + 100, 4096);
        secondWriteBack(a, "overwritten");
    }

    /**
     * The same damage with another member FAILED: nothing can give the lost records again, so the
     * drive cannot come back from its log; the open says so and 'drive online' is refused in that
     * sentence, naming the window's file (before, the open said nothing of the loss).
     */
    @Test
    void aDamagedLogWithAnotherMemberFailedRefusesTheReturnInOneSentence() throws Exception {
        Path a = pool(tmp, "p", Layout.RAID1, 2);
        long[] sizes = trackWrittenTwice(a);
        try (Pool p = Pool.open(a)) {
            p.admin().failDrive("d1");
        }
        try (RandomAccessFile f = new RandomAccessFile(a.resolve("meta/v.delta.log").toFile(), "rw")) {
            f.setLength(sizes[0]);
        }
        try (Pool p = Pool.open(a)) {
            assertThat(String.join("\n", p.openNotes())).contains("d2 cannot come back from its service window")
                    .contains("meta/v.delta.log").contains("lost 1 record");
            assertThatThrownBy(() -> p.service().online("d2")).isInstanceOf(PoolException.class)
                    .hasMessageContaining("d2 cannot come back from its service window")
                    .hasMessageContaining("meta/v.delta.log");
        }
    }

    /**
     * A repository on SPARE d4 whose second record (block 0 written again, flushed) is overwritten:
     * the window's writes were only there, so the open says critically that acknowledged writes
     * are lost (before, block 0 read as the first write's bytes without a word).
     */
    @Test
    void aDamagedRepositoryIsSaidAsLostWrites() throws Exception {
        Path a = ServicePools.repositoryOnD4(tmp, "r");
        try (Pool p = Pool.open(a)) {
            p.volume("v").write(0, ByteBuffer.wrap(TestPools.filled(16 * 1024, 0x33)));
            p.volume("v").flush();
        }
        long second = org.splitpoint.engine.log.RingLog.DATA + org.splitpoint.engine.log.RingLog.ENTRY_HEADER + 8 + 16 * 1024;
        try (RandomAccessFile f = new RandomAccessFile(a.resolve("drives/d4.img").toFile(), "r")) {
            f.seek(second);
            assertThat(Integer.reverseBytes(f.readInt())).as("the second record's magic").isEqualTo(0x53504445);
        }
        overwrite(a.resolve("drives/d4.img"), second, 64);
        try (Pool p = Pool.open(a)) {
            assertThat(String.join("\n", p.openNotes())).contains("the repository of d2's service window")
                    .contains("SPARE drive d4").contains("lost 1 record").contains("are lost");
        }
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
