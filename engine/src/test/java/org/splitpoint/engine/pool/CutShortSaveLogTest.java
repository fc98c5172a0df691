package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A meta/snapshots.log cut short of records it had made durable (by hand, a damaged file system)
 * looked like a torn tail: the snapshot stayed valid holding 1 of its 17 saves, and its reads gave
 * the volume's current bytes for the others. The log's header keeps the count of durable records
 * now: the snapshots are invalid, said in one sentence, and never read. A log without the count (an
 * older pool's) opens as before.
 */
class CutShortSaveLogTest {

    private static final int TRACK = 4096;
    private static final int SAVES = 17;

    @TempDir
    Path tmp;

    private byte[] atS1;

    /** v written, s1 taken, then 17 tracks of v overwritten: 17 saves in the log. */
    private Path poolWithSaves() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            atS1 = new byte[SAVES * TRACK];
            new Random(1).nextBytes(atS1);
            p.device("v").write(0, ByteBuffer.wrap(atS1));
            p.snapshots().create("v", "s1");
            for (int t = 0; t < SAVES; t++) {
                p.device("v").write((long) t * TRACK, ByteBuffer.wrap(new byte[] {(byte) (t + 1)}));
            }
            assertThat(p.snapshots().get("v", "s1").tracksHeld()).isEqualTo(SAVES);
        }
        return dir;
    }

    private static byte[] read(Pool p, String device, int length) throws Exception {
        byte[] b = new byte[length];
        p.device(device).read(0, ByteBuffer.wrap(b));
        return b;
    }

    @Test
    void aSaveLogCutShortMakesItsSnapshotsInvalidNeverServed() throws Exception {
        Path dir = poolWithSaves();
        try (FileChannel ch = FileChannel.open(dir.resolve("meta/snapshots.log"), StandardOpenOption.WRITE)) {
            ch.truncate(100); // the header and one record
        }
        try (Pool p = Pool.open(dir)) {
            SnapshotAdmin.Info s1 = p.snapshots().get("v", "s1");
            assertThat(s1.state()).isEqualTo(SnapshotAdmin.INVALID);
            assertThat(s1.why()).isEqualTo("the save area's log (meta/snapshots.log) was cut short (it ends after 1 of the 17"
                    + " records it had made durable): which tracks it saved is unknown");
            assertThatThrownBy(() -> p.snapshots().reader("v@s1")).hasMessageContaining("is invalid");
            assertThat(p.openNotes()).anyMatch(n -> n.startsWith("snapshot v@s1 is invalid: the save area's log"));
            p.snapshots().create("v", "s2"); // the log goes on from what it holds
            p.device("v").write(0, ByteBuffer.wrap(new byte[] {99}));
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshots().get("v", "s2").state()).as("not taken for cut short again").isEqualTo(SnapshotAdmin.VALID);
            byte[] atS2 = atS1.clone();
            for (int t = 0; t < SAVES; t++) {
                atS2[t * TRACK] = (byte) (t + 1);
            }
            assertThat(read(p, "v@s2", atS2.length)).isEqualTo(atS2);
        }
    }

    @Test
    void anOlderPoolsSaveLogWithoutTheCountStillOpens() throws Exception {
        Path dir = poolWithSaves();
        try (FileChannel ch = FileChannel.open(dir.resolve("meta/snapshots.log"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8), 8); // the header older versions wrote: the magic, then zeros
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshots().get("v", "s1").state()).isEqualTo(SnapshotAdmin.VALID);
            assertThat(read(p, "v@s1", atS1.length)).isEqualTo(atS1);
        }
    }
}
