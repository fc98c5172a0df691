package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;

/**
 * A restore to a snapshot whose start fails after its record is written (its copy's thread cannot be
 * started) is taken back, as a backup restore's is ({@link RestoreStartUndo}): the caller is told it
 * did not start, so neither memory nor the next opening may go on with it. Before, the restore stayed
 * in memory, its record in pool.json and its map on disk: the restore the caller was told failed went
 * on, and the next opening resumed it, the volume's tracks hosts had not rewritten since turning into
 * the snapshot's.
 */
class SnapshotRestoreStartUndoTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aRestoreWhoseCopyCannotStartIsTakenBack() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK);
        byte[] written = TestPools.filled(4 * TRACK, 0x33);
        byte[] before = TestPools.filled(4 * TRACK, 0x22);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            p.device("v").write(0, ByteBuffer.wrap(TestPools.filled(8 * TRACK, 0x11)));
            p.snapshots().create("v", "s");
            p.device("v").write(0, ByteBuffer.wrap(TestPools.filled(8 * TRACK, 0x22)));
            Throwable failed = NoNewThread.refusing(false, () -> p.snapshots().restore("v", "s", false, 0));
            assertThat(failed).as("the restore's start failed").isNotNull();
            assertThat(p.snapshots().restoreOf("v")).as("no restore in memory").isNull();
            p.device("v").write(0, ByteBuffer.wrap(written)); // acknowledged: the restore did not start
            p.device("v").flush();
            assertThat(read(p)).isEqualTo(written);
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(read(p)).as("the writes made after the failed start").isEqualTo(written);
            assertThat(readFrom(p, 4)).as("the tracks written before it, not rewritten since").isEqualTo(before);
            assertThat(p.snapshots().restoreOf("v")).as("no restore resumed").isNull();
            p.snapshots().restore("v", "s", false, 0).await(30_000); // and it can be restored again
            assertThat(read(p)).isEqualTo(TestPools.filled(4 * TRACK, 0x11));
        }
    }

    private static byte[] read(Pool p) throws Exception {
        return readFrom(p, 0);
    }

    /** Four tracks of v from track {@code track}. */
    private static byte[] readFrom(Pool p, int track) throws Exception {
        byte[] b = new byte[4 * TRACK];
        p.device("v").read((long) track * TRACK, ByteBuffer.wrap(b));
        return b;
    }
}
