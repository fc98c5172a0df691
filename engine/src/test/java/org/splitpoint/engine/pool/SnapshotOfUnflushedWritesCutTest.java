package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.io.FaultInjector;

/**
 * A snapshot taken of host writes that returned but were not flushed, then a power cut before any
 * flush of the hosts': the snapshot holds them, and the volume too, since the take flushes the
 * volume (as a device-mapper snapshot's suspend does). Before, the take flushed nothing: the cut
 * took the writes out of the volume and out of the snapshot with it (where it saved nothing it reads
 * the volume's bytes), a snapshot reported taken without writes the host had seen done before it.
 * Then a write of the next opening saves the track for the snapshot: its save holds those writes.
 * (SnapshotDuringPairCopyCutTest's long mode saw the old behaviour through an oracle that let a later
 * opening's flush acknowledge writes a cut had lost; AckOracle.crashed settles that.) Deterministic:
 * every unforced write is lost at the cut.
 */
class SnapshotOfUnflushedWritesCutTest {

    private static final int TRACK = 4096;
    private static final int TRACK_WRITTEN = 29;

    @TempDir
    Path tmp;

    @Test
    void writesThatReturnedBeforeTheTakeAreTheSnapshotsThroughAPowerCut() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1 << 20);
        byte[] before;
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            before = ResumedJobCutAgainTest.filled(pool.device("v"), 41);
            pool.device("v").flush();
        }
        int off = TRACK_WRITTEN * TRACK + 100;
        byte[] lost = bytes(TRACK + 500, 1); // over tracks 29 and 30
        byte[] later = bytes(300, 2);

        // opening 1: a write returns, s1 is taken (the take's flush acknowledges it), the power goes
        AckOracle v = new AckOracle(before);
        FaultInjector inj = SnapshotPools.cutting();
        Pool pool = Pool.open(dir, inj);
        int i = v.wrote(off, lost, Long.MAX_VALUE);
        pool.device("v").write(off, ByteBuffer.wrap(lost));
        v.returned(i, 1);
        pool.snapshots().create("v", "s1");
        v.flushed(2);
        AckOracle atS1 = v.copy();
        CutRuns.cutAndCrash(inj, pool);
        atS1.crashed();
        byte[] withWrite = before.clone();
        System.arraycopy(lost, 0, withWrite, off, lost.length);

        // opening 2: the write is in v and in s1; a write to its track saves s1's bytes, the write's
        try (Pool p = Pool.open(dir)) {
            assertThat(range(p, "v")).as("v, the write the take made durable").isEqualTo(trackBytes(withWrite));
            assertThat(range(p, "v@s1")).as("s1 as reopened").isEqualTo(trackBytes(withWrite));
            assertThat(atS1.check(ResumedJobCutAgainTest.readAll(p.device("v@s1")))).as("s1 as reopened").isNull();
            p.device("v").write(off, ByteBuffer.wrap(later));
            p.device("v").flush();
            assertThat(p.snapshotCatalog.origin(p.volume("v")).index().all().stream()
                    .filter(r -> r.track() == TRACK_WRITTEN).count()).as("s1's save of track " + TRACK_WRITTEN).isEqualTo(1);
            assertThat(range(p, "v@s1")).as("s1 through its save").isEqualTo(trackBytes(withWrite));
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(range(p, "v@s1")).as("s1 reopened: its save's bytes").isEqualTo(trackBytes(withWrite));
            assertThat(atS1.check(ResumedJobCutAgainTest.readAll(p.device("v@s1")))).as("s1 reopened").isNull();
        }
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Tracks 29 and 30 of {@code image}. */
    private static byte[] trackBytes(byte[] image) {
        return Arrays.copyOfRange(image, TRACK_WRITTEN * TRACK, (TRACK_WRITTEN + 2) * TRACK);
    }

    private static byte[] range(Pool p, String device) throws Exception {
        byte[] b = new byte[2 * TRACK];
        p.device(device).read((long) TRACK_WRITTEN * TRACK, ByteBuffer.wrap(b));
        return b;
    }
}
