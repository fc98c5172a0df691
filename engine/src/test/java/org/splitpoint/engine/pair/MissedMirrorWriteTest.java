package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;

/**
 * A Synchronized pair whose BCV missed a mirrored host write (its file system full for a moment)
 * marks the track to copy; a split right after must not hand out a BCV image without that write
 * (the point-in-time copy would hold the STD's old bytes on that track, unannounced). The pair is
 * no longer in sync: it goes SyncInProg, the split is refused with a sentence saying what to do,
 * and an establish copies the track, after which the split's image is the STD's.
 */
class MissedMirrorWriteTest {

    @TempDir
    Path dir;

    @Test
    void aSplitAfterTheBcvMissedAMirroredWriteNeverGivesAnImageWithoutIt() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 1 << 20, 4096, 1);
        try (Pool p = Pool.open(dir)) {
            assertThat(p.pairs().establish("p1", true).await(30_000)).isTrue();
        }
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            assertThat(pool.pairs().get("p1").state()).isEqualTo(PairState.Synchronized);
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 7);
            disk.diskFullAfter(f -> f.getFileName().toString().matches("d[34]\\.img"), 0); // the BCV's drives
            pool.device("std").write(5 * 4096, ByteBuffer.wrap(data)); // acknowledged: the STD has it
            disk.diskFreed();
            Pair p = pool.pairs().get("p1");
            assertThat(p.stdInvalidTracks()).as("the track the BCV missed").isEqualTo(1);

            assertThat(p.state()).as("no longer in sync").isEqualTo(PairState.SyncInProg);
            assertThatThrownBy(() -> pool.pairs().split(List.of("p1"))).isInstanceOf(PoolException.class)
                    .hasMessage("pair p1 is establishing (SyncInProg, 1 track to copy) and its copy is not running:"
                            + " establish it to copy them, then split");

            assertThat(pool.pairs().establish("p1", false).await(30_000)).isTrue();
            assertThat(p.state()).isEqualTo(PairState.Synchronized);
            pool.pairs().split(List.of("p1"));
            byte[] bcv = new byte[4096];
            pool.volume("bcv").read(5 * 4096, ByteBuffer.wrap(bcv));
            assertThat(Arrays.equals(bcv, data)).as("the split image holds the acknowledged write").isTrue();
        }
    }
}
