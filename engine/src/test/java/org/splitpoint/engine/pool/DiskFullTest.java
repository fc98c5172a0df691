package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.raid.ParityVolume;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A full file system never makes acknowledged data unreadable, never fails a drive, and leaves
 * nothing half-made behind (issue 8, items 9 and 10).
 */
class DiskFullTest {

    @TempDir
    Path dir;

    private byte[] image;

    /** RAID 5 over 4 drives, d4 failed (writes are journaled), filled with an acknowledged image. */
    private ParityVolume degraded(Pool pool) throws Exception {
        ParityVolume v = (ParityVolume) pool.volume("v");
        if (image == null) {
            image = new byte[(int) v.size()];
            new Random(4).nextBytes(image);
        }
        return v;
    }

    private void prepare() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 1 << 20, 4096);
        try (Pool p = Pool.open(dir)) {
            ParityVolume v = degraded(p);
            v.write(0, ByteBuffer.wrap(image));
            p.admin().failDrive("d4");
        }
    }

    /** Volume offset and length of a strip of stripe {@code s} held by member {@code m}, or null. */
    private static long[] stripOn(ParityVolume v, long s, int m) {
        for (int k = 0; k < 3; k++) {
            if (v.dataMember(s, k) == m) {
                return new long[] {s * v.stripUnit() * 3L + (long) k * v.stripUnit(), v.stripUnit()};
            }
        }
        return null;
    }

    /**
     * The power goes between a journaled write's data and parity member writes (the data landed,
     * the parity did not: the stripe is torn), and the file system is full when the pool reopens:
     * the journal cannot be replayed. The pool opens all the same, says why the recovery waits,
     * serves every acknowledged byte (the absent member's strip through the journaled update),
     * refuses writes with a sentence, and finishes the recovery once there is space.
     */
    @Test
    void aPoolWhoseRecoveryNeedsSpaceOpensAndServesItsAcknowledgedData() throws Exception {
        long[][] torn = tornStripe();
        long[] written = torn[0];
        long[] absent = torn[1];
        long stripe = torn[2][0];
        byte[] fresh = TORN_BYTES;
        FaultInjector full = new FaultInjector(StorageFactory.real()).diskFullAfter(p -> true, 0);
        try (Pool p = Pool.open(dir, full)) {
            assertThat(p.openNotes()).anyMatch(n -> n.contains("recovery (replaying its stripe journal) needs space"));
            ParityVolume v = degraded(p);
            TestPools.assertSameBytes(p.read("v", absent[0], (int) absent[1]),
                    Arrays.copyOfRange(image, (int) absent[0], (int) (absent[0] + absent[1])),
                    "the absent member's strip of the torn stripe " + stripe);
            assertThatThrownBy(() -> v.write(0, ByteBuffer.wrap(new byte[10]))).isInstanceOf(NoSpaceException.class)
                    .hasMessageContaining("volume v: the write was not done").hasMessageContaining("free space");
            full.diskFreed();
            v.write(0, ByteBuffer.wrap(new byte[10])); // redoes the journaled update first
            v.flush();
        }
        try (Pool p = Pool.open(dir)) {
            byte[] expect = image.clone();
            System.arraycopy(fresh, 0, expect, (int) written[0], fresh.length);
            Arrays.fill(expect, 0, 10, (byte) 0);
            TestPools.assertSameBytes(p.read("v", 0, image.length), expect, "the volume after the recovery");
        }
    }

    /** What the torn write of {@link #tornStripe} put on the data member. */
    private static final byte[] TORN_BYTES = new byte[4096];

    static {
        Arrays.fill(TORN_BYTES, (byte) 0x42);
    }

    /**
     * Prepares the degraded pool and tears a journaled write of {@link #TORN_BYTES} (its data member written, the
     * power cut before its parity); returns the written strip, the absent member's strip, and {stripe}.
     */
    private long[][] tornStripe() throws Exception {
        prepare();
        long stripe = -1;
        long[] written = null;
        long[] absent = null;
        try (Pool p = Pool.open(dir)) {
            ParityVolume v = degraded(p);
            for (long s = 0; stripe < 0; s++) {
                long[] onD4 = stripOn(v, s, 3);
                int parity = v.parityMember(s);
                long[] data = null;
                for (int m = 0; m < 3 && data == null; m++) {
                    if (m != parity && m < parity) {
                        data = stripOn(v, s, m); // a data member written before the parity
                    }
                }
                if (onD4 != null && data != null) {
                    stripe = s;
                    written = data;
                    absent = onD4;
                }
            }
        }
        // count the writes of the scenario, then cut exactly at the last one: the parity member write
        long total = tornWrite(written, TORN_BYTES, 0);
        tornWrite(written, TORN_BYTES, total);
        return new long[][] {written, absent, {stripe}};
    }

    /**
     * The same torn stripe when it is the process's file-size limit that stops the replay: the note said "needs space
     * the file system holding the pool does not have ... until space is freed", and freeing space changes nothing.
     */
    @Test
    void aRecoveryStoppedByTheFileSizeLimitSaysSo() throws Exception {
        tornStripe();
        FaultInjector limited = new FaultInjector(StorageFactory.real()).fileSizeLimitAfter(p -> true, 0);
        try (Pool p = Pool.open(dir, limited)) {
            assertThat(p.openNotes()).anyMatch(n -> n.contains("recovery (replaying its stripe journal) needs")
                    && n.contains("file-size limit") && n.contains("until that limit is raised")
                    && !n.contains("space the file system") && !n.contains("space is freed"));
            limited.diskFreed();
        }
    }

    /** Runs: open, a journaled write of {@code data} at {@code at[0]}; cut at write {@code cut} (0: count). */
    private long tornWrite(long[] at, byte[] data, long cut) throws Exception {
        Path copy = dir.resolveSibling(dir.getFileName() + "-count");
        Path target = dir;
        if (cut == 0) {
            TestPools.copyDir(dir, copy);
            target = copy;
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, 0, 1).unforcedWritesLand()
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        Pool p = Pool.open(target, inj);
        p.volume("v").write(at[0], ByteBuffer.wrap(data));
        long n = inj.writeCount();
        inj.crash();
        p.abandon();
        if (cut == 0) {
            TestPools.deleteDir(copy);
        }
        return n;
    }

    @Test
    void aJournaledWriteThatRunsOutOfSpaceIsRedoneOnceThereIsSpace() throws Exception {
        prepare();
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            ParityVolume v = degraded(p);
            byte[] data = new byte[200_000];
            Arrays.fill(data, (byte) 7);
            // room for the journal entry and part of the member writes only
            inj.diskFullAfter(f -> f.getFileName().toString().endsWith(".img"), 70_000);
            assertThatThrownBy(() -> v.write(10_000, ByteBuffer.wrap(data))).isInstanceOf(NoSpaceException.class);
            // reads stay right: what was acknowledged, or the new bytes, never a mix that breaks the absent strips
            byte[] got = p.read("v", 0, image.length);
            for (int i = 0; i < got.length; i++) {
                if (got[i] != image[i] && !(i >= 10_000 && i < 210_000 && got[i] == 7)) {
                    throw new AssertionError("byte " + i + " reads " + got[i] + ", acknowledged " + image[i]);
                }
            }
            assertThatThrownBy(() -> v.write(500_000, ByteBuffer.wrap(new byte[100]))).isInstanceOf(NoSpaceException.class);
            inj.diskFreed();
            v.write(10_000, ByteBuffer.wrap(data));
            v.flush();
            byte[] expect = image.clone();
            System.arraycopy(data, 0, expect, 10_000, data.length);
            TestPools.assertSameBytes(p.read("v", 0, image.length), expect, "after space was freed");
        }
    }

    private static byte[] keptBytes() {
        byte[] kept = new byte[8192];
        Arrays.fill(kept, (byte) 5);
        return kept;
    }

    /** A RAID 1 over 2 drives opened through {@code inj}, {@code kept} written at 0 and flushed (acknowledged, durable). */
    private Pool mirrorHolding(byte[] kept, FaultInjector inj) throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        Pool p = Pool.open(dir, inj);
        p.volume("v").write(0, ByteBuffer.wrap(kept));
        p.volume("v").flush();
        return p;
    }

    /**
     * A mirror write that lands on d1 but finds d2's file system full leaves the legs disagreeing on
     * its track, which stays dirty through the clean close (pinned) so that the next open resyncs
     * it. That open must not call the pool "not shut down cleanly": it was, and nothing
     * acknowledged was lost; it says what is left over and why.
     */
    @Test
    void aWriteRefusedForLackOfSpaceIsNotReportedAsAnUncleanShutdownAtTheNextOpen() throws Exception {
        byte[] kept = keptBytes();
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = mirrorHolding(kept, inj)) {
            RaidVolume v = p.volume("v");
            inj.diskFullAfter(f -> f.getFileName().toString().equals("d2.img"), 0);
            byte[] refused = new byte[4096]; // one track
            Arrays.fill(refused, (byte) 9);
            assertThatThrownBy(() -> v.write(65_536, ByteBuffer.wrap(refused))).isInstanceOf(NoSpaceException.class);
        }
        try (Pool p = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
            assertThat(p.openNotes()).noneMatch(n -> n.contains("not shut down cleanly"));
            assertThat(p.openNotes()).anyMatch(n -> n.startsWith("volume v was shut down cleanly")
                    && n.contains("1 track") && n.contains("lack of space")
                    && n.contains("when the pool is next opened for writing"));
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.openNotes()).noneMatch(n -> n.contains("not shut down cleanly"));
            assertThat(p.openNotes()).anyMatch(n -> n.startsWith("volume v: resynced 1 track") && n.contains("lack of space"));
            TestPools.assertSameBytes(p.read("v", 0, kept.length), kept, "the acknowledged write");
        }
        try (Pool p = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
            assertThat(p.openNotes()).isEmpty(); // the resync made the legs agree: nothing is left over
        }
    }

    /**
     * The same on RAID 5, where a stripe update that ran out of space is kept to redo and every
     * flush redoes it first, the close's last flush too: that flush fails for want of space, yet
     * the close is clean, and the next open must say so (the drive images were full; the
     * write-intent file, written in place, was not). Before, that open said "not shut down
     * cleanly", as the CLI printed after a `volume write` refused on a full tmpfs.
     */
    @Test
    void aParityWriteRefusedForLackOfSpaceIsNotReportedAsAnUncleanShutdownAtTheNextOpen() throws Exception {
        TestPools.create(dir, Layout.RAID5, 3, 8 << 20, 65_536);
        byte[] kept = new byte[1 << 20];
        new Random(93).nextBytes(kept);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(kept));
            v.flush(); // acknowledged and durable
            inj.diskFullAfter(f -> f.getFileName().toString().endsWith(".img"), 2 << 20);
            assertThatThrownBy(() -> v.write(4 << 20, ByteBuffer.wrap(new byte[4 << 20]))).isInstanceOf(NoSpaceException.class);
            assertThatThrownBy(p::close).isInstanceOf(NoSpaceException.class); // its last flush cannot redo the update
        }
        try (Pool p = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
            assertThat(p.openNotes()).noneMatch(n -> n.contains("not shut down cleanly"));
            assertThat(p.openNotes()).anyMatch(n -> n.startsWith("volume v was shut down cleanly")
                    && n.contains("when the pool is next opened for writing"));
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.openNotes()).noneMatch(n -> n.contains("not shut down cleanly"));
            assertThat(p.openNotes()).anyMatch(n -> n.startsWith("volume v: resynced") && n.contains("lack of space"));
            TestPools.assertSameBytes(p.read("v", 0, kept.length), kept, "the acknowledged write");
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }

    /**
     * A file-size limit (ulimit -f, systemd's LimitFSIZE) reached by a drive image is a condition of
     * the host, as a full file system is: the write is refused with a sentence that names the
     * limit, and no drive is failed. Before, EFBIG ("File too large") was taken for a failing
     * drive: `volume write` under `ulimit -f` failed both legs of a mirror ("volume v is FAILED:
     * d1 FAILED, d2 FAILED") for a write that had only outgrown the limit.
     */
    @Test
    void aDriveImageThatReachesTheFileSizeLimitRefusesTheWriteAndFailsNoDrive() throws Exception {
        byte[] kept = keptBytes();
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = mirrorHolding(kept, inj)) {
            RaidVolume v = p.volume("v");
            inj.fileSizeLimitAfter(f -> f.getFileName().toString().endsWith(".img"), 0);
            assertThatThrownBy(() -> v.write(65_536, ByteBuffer.wrap(new byte[4096]))).isInstanceOf(NoSpaceException.class)
                    .hasMessageContaining("volume v: the write was not done").hasMessageContaining("File too large")
                    .hasMessageContaining("file-size limit");
            assertThat(p.snapshot().drive("d1").state()).isEqualTo(DriveState.ONLINE);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            inj.diskFreed();
            v.write(65_536, ByteBuffer.wrap(kept)); // the limit raised: writes go on, on both legs
            v.flush();
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshot().drive("d1").state()).isEqualTo(DriveState.ONLINE);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            TestPools.assertSameBytes(p.read("v", 65_536, kept.length), kept, "the write after the limit was raised");
            assertThat(p.admin().verify("v", false, null)).as("mirror mismatches").isZero();
        }
    }

    /**
     * The clean-close mark is cleared before the first new dirty bit is durable: a crash after the
     * reopen's writes is still an unclean shutdown, even when the last close left a track pinned.
     */
    @Test
    void aCrashAfterACleanCloseThatLeftATrackPinnedIsStillAnUncleanShutdown() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            inj.diskFullAfter(f -> f.getFileName().toString().equals("d2.img"), 0);
            byte[] refused = new byte[4096];
            Arrays.fill(refused, (byte) 9); // lands on d1 only: the legs disagree
            assertThatThrownBy(() -> p.volume("v").write(0, ByteBuffer.wrap(refused))).isInstanceOf(NoSpaceException.class);
        }
        FaultInjector crash = new FaultInjector(StorageFactory.real())
                .diskFullAfter(f -> f.getFileName().toString().equals("d2.img"), 0); // the open cannot resync it
        Pool p = Pool.open(dir, crash);
        crash.diskFreed();
        p.volume("v").write(500_000, ByteBuffer.wrap(new byte[100])); // a new dirty bit, durable before the write
        crash.processCrash();
        p.abandon();
        try (Pool q = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
            assertThat(q.openNotes()).anyMatch(n -> n.startsWith("volume v was not shut down cleanly"));
        }
    }

    @Test
    void aStateFileThatCannotBeWrittenLeavesNoTemporaryBehind() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .diskFullAfter(p -> p.getFileName().toString().startsWith("pool.json"), 0);
        byte[] before = Files.readAllBytes(dir.resolve("pool.json"));
        try (Pool p = Pool.open(dir, inj)) {
            assertThatThrownBy(() -> p.admin().failDrive("d2")).isInstanceOf(NoSpaceException.class);
            RaidVolume v = p.volume("v");
            inj.diskFreed();
            v.write(0, ByteBuffer.wrap(new byte[10])); // to both drives: the refusal changed nothing (UnrecordedFailDriveTest)
        }
        assertThat(Files.exists(dir.resolve("pool.json.tmp"))).isFalse();
        assertThat(Files.readAllBytes(dir.resolve("pool.json"))).isEqualTo(before);
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
        }
    }
}
