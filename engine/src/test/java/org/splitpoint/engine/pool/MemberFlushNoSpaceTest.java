package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A member's flush that fails because the file system is full (ENOSPC at writeback: delayed
 * allocation, thin storage, a quota) loses the writes it could not make durable, as a failed fsync
 * does on Linux: the kernel marks their pages clean, and the next fsync of that image succeeds
 * without them. Such a failure is not the drive's, so the member stays; but no later flush of the
 * volume may say that the writes completed before it are durable (NBD's FLUSH promises every write
 * completed before it) until they are written to that drive again from the others, or, where no
 * other drive holds them, the pool is reopened. Before, the next flush succeeded: the host was told
 * its write was on disk while one mirror held the old bytes, and the write-intent bits cleared over
 * the disagreement.
 */
class MemberFlushNoSpaceTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    /**
     * The flush after the failed one (the file system has room again) writes d1's lost writes again
     * from the other drives and succeeds: after a power cut every acknowledged byte is there. While
     * the file system stays full (the heal's own force fails), every flush fails, and the volume
     * reads the writes from the drives that kept them.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3", "RAID5"})
    void aFlushAfterAMemberLostWritesFailsUntilTheyAreWrittenAgainFromTheOthers(Layout layout) throws Exception {
        Path dir = ServicePools.pool(tmp, "p", layout, 3);
        FaultInjector inj = cutting();
        Pool p = flushedThenWrittenAgain(dir, inj, 2 * TRACK);
        RaidVolume v = p.volume("v");
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 2); // the first flush, and the second's heal
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        assertThat(ServicePools.read(v, 0, 2 * TRACK)).as("a large read: the write, from the drives that kept it")
                .containsOnly((byte) 0x22);
        for (long at = 0; at < 2 * TRACK; at += 4096) {
            assertThat(ServicePools.read(v, at, 4096)).as("a 4 KiB read at %d", at).containsOnly((byte) 0x22);
        }
        assertThatThrownBy(v::flush).as("a flush while the file system is still full")
                .isInstanceOf(IOException.class).hasMessageContaining("drive d1 lost writes at an earlier flush");
        assertThat(v.state()).as("the volume still serves: a full file system is not a failed drive")
                .isNotEqualTo(VolumeState.FAILED);
        assertThat(p.problems()).as("pool status's problems").anySatisfy(s -> assertThat(s)
                .contains("volume v: drive d1 may have lost writes").contains("once space is freed"));
        v.write(8L * TRACK, ByteBuffer.wrap(fill(TRACK, 0x33)));
        v.flush(); // room again: d1's writes are written again from d2 and d3, and this flush covers them
        assertThat(p.problems()).as("pool status's problems after the heal").isEmpty();
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            RaidVolume again = q.volume("v");
            assertThat(ServicePools.read(again, 0, 2 * TRACK)).as("the writes the healed flush covered")
                    .containsOnly((byte) 0x22);
            assertThat(ServicePools.read(again, 8L * TRACK, TRACK)).containsOnly((byte) 0x33);
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
        }
    }

    /**
     * A member's force that an interrupt cut off (RealStorage's SyncCutOffException: its fsync may have
     * taken the kernel's one report of a failed write-back, so it is not redone) is a possible loss, not
     * a failed drive: here the worst case, the pages it was to write lost. The flush fails, the drive
     * stays in the volume, status says what happened, and the next flush writes the writes again from
     * the other drives: after a power cut every acknowledged byte is there.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID5"})
    void aFlushAnInterruptCutOffLosesNothingOnceTheNextOneWritesItsWritesAgain(Layout layout) throws Exception {
        Path dir = ServicePools.pool(tmp, "p", layout, 3);
        FaultInjector inj = cutting();
        Pool p = flushedThenWrittenAgain(dir, inj, 2 * TRACK);
        RaidVolume v = p.volume("v");
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesCutOff(f -> f.toAbsolutePath().equals(d1), 1);
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class).hasMessageContaining("cut off by an interrupt");
        assertThat(inj.forcesLeftToFail()).as("the cut was injected").isZero();
        assertThat(v.state()).as("a cut-off sync is not a failed drive").isEqualTo(VolumeState.OPTIMAL);
        assertThat(p.problems()).as("pool status's problems").anySatisfy(s -> assertThat(s)
                .contains("volume v: drive d1 may have lost writes at a flush that an interrupt cut off")
                .doesNotContain("space"));
        assertThat(ServicePools.read(v, 0, 2 * TRACK)).as("the write, from the drives that kept it")
                .containsOnly((byte) 0x22);
        v.flush(); // d1's writes are written again from the others, and this flush covers them
        assertThat(p.problems()).as("pool status's problems after the heal").isEmpty();
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(ServicePools.read(q.volume("v"), 0, 2 * TRACK)).as("the writes the healed flush covered")
                    .containsOnly((byte) 0x22);
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
        }
    }

    /** Two drives of a 2-way mirror lost writes: no copy is left to heal from, so flushes fail until the reopen. */
    @Test
    void whenNoOtherDriveHoldsTheLostWritesEveryFlushFailsUntilTheReopen() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        FaultInjector inj = cutting();
        Pool p = flushedThenWrittenAgain(dir, inj, TRACK);
        RaidVolume v = p.volume("v");
        inj.failForcesNoSpace(f -> f.getFileName().toString().matches("d[12]\\.img"), 2);
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(v::flush).as("flush %d after both drives lost writes", i)
                    .isInstanceOf(IOException.class).hasMessageContaining("reopen the pool");
        }
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
            q.volume("v").write(0, ByteBuffer.wrap(fill(TRACK, 0x44)));
            q.volume("v").flush(); // a new opening flushes again
        }
    }

    @Test
    void aCloseAfterTheLossKeepsTheTracksDirtySoTheReopenMakesTheMirrorsAgree() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        FaultInjector inj = cutting();
        Pool p = flushedThenWrittenAgain(dir, inj, TRACK);
        RaidVolume v = p.volume("v");
        Path d2 = p.paths.image("d2").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d2), 2); // the flush, and the close's heal: still full
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        try {
            p.close();
        } catch (IOException expected) {
            // the close's flush fails as every flush does now; the pool is closed all the same
        }
        inj.cutNow(); // then the power goes: what the close made durable stays, nothing else
        inj.crash();
        byte[] a = Arrays.copyOf(Files.readAllBytes(dir.resolve("drives").resolve("d1.img")), TRACK);
        byte[] b = Arrays.copyOf(Files.readAllBytes(dir.resolve("drives").resolve("d2.img")), TRACK);
        assertThat(a).as("the mirrors disagree on track 0 before the reopen").isNotEqualTo(b);
        try (Pool q = Pool.open(dir)) {
            assertThat(q.openNotes()).as("the open's notes").anySatisfy(n -> assertThat(n)
                    .contains("volume v: resynced").contains("flush").contains("shut down cleanly"));
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
        }
    }

    /**
     * Two forces of one image at once (a rebuild's checkpoint beside a host's flush): the one that
     * fails for want of space drops the pages both were to make durable, so the other, although its
     * fsync then succeeds, must not say they are on disk. Before, it returned as if they were, and
     * a rebuild's checkpoint recorded as rebuilt rows the drive no longer held.
     */
    @Test
    void aForceThatEndsAfterAConcurrentOneLostWritesFailsToo() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        FaultInjector inj = cutting();
        try (Pool p = Pool.open(dir, inj)) {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(fill(TRACK, 0x22)));
            org.splitpoint.engine.raid.Member d2 = v.members().get(1);
            Path image = p.paths.image(d2.drive()).toAbsolutePath();
            inj.hold(FaultInjector.Op.ANY, f -> f.toAbsolutePath().equals(image), t -> t.getName().equals("checkpoint"), 30_000);
            java.util.concurrent.CompletableFuture<Throwable> held = new java.util.concurrent.CompletableFuture<>();
            Thread checkpoint = new Thread(() -> {
                try {
                    d2.force();
                    held.complete(null);
                } catch (Throwable e) {
                    held.complete(e);
                }
            }, "checkpoint");
            checkpoint.start();
            while (inj.waitingOnHolds() == 0) {
                Thread.onSpinWait(); // the checkpoint's force has begun, its fsync held
            }
            inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(image), 1);
            assertThatThrownBy(d2::force).as("the host's flush of d2").isInstanceOf(IOException.class);
            inj.releaseHolds();
            assertThat(held.get(30, java.util.concurrent.TimeUnit.SECONDS)).as("the force that ended after the loss")
                    .isInstanceOf(org.splitpoint.engine.io.WritesLostException.class);
            v.flush(); // the heal
        }
    }

    /** Storage whose power can be cut, the writes not forced by then lost. */
    /**
     * A refill (a restore's or a pair's copy, {@link RaidVolume#writeRefill}) sets no write-intent
     * bit on a clean track (on a mirror, or whole stripes): a flush that failed for want of space on
     * d1 dropped it there, and the heal, which wrote again only the dirty tracks, let the next flush
     * succeed (the copier then records the tracks as copied) with d1 holding the bytes from before
     * the refill. The heal writes again every track written since the last good flush.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3", "RAID5"})
    void aRefillAFailedFlushDroppedIsWrittenAgainByTheHeal(Layout layout) throws Exception {
        Path dir = ServicePools.pool(tmp, "p", layout, 3);
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj);
        RaidVolume v = p.volume("v");
        long at = 32L * TRACK; // a clean track group, whole stripes
        v.writeRefill(at, ByteBuffer.wrap(fill(4 * TRACK, 0x66)));
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        v.flush(); // room again: the heal, and the flush that acknowledges the refill
        assertThat(p.admin().verify("v", false, null)).as("mismatched sectors after the heal").isZero();
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
            assertThat(ServicePools.read(q.volume("v"), at, 4 * TRACK)).as("the acknowledged refill").containsOnly((byte) 0x66);
        }
    }

    /**
     * RAID 5: d1's strip of a stripe written and then dropped by a flush that failed for want of
     * space on d1; then a write of the stripe's other data strip, whose parity is computed from the
     * strips it does not write. Read from d1's image, its strip gave its old bytes to that parity,
     * and the heal, which recomputes d1's strip from the others, wrote the old bytes back: the next
     * flush succeeded over a write no drive held (read 0x11 where 0x22 was written). A strip of a
     * drive that lost writes is reconstructed from the others for a parity, as for a read.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID3", "RAID5"})
    void aParityIsNotComputedFromTheOldBytesOfAStripAFailedFlushDropped(Layout layout) throws Exception {
        Path dir = ServicePools.pool(tmp, "p", layout, 3);
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj);
        RaidVolume v = p.volume("v");
        int unit = (int) (v.wholeWriteUnit() / 2); // stripe 0: d1's strip, then d2's; d3 holds its parity
        v.write(0, ByteBuffer.wrap(fill(2 * unit, 0x11)));
        v.flush();
        v.write(0, ByteBuffer.wrap(fill(unit, 0x22))); // d1's strip
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        v.write(unit, ByteBuffer.wrap(fill(unit, 0x33))); // d2's strip: the parity from d1's
        assertThat(ServicePools.read(v, 0, unit)).as("d1's strip before the heal").containsOnly((byte) 0x22);
        v.flush(); // room again: the heal
        assertThat(ServicePools.read(v, 0, unit)).as("d1's strip after the heal").containsOnly((byte) 0x22);
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
            assertThat(ServicePools.read(q.volume("v"), 0, unit)).as("d1's strip").containsOnly((byte) 0x22);
            assertThat(ServicePools.read(q.volume("v"), unit, unit)).as("d2's strip").containsOnly((byte) 0x33);
        }
    }

    /**
     * A full file system fails the forces of two drives at one flush (their images share it): a
     * partial-stripe write whose other data strips are both on them must still write (as a read
     * would, from their images: no other copy has them). Before, only the last such strip was read
     * and the first left out, and the host's write failed with a NullPointerException.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID3", "RAID5"})
    void aPartialStripeWriteBesideTwoDrivesThatLostWritesIsWritten(Layout layout) throws Exception {
        Path dir = ServicePools.pool(tmp, "p", layout, 4);
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj);
        RaidVolume v = p.volume("v");
        int unit = (int) (v.wholeWriteUnit() / 3); // stripe 0: d1's strip, d2's, d3's; d4 holds its parity
        v.write(0, ByteBuffer.wrap(fill(6 * unit, 0x11)));
        v.flush();
        v.write(0, ByteBuffer.wrap(fill(2 * unit, 0x22))); // d1's strip and d2's
        Path d1 = p.paths.image("d1").toAbsolutePath();
        Path d2 = p.paths.image("d2").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1) || f.toAbsolutePath().equals(d2), 2);
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        int part = Math.min(4096, unit / 2); // part of d3's strip (RAID 3's strips are 512 bytes)
        v.write(2L * unit, ByteBuffer.wrap(fill(part, 0x33))); // the parity from d1's and d2's
        assertThat(ServicePools.read(v, 2L * unit, part)).as("the write just made").containsOnly((byte) 0x33);
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
            assertThat(ServicePools.read(q.volume("v"), 3L * unit, 3 * unit)).as("stripe 1, flushed").containsOnly((byte) 0x11);
        }
    }

    /**
     * A 3-way mirror with d3 out (FAILED, or in a service window) still has a copy of every row
     * on d2: the heal after a flush that failed for want of space on d1 takes d1's writes from it
     * once there is room. Before, the heal asked every member to take writes and hold the rows, so
     * every flush failed ('lost writes') until the pool was reopened.
     */
    @Test
    void aMirrorWithAThirdDriveOutHealsFromTheOtherHolder() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 3);
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj);
        RaidVolume v = p.volume("v");
        p.admin().failDrive("d3");
        v.write(0, ByteBuffer.wrap(fill(2 * TRACK, 0x11)));
        v.flush();
        v.write(0, ByteBuffer.wrap(fill(2 * TRACK, 0x22)));
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        v.flush(); // room again: the heal writes d1's lost writes again from d2
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
            assertThat(ServicePools.read(q.volume("v"), 0, 2 * TRACK)).as("the flushed writes").containsOnly((byte) 0x22);
        }
    }

    /**
     * 'volume verify --repair' while d1 lost writes at a failed flush (the file system still full):
     * a mirror's repair took the first drive holding the rows, d1, for the reference and wrote its
     * old bytes over the others' new ones, and the heal then took d1's copy back from them; once
     * there was room the next flush succeeded over a write no drive held (read 0x11 where 0x22 was
     * written). The repair is refused, changing nothing, until the heal has written them again.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3", "RAID5"})
    void aRepairDoesNotTakeTheOldBytesOfADriveThatLostWrites(Layout layout) throws Exception {
        Path dir = ServicePools.pool(tmp, "p", layout, 3);
        FaultInjector inj = cutting();
        Pool p = flushedThenWrittenAgain(dir, inj, 2 * TRACK);
        RaidVolume v = p.volume("v");
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 2); // the flush, and the heal the repair tries first
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> p.admin().verify("v", true, null)).as("a repair while d1 lost writes")
                .isInstanceOf(IOException.class).hasMessageContaining("d1");
        v.flush(); // room again: the heal
        assertThat(ServicePools.read(v, 0, 2 * TRACK)).as("the writes the flush acknowledged").containsOnly((byte) 0x22);
        assertThat(p.admin().verify("v", true, null)).as("mismatched sectors after the heal").isZero();
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(ServicePools.read(q.volume("v"), 0, 2 * TRACK)).containsOnly((byte) 0x22);
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
        }
    }

    private static FaultInjector cutting() {
        return new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1).unforcedWritesLost();
    }

    /** The pool open over {@code inj}: v's first {@code n} bytes written 0x11 and flushed, then written 0x22. */
    private static Pool flushedThenWrittenAgain(Path dir, FaultInjector inj, int n) throws Exception {
        Pool p = Pool.open(dir, inj);
        RaidVolume v = p.volume("v");
        v.write(0, ByteBuffer.wrap(fill(n, 0x11)));
        v.flush();
        v.write(0, ByteBuffer.wrap(fill(n, 0x22)));
        return p;
    }

    private static byte[] fill(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
