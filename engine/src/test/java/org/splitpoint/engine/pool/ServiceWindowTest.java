package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;
import static org.splitpoint.engine.pool.ServicePools.*;

/**
 * Service windows (seeds 000, 001): a drive taken offline under random writes and brought back is
 * byte-identical, member by member, to the same drive of a twin volume that took the same writes
 * and never went offline; exactly the delta's tracks are written to it; a second failure costs
 * exactly what the mode promises; refusals change nothing.
 */
@QuickServiceSteps
class ServiceWindowTest {

    @TempDir
    Path tmp;

    /**
     * A random write: whole tracks, parts of tracks, and writes across stripe boundaries; one in
     * five a zeroing instead (as large as 1.5 MiB, so the twin, never degraded, punches its images).
     */
    private static void randomWrite(RaidVolume v, Random rnd, RaidVolume twin) throws Exception {
        int len = switch (rnd.nextInt(3)) {
            case 0 -> 512 * (1 + rnd.nextInt(16));
            case 1 -> TRACK;
            default -> 1 + rnd.nextInt(3 * TRACK);
        };
        boolean zeroing = rnd.nextInt(5) == 0;
        if (zeroing && rnd.nextBoolean()) {
            len = (1 << 20) + rnd.nextInt(1 << 19);
        }
        long off = (long) rnd.nextInt((int) (v.size() - len));
        if (rnd.nextBoolean()) {
            off -= off % 512;
        }
        if (zeroing) {
            boolean mayUnmap = rnd.nextBoolean();
            v.writeZeroes(off, len, mayUnmap);
            twin.writeZeroes(off, len, mayUnmap);
            return;
        }
        byte[] data = new byte[len];
        rnd.nextBytes(data);
        v.write(off, ByteBuffer.wrap(data));
        twin.write(off, ByteBuffer.wrap(data));
    }

