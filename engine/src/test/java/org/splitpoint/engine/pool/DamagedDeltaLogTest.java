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
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
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
        secondWriteBackAt(a, 2, how);
    }

    /** As {@link #secondWriteBack}, the second write at v's tracks {@code at..at+1}. */
    private void secondWriteBackAt(Path a, int at, String how) throws Exception {
        try (Pool p = Pool.open(a)) {
            Job back = p.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(back.state()).as(back.progress().message()).isEqualTo(JobState.DONE);
            assertThat(p.admin().verify("v", false, null)).as(how + ": parity mismatches after the return").isZero();
            byte[] got = read(p.volume("v"), (long) at * TRACK, 2 * TRACK);
            assertThat(Arrays.mismatch(got, twoTracks(1))).as(how + ": tracks " + at + ".." + (at + 1) + "").isNegative();
            assertThat(String.join("\n", p.openNotes())).as(how + ": the open says the log lost acknowledged records")
                    .contains("delta log").contains("d2").contains("from the other members");
        }
        try (Pool p = Pool.open(a)) {
            p.admin().failDrive("d1"); // d2's strips read as they are, or rebuild d1's
            byte[] got = read(p.volume("v"), (long) at * TRACK, 2 * TRACK);
            assertThat(Arrays.mismatch(got, twoTracks(1))).as(how + ": tracks " + at + ".." + (at + 1) + " with d1 FAILED")
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

    /**
     * A damaged log whose relog from the others is stopped by another member's failure part-way
     * (d1's reads fail from the relog's second track on): the open refuses the return, and the
     * claim must stand for the next opening, which has to find the log short again. It did not:
     * the claim is a count of records, the relog's forced records reached it (and the close's mark
     * claimed them), so the next opening found the log whole, said nothing, and 'drive online'
     * brought d2 back without the second write of tracks 28..29 (d2's track 14, past the relog's reach).
     */
    @Test
    void aRelogStoppedByAnotherFailureLeavesTheLogShortForTheNextOpening() throws Exception {
        Path a = pool(tmp, "p", Layout.RAID5, 3);
        Path log = a.resolve("meta/v.delta.log");
        long first = wideThenTwice(a, 28);
        // d1's reads fail once the relog has appended its first track again
        FaultInjector inj = new FaultInjector(StorageFactory.real()).eio(
                f -> f.endsWith("d1.img") && sizeOf(log) > first, FaultInjector.Op.READ, FaultInjector.Mode.FROM_NTH, 2, 1);
        try (Pool p = Pool.open(a, inj)) {
            assertThat(String.join("\n", p.openNotes())).as("the relog stopped")
                    .contains("d2 cannot come back from its service window");
            assertThat(sizeOf(log)).as("the relog appended tracks before d1 failed").isGreaterThan(first + 2 * TRACK);
        }
        // d1 reads again (its failure was of that opening only): the next opening must find the log
        // short still, log every track again and bring d2 back with the second write
        secondWriteBackAt(a, 28, "a relog stopped part-way");
    }

    /**
     * d2's tracks 0..15 logged (v's tracks 0..31 written 0x21, flushed), then {@code twoTracks(1)}
     * at v's tracks {@code at..at+1} (one stripe: one record for d2), flushed, closed; the log's
     * length before that second record, which is then cut off.
     */
    private long wideThenTwice(Path a, int at) throws Exception {
        Path log = a.resolve("meta/v.delta.log");
        long first;
        try (Pool p = Pool.open(a)) {
            RaidVolume v = ServicePools.writtenThenOffline(p, OfflineReason.FIRMWARE, LogMode.DATA);
            v.write(0, ByteBuffer.wrap(TestPools.filled(32 * TRACK, 0x21)));
            v.flush();
            first = Files.size(log);
            v.write((long) at * TRACK, ByteBuffer.wrap(twoTracks(1)));
            v.flush();
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
            f.setLength(first); // the second write's record gone
        }
        return first;
    }

    /**
     * A power cut in the middle of the relog of a damaged log (after three of its sixteen tracks,
     * their records landing unforced): the claim is a count of records, and the relog's own
     * records reached it, so the next opening found the log whole and brought d2 back without the
     * second write of v's tracks 28..29 (d2's track 14, which the relog had not reached). A mark
     * saying the repair is under way, forced before the relog appends, keeps the log short until
     * the repair settles it.
     */
    @Test
    void aPowerCutInTheRelogOfADamagedLogFindsItShortAgain() throws Exception {
        Path a = pool(tmp, "p", Layout.RAID5, 3);
        Path log = a.resolve("meta/v.delta.log");
        long first = wideThenTwice(a, 28);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(6, 0, 1).unforcedWritesLand()
                .countOnly(f -> f.endsWith("v.delta.log"));
        Pool open = null;
        try {
            open = Pool.open(a, inj);
        } catch (Exception e) {
            assertThat(inj.isCut()).as("the open failed by the cut: " + e).isTrue();
        }
        assertThat(inj.isCut()).as("the cut came in the relog").isTrue();
        inj.crash();
        if (open != null) {
            open.abandon();
        }
        assertThat(sizeOf(log)).as("relogged records landed").isGreaterThan(first + 2 * TRACK);
        secondWriteBackAt(a, 28, "a power cut in the relog");
    }

    /**
     * A damaged repository is said once: the opening that says it settles the claim at what is
     * there (no mark is written while a ring is short, RingLog), so the next opening says nothing
     * of it again, and a record the window writes after it is claimed again: damage to it is seen.
     */
    @Test
    void aDamagedRepositoryIsSaidOnceAndItsLaterRecordsAreClaimed() throws Exception {
        Path a = ServicePools.repositoryOnD4(tmp, "r");
        try (Pool p = Pool.open(a)) {
            p.volume("v").write(0, ByteBuffer.wrap(TestPools.filled(16 * 1024, 0x33)));
            p.volume("v").flush();
        }
        long second = org.splitpoint.engine.log.RingLog.DATA + org.splitpoint.engine.log.RingLog.ENTRY_HEADER + 8 + 16 * 1024;
        overwrite(a.resolve("drives/d4.img"), second, 64);
        try (Pool p = Pool.open(a)) {
            assertThat(String.join("\n", p.openNotes())).contains("the repository of d2's service window");
        }
        try (Pool p = Pool.open(a)) {
            assertThat(String.join("\n", p.openNotes())).as("said once").doesNotContain("the repository of d2's service window");
            p.volume("v").write(0, ByteBuffer.wrap(TestPools.filled(16 * 1024, 0x44)));
            p.volume("v").flush();
        }
        overwrite(a.resolve("drives/d4.img"), second, 64); // the record written over the damage, gone in its turn
        try (Pool p = Pool.open(a)) {
            assertThat(String.join("\n", p.openNotes())).as("later damage").contains("the repository of d2's service window");
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (java.io.IOException e) {
            return -1;
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
