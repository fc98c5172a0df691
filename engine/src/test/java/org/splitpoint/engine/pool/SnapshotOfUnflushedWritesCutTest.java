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
 * flush: the writes are gone from the volume, and from the snapshot with it (where it saved nothing
 * it reads the volume's bytes). A flush of the next opening does not bring them back: it makes
 * durable what that opening wrote, and the snapshot's save of the track, made then, holds the
 * volume's bytes from before the lost writes, exactly. This is what SnapshotDuringPairCopyCutTest's
 * long mode saw ("take" at cuts [202, 232, 104] seed 30: s1 reading on tracks 29-31 the bytes from
 * before writes through saves of its own): no lost save, but an oracle that let a later opening's
 * flush, its ticks counted from zero again, acknowledge the writes the cut had lost. Deterministic:
 * every unforced write is lost at the cut.
 */
class SnapshotOfUnflushedWritesCutTest {

    private static final int TRACK = 4096;
    private static final int TRACK_WRITTEN = 29;

    @TempDir
    Path tmp;

    @Test
    void writesACutLostBeforeAnyFlushAreNotTheSnapshotsAfterALaterOpeningsFlush() throws Exception {
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

        // opening 1: a write returns (tick 1 of this opening's clock), s1 is taken, the power goes
        AckOracle v = new AckOracle(before);
        FaultInjector inj = SnapshotPools.cutting();
        Pool pool = Pool.open(dir, inj);
        int i = v.wrote(off, lost, Long.MAX_VALUE);
        pool.device("v").write(off, ByteBuffer.wrap(lost));
        v.returned(i, 1);
        AckOracle atS1 = v.copy();
        pool.snapshots().create("v", "s1");
        CutRuns.cutAndCrash(inj, pool);
        atS1.crashed(); // what the cut left unacknowledged stays so

        // opening 2: the write is gone from v and from s1 alike; a write to its track saves s1's
        // bytes (v's, from before it), and a flush at tick 2 of this opening's clock comes after
        try (Pool p = Pool.open(dir)) {
            assertThat(range(p, "v")).as("v, its write lost at the cut").isEqualTo(trackBytes(before));
            assertThat(range(p, "v@s1")).as("s1 as reopened: v's bytes").isEqualTo(trackBytes(before));
            assertThat(atS1.check(ResumedJobCutAgainTest.readAll(p.device("v@s1")))).as("s1 as reopened").isNull();
            p.device("v").write(off, ByteBuffer.wrap(later));
            p.device("v").flush();
            atS1.flushed(2);
            assertThat(p.snapshotCatalog.origin(p.volume("v")).index().all().stream()
                    .filter(r -> r.track() == TRACK_WRITTEN).count()).as("s1's save of track " + TRACK_WRITTEN).isEqualTo(1);
            assertThat(range(p, "v@s1")).as("s1 through its save").isEqualTo(trackBytes(before));
            assertThat(atS1.check(ResumedJobCutAgainTest.readAll(p.device("v@s1")))).as("s1 after a flush of opening 2").isNull();
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(range(p, "v@s1")).as("s1 reopened: its save's bytes").isEqualTo(trackBytes(before));
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