    private static String sha(Path image) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(Files.readAllBytes(image));
        return HexFormat.of().formatHex(md.digest());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "raid1, pointers", "raid1, data", "raid1, repository",
            "raid3, pointers", "raid3, data", "raid3, repository",
            "raid5, pointers", "raid5, data", "raid5, repository"})
    void aDriveBackFromItsWindowIsByteIdenticalToATwinThatNeverLeft(String layoutWord, String modeWord) throws Exception {
        Layout layout = Layout.parse(layoutWord);
        LogMode mode = LogMode.parse(modeWord);
        int n = layout == Layout.RAID1 ? 2 : 4;
        Path a = pool(tmp, "a", layout, n);
        Path b = pool(tmp, "b", layout, n);
        Random rnd = new Random(layoutWord.hashCode() * 31L + modeWord.hashCode());
        try (Pool pa = Pool.open(a); Pool pb = Pool.open(b)) {
            RaidVolume va = pa.volume("v");
            RaidVolume vb = pb.volume("v");
            for (int i = 0; i < 20; i++) {
                randomWrite(va, rnd, vb);
            }
            va.flush();
            pa.service().offline("d2", OfflineReason.FIRMWARE, mode);
            assertThat(va.state()).isEqualTo(VolumeState.SERVICE);
            PoolSnapshot.DriveView d2 = pa.snapshot().drive("d2");
            assertThat(d2.state()).isEqualTo(DriveState.OFFLINE);
            assertThat(d2.reason()).isEqualTo(OfflineReason.FIRMWARE);
            assertThat(d2.service().logMode()).isEqualTo(mode);
            byte[] before = Files.readAllBytes(a.resolve("drives/d1.img"));
            for (int i = 0; i < 40; i++) {
                randomWrite(va, rnd, vb);
                if (i % 7 == 0) {
                    va.flush();
                }
                if (i % 5 == 0) { // reads in the window see every write
                    long off = rnd.nextInt((int) (va.size() - 4096));
                    assertThat(read(va, off, 4096)).isEqualTo(read(vb, off, 4096));
                }
            }
            va.flush();
            if (mode == LogMode.REPOSITORY) {
                assertThat(Files.readAllBytes(a.resolve("drives/d1.img"))).as("members are not written in a repository window")
                        .isEqualTo(before);
            }
            long delta = pa.snapshot().drive("d2").service().deltaTracks();
            assertThat(delta).isPositive();
            awaitJobs(pa);
            Job job = pa.service().online("d2");
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
            ServiceAdmin.Return r = pa.service().lastReturn("d2");
            assertThat(r.tracksResynced()).as("tracks resynced == tracks in the delta").isEqualTo(delta);
            assertThat(job.progress().totalTracks()).as("the job counts the delta's tracks, not the log's pieces")
                    .isEqualTo(delta);
            assertThat(r.wholeRebuild()).isNull();
            assertThat(va.state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(pa.snapshot().drive("d2").service()).isNull();
            assertThat(Files.exists(a.resolve("meta/v.delta"))).isFalse();
            assertThat(pa.admin().verify("v", false, null)).isZero();
        }
        for (int i = 1; i <= n; i++) {
            assertThat(sha(a.resolve("drives/d" + i + ".img"))).as("member d" + i)
                    .isEqualTo(sha(b.resolve("drives/d" + i + ".img")));
        }
    }

    @Test
    void refusalsSayWhyAndChangeNothing() throws Exception {
        Path a = pool(tmp, "r", Layout.RAID5, 3);
        try (Pool p = Pool.open(a)) {
            byte[] config = Files.readAllBytes(a.resolve("pool.json"));
            assertThatThrownBy(() -> p.service().online("d1")).hasMessageContaining("only an OFFLINE drive is brought online");
            assertThatThrownBy(() -> p.service().offline("d4", OfflineReason.RESET, LogMode.POINTERS))
                    .hasMessageContaining("in no volume");
            assertThatThrownBy(() -> p.service().offline("d9", OfflineReason.RESET, LogMode.POINTERS))
                    .hasMessageContaining("no drive named 'd9'");
            assertThat(Files.readAllBytes(a.resolve("pool.json"))).isEqualTo(config);
            p.service().offline("d1", OfflineReason.REPLACEMENT, LogMode.POINTERS);
            byte[] inWindow = Files.readAllBytes(a.resolve("pool.json"));
            assertThatThrownBy(() -> p.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS))
                    .hasMessageContaining("already has a drive in a service window");
            assertThatThrownBy(() -> p.service().offline("d1", OfflineReason.RESET, LogMode.POINTERS))
                    .hasMessageContaining("already OFFLINE");
            assertThatThrownBy(() -> p.admin().failDrive("d1")).hasMessageContaining("service window");
            assertThat(Files.readAllBytes(a.resolve("pool.json"))).isEqualTo(inWindow);
        }
        assertThatThrownBy(() -> OfflineReason.parse("coffee")).hasMessageContaining("unknown offline reason");
        assertThatThrownBy(() -> LogMode.parse("carbon")).hasMessageContaining("unknown log mode");
    }

    /** Writes random 16 KiB blocks at 16 KiB-aligned places; returns what each block holds now. */
    private static java.util.Map<Long, byte[]> blocks(RaidVolume v, Random rnd, int count, java.util.Map<Long, byte[]> into)
            throws Exception {
        int block = 16 * 1024;
        for (int i = 0; i < count; i++) {
            long b = rnd.nextInt((int) (v.size() / block));
            byte[] data = new byte[block];
            rnd.nextBytes(data);
            v.write(b * block, ByteBuffer.wrap(data));
            into.put(b, data);
        }
        return into;
    }

    @Test
    void aSecondFailureInARepositoryWindowLosesNoAcknowledgedWrite() throws Exception {
        Path a = pool(tmp, "s", Layout.RAID5, 4);
        Random rnd = new Random(7);
        java.util.Map<Long, byte[]> expect = new java.util.HashMap<>();
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            blocks(v, rnd, 200, expect);
            v.flush();
            p.service().offline("d2", OfflineReason.RESET, LogMode.REPOSITORY);
            assertThat(p.snapshot().drive("d2").service().repository()).as("a SPARE holds the repository").isEqualTo("d5");
            blocks(v, rnd, 100, expect);
            v.flush();
            p.admin().failDrive("d3");
            blocks(v, rnd, 100, expect); // the repository keeps taking writes: no member is written
            v.flush();
            assertThat(p.snapshot().volume("v").lostTracks()).isEmpty();
        }
        try (Pool p = Pool.open(a)) { // the window and the second failure survive a reopen
            RaidVolume v = p.volume("v");
            awaitJobs(p);
            Job job = p.service().online("d2");
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
            assertThat(v.state()).isEqualTo(VolumeState.DEGRADED);
            assertThat(p.snapshot().drive("d5").state()).as("the spare is free again").isEqualTo(DriveState.SPARE);
            assertThat(p.snapshot().drive("d5").repository()).isNull();
            for (var e : expect.entrySet()) {
                assertThat(read(v, e.getKey() * 16384, 16384)).as("block " + e.getKey()).isEqualTo(e.getValue());
            }
            Job rebuild = p.admin().replaceDrive("d3");
            assertThat(rebuild.await(60_000)).isTrue();
            assertThat(p.admin().verify("v", false, null)).isZero();
            for (var e : expect.entrySet()) {
                assertThat(read(v, e.getKey() * 16384, 16384)).as("block " + e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void aSecondFailureInAPointersWindowLosesExactlyTheTracksWrittenInIt() throws Exception {
        Path a = pool(tmp, "s", Layout.RAID5, 4);
        Random rnd = new Random(11);
        java.util.Map<Long, byte[]> before = new java.util.HashMap<>();
        java.util.Map<Long, byte[]> inWindow = new java.util.HashMap<>();
        java.util.Set<Long> predicted = new java.util.TreeSet<>();
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            blocks(v, rnd, 300, before);
            v.flush();
            p.service().offline("d2", OfflineReason.FIRMWARE, LogMode.POINTERS);
            blocks(v, rnd, 40, inWindow);
            v.flush();
            // 16 KiB blocks inside one 192 KiB stripe: the track of member rows is the stripe's; it is
            // in d2's delta when the block's strip or the stripe's parity is on d2 (member 1)
            long stripeData = 3L * 64 * 1024;
            for (long b : inWindow.keySet()) {
                long stripe = b * 16384 / stripeData;
                int strip = (int) ((b * 16384 % stripeData) / (64 * 1024));
                int parity = (int) (3 - stripe % 4);
                if (parity == 1 || (parity + 1 + strip) % 4 == 1) {
                    predicted.add(stripe);
                }
            }
            p.admin().failDrive("d1");
            assertThat(p.snapshot().volume("v").lostTracks()).as("the lost tracks, predicted").containsExactlyElementsOf(predicted);
        }
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            assertThat(p.snapshot().volume("v").lostTracks()).containsExactlyElementsOf(predicted);
            awaitJobs(p);
            Job job = p.service().online("d2");
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
            Job rebuild = p.admin().replaceDrive("d1");
            assertThat(rebuild.await(60_000)).isTrue();
            assertThat(p.snapshot().volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(p.snapshot().health()).as("OPTIMAL with tracks lost: the pool is not HEALTHY (it said so)")
                    .isEqualTo(PoolSnapshot.Health.CRITICAL);
            long stripeData = 3L * 64 * 1024;
            int unit = 64 * 1024;
            for (var e : before.entrySet()) {
                long off = e.getKey() * 16384;
                long stripe = off / stripeData;
                int strip = (int) ((off % stripeData) / unit);
                int member = (int) ((3 - stripe % 4 + 1 + strip) % 4); // left-symmetric: data strip k on (parity+1+k) mod n
                boolean onLostMember = member == 0 || member == 1; // d1 failed, d2 was offline: where stripes were in the delta
                byte[] now = inWindow.get(e.getKey());
                if (predicted.contains(stripe) && onLostMember) {
                    assertThatThrownBy(() -> read(v, off, 16384)).as("block " + e.getKey())
                            .isInstanceOf(RaidVolume.LostDataException.class).hasMessageContaining("lost");
                } else {
                    assertThat(read(v, off, 16384)).as("block " + e.getKey()).isEqualTo(now != null ? now : e.getValue());
                }
            }
            for (var e : inWindow.entrySet()) {
                long off = e.getKey() * 16384;
                long stripe = off / stripeData;
                int strip = (int) ((off % stripeData) / unit);
                int member = (int) ((3 - stripe % 4 + 1 + strip) % 4);
                if (member != 0 && member != 1) {
                    assertThat(read(v, off, 16384)).as("block " + e.getKey() + " on a member that kept it").isEqualTo(e.getValue());
                }
            }
            // a lost track written whole is good again
            long t = predicted.iterator().next();
            byte[] whole = new byte[(int) stripeData];
            rnd.nextBytes(whole);
            v.write(t * stripeData, ByteBuffer.wrap(whole));
            v.flush();
            assertThat(read(v, t * stripeData, (int) stripeData)).isEqualTo(whole);
            assertThat(p.snapshot().volume("v").lostTracks()).doesNotContain(t);
        }
    }

    @ParameterizedTest(name = "{0}, second failure: {1}")
    @CsvSource({"repository, true", "data, true", "pointers, true", "pointers, false"})
    void aDrillReportsWhatItsModePromises(String modeWord, boolean secondFailure) throws Exception {
        LogMode mode = LogMode.parse(modeWord);
        Path a = pool(tmp, "drill", Layout.RAID5, 4, 64L << 20);
        List<String> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Pool p = Pool.open(a)) {
            Drill.Result r = Drill.run(p, new Drill.Plan("v", "d2", OfflineReason.FIRMWARE, mode,
                    java.time.Duration.ofMillis(1500), secondFailure ? java.time.Duration.ofMillis(700) : null), (n, d) -> steps.add(n));
            assertThat(r.writes()).isPositive();
            assertThat(r.workloadErrors()).as(r.summary()).isZero();
            assertThat(r.verifyMismatches()).as(r.summary()).isZero();
            boolean loses = secondFailure && mode == LogMode.POINTERS;
            // pointers after a second failure: every track of the delta is lost, none can be rebuilt
            assertThat(r.tracksResynced()).as(r.summary()).isLessThan(r.totalTracks());
            if (!loses) {
                assertThat(r.tracksResynced()).as(r.summary()).isPositive();
            }
            assertThat(steps).startsWith("offline", "firmware", "writes").contains("online", "resync", "verify");
            if (secondFailure) {
                assertThat(r.secondFailure()).isEqualTo("d1");
                assertThat(steps).contains("second failure", "replace");
            }
            if (secondFailure && mode == LogMode.POINTERS) {
                assertThat(r.bytesLost()).as("pointers: the window's writes on both drives are lost").isPositive();
                assertThat(r.lostTracks()).as(r.summary()).isPositive();
            } else {
                assertThat(r.bytesLost()).as(r.summary()).isZero();
            }
            assertThat(p.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            p.events().drain();
        }
        List<org.splitpoint.engine.event.Event> log = org.splitpoint.engine.event.EventBus.readLog(a.resolve("meta/events.jsonl"), 500);
        assertThat(log).as("the drill's result is in the event log").anyMatch(e -> e.type().equals("DRILL") && e.message().contains("tracks resynced"));
    }

    @Test
    void aDataWindowsReturnReadsNoOtherMember() throws Exception {
        Path a = pool(tmp, "data", Layout.RAID5, 4);
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(
                org.splitpoint.engine.io.StorageFactory.real());
        Random rnd = new Random(5);
        try (Pool p = Pool.open(a, inj)) {
            RaidVolume v = p.volume("v");
            p.service().offline("d2", OfflineReason.RESET, LogMode.DATA);
            blocks(v, rnd, 60, new java.util.HashMap<>());
            v.flush();
            awaitJobs(p);
            // from now on any read of another member's image fails: the return must not need one
            java.util.function.Predicate<Path> others = f -> f.getFileName().toString().matches("d[134]\\.img");
            inj.eio(others, org.splitpoint.engine.io.FaultInjector.Op.READ, org.splitpoint.engine.io.FaultInjector.Mode.FROM_NTH, 1, 1);
            Job job = p.service().online("d2");
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
            assertThat(p.snapshot().drives()).allMatch(d -> d.state() != DriveState.FAILED);
            assertThat(p.service().lastReturn("d2").tracksResynced()).isPositive();
        }
    }

    @Test
    void aReplacedOrChangedDriveIsRebuiltWholeAndTheEventSaysWhy() throws Exception {
        Path a = pool(tmp, "repl", Layout.RAID5, 4);
        Random rnd = new Random(9);
        java.util.Map<Long, byte[]> expect = new java.util.HashMap<>();
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            blocks(v, rnd, 200, expect);
            v.flush();
            p.service().offline("d2", OfflineReason.REPLACEMENT, LogMode.POINTERS);
            assertThat(p.snapshot().drive("d5").repository()).isNull();
            blocks(v, rnd, 20, expect);
            v.flush();
            // the drive is swapped for a new, blank one
            Files.delete(a.resolve("drives/d2.img"));
            try (var ch = java.nio.channels.FileChannel.open(a.resolve("drives/d2.img"), java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(4L << 20);
                ch.write(ByteBuffer.allocate(1), (4L << 20) - 1);
            }
            Job job = p.service().online("d2");
            assertThat(job.kind()).isEqualTo("rebuild");
            assertThat(job.await(60_000)).isTrue();
            assertThat(v.state()).isEqualTo(VolumeState.OPTIMAL);
            for (var e : expect.entrySet()) {
                assertThat(read(v, e.getKey() * 16384, 16384)).as("block " + e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(p.admin().verify("v", false, null)).isZero();
            p.events().drain();
            // a drive changed behind the engine's back (not blank) is rebuilt whole too
            p.service().offline("d3", OfflineReason.FIRMWARE, LogMode.DATA);
            awaitJobs(p);
            try (var ch = java.nio.channels.FileChannel.open(a.resolve("drives/d3.img"), java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 10);
            }
            Job again = p.service().online("d3");
            assertThat(again.kind()).isEqualTo("rebuild");
            assertThat(again.await(60_000)).isTrue();
            assertThat(p.admin().verify("v", false, null)).isZero();
            p.events().drain();
        }
        String log = Files.readString(a.resolve("meta/events.jsonl"));
        assertThat(log).contains("is rebuilt whole, not from its delta: its image is blank (a new drive replaced it)");
        assertThat(log).contains("is rebuilt whole, not from its delta: its image changed outside Splitpoint");
    }

    @Test
    void aSpareHoldingARepositoryIsNotLentTwice() throws Exception {
        Path a = pool(tmp, "lent", Layout.RAID5, 3);
        try (Pool p = Pool.open(a)) {
            p.admin().addDrive(0); // d5
            p.service().offline("d1", OfflineReason.RESET, LogMode.REPOSITORY);
            assertThat(p.snapshot().drive("d4").repository()).isEqualTo("v");
            assertThatThrownBy(() -> p.admin().createVolume("w", Layout.RAID1, List.of("d4", "d5"), 0))
                    .hasMessageContaining("holds the repository of volume v");
            assertThatThrownBy(() -> p.admin().failDrive("d4")).hasMessageContaining("holds the repository of volume v");
            assertThatThrownBy(() -> p.service().offline("d4", OfflineReason.RESET, LogMode.POINTERS))
                    .hasMessageContaining("holds the repository");
            RaidVolume v = p.volume("v");
            byte[] data = new byte[1 << 20];
            new Random(2).nextBytes(data);
            v.write(0, ByteBuffer.wrap(data)); // into the repository on d4
            v.flush();
            awaitJobs(p); // the reset step (a loaded CI run came back while it still ran: refused, rightly)
            Job back = p.service().online("d1");
            assertThat(back.await(30_000)).isTrue();
            assertThat(p.snapshot().drive("d4").repository()).isNull();
            // the spare held the repository's records: a volume made over it starts blank all the same
            p.admin().createVolume("w", Layout.RAID1, List.of("d4", "d5"), 0);
            assertThat(p.admin().verify("w", false, null)).isZero();
            assertThat(read(p.volume("w"), 0, 4096)).isEqualTo(new byte[4096]);
        }
    }

    @Test
    void diagnosticsReadsTheWholeImageAndReportsBadReads() throws Exception {
        Path a = pool(tmp, "diag", Layout.RAID5, 3);
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(
                org.splitpoint.engine.io.StorageFactory.real());
        try (Pool p = Pool.open(a, inj)) {
            // every third read of d2's image fails once the drive is out
            inj.eio(f -> f.getFileName().toString().equals("d2.img"), org.splitpoint.engine.io.FaultInjector.Op.READ,
                    org.splitpoint.engine.io.FaultInjector.Mode.ONE_IN_N, 3, 7);
            Job diag = p.service().offline("d2", OfflineReason.DIAGNOSTICS, LogMode.POINTERS);
            assertThat(diag.kind()).isEqualTo("diagnostics");
            assertThat(diag.await(30_000)).isTrue();
            assertThat(diag.state()).isEqualTo(JobState.DONE);
            assertThat(diag.progress().totalTracks()).as("1 MiB reads over the 4 MiB image").isEqualTo(4);
            p.events().drain();
        }
        String log = Files.readString(a.resolve("meta/events.jsonl"));
        assertThat(log).contains("diagnostics of d2: bad read at byte");
        assertThat(log).containsPattern("diagnostics of d2 done: read 4 MiB, [1-9][0-9]* bad reads");
    }

    /** The scan reads a mebibyte a step: its progress and its history say "MiB", not "tracks" (64 KiB each here). */
    @Test
    void diagnosticsCountsItsProgressInMebibytesRead() throws Exception {
        Path a = pool(tmp, "diag-unit", Layout.RAID5, 3);
        try (Pool p = Pool.open(a)) {
            Job diag = p.service().offline("d2", OfflineReason.DIAGNOSTICS, LogMode.POINTERS);
            assertThat(diag.await(30_000)).isTrue();
            assertThat(diag.progress().line()).contains("  4/4 MiB  ").doesNotContain("tracks");
            assertThat(p.jobHistory().list()).last().extracting(JobHistory.Entry::line).asString()
                    .startsWith("diagnostics d2 DONE").endsWith(", 4 MiB, 4/4 MiB");
        }
    }
}
