package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A flush fails for want of space on two drives at once, both dropping a host's write: no drive
 * holds the write any more. A mirror read it from one of the two (its last resort), a parity volume
 * reconstructed it from the other that lost it too: the host read its old bytes (or a XOR of old and
 * new) back after a write that had succeeded. Such a read is refused now, for the tracks written since
 * the last good flush (the write-intent tracks: on the others every drive holds what was forced),
 * until the reopen makes the drives agree.
 */
class TwoLossyMembersReadTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    @Test
    void aMirrorWhoseTwoLegsLostAWriteRefusesToReadItBack() throws Exception {
        readAfterBothLost(Layout.RAID1, 2);
    }

    @Test
    void aRaid5WhoseTwoDrivesLostAWriteRefusesToReadItBack() throws Exception {
        readAfterBothLost(Layout.RAID5, 3);
    }

    @Test
    void aRaid3WhoseTwoDrivesLostAWriteRefusesToReadItBack() throws Exception {
        readAfterBothLost(Layout.RAID3, 3);
    }

    private void readAfterBothLost(Layout layout, int drives) throws Exception {
        Path dir = ServicePools.pool(tmp, "p", layout, drives);
        try (Pool p = Pool.open(dir)) {
            byte[] data = new byte[32 * TRACK];
            Arrays.fill(data, (byte) 0x11);
            p.volume("v").write(0, ByteBuffer.wrap(data));
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1)
                .unforcedWritesLost();
        Pool p = Pool.open(dir, inj);
        try {
            RaidVolume v = p.volume("v");
            byte[] w = new byte[4 * TRACK];
            Arrays.fill(w, (byte) 0x55);
            v.write(4L * TRACK, ByteBuffer.wrap(w)); // acknowledged
            Path d1 = p.paths.image("d1").toAbsolutePath();
            Path d2 = p.paths.image("d2").toAbsolutePath();
            inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1) || f.toAbsolutePath().equals(d2), 2);
            try {
                v.flush();
            } catch (IOException expected) {
                // both dropped the write
            }
            assertThat(v.members().stream().filter(m -> m.writesLostReason() != null).count())
                    .as("drives that lost writes").isEqualTo(2);
            byte[] got = null;
            String refusal = null;
            try {
                got = ServicePools.read(v, 4L * TRACK, 4 * TRACK);
            } catch (IOException e) {
                refusal = e.getMessage();
            }
            if (got != null) {
                assertThat(org.splitpoint.engine.TestPools.only(got)).as("the write read back").isEqualTo(0x55);
            } else {
                assertThat(refusal).contains("lost writes").contains("reopen");
            }
        } finally {
            try {
                p.close();
            } catch (IOException expected) {
                // its flush fails: no drive holds the write (the reopen resyncs)
            }
        }
    }
}
