package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A restore or an establish whose new state cannot be written to pool.json (its file system full)
 * fails, and changes nothing hosts see: the pair stays Split. The state had been set in memory
 * before it was recorded and stayed set when recording failed, so after "restore failed: No space
 * left on device" hosts read the STD's changed tracks from the BCV (a restore they were told did
 * not happen), and after a failed establish their STD writes went on to the BCV, over the split's
 * point-in-time image, while pool.json still said Split.
 */
class UnrecordedPairChangeTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    private static byte[] filled(int b) {
        return TestPools.filled(TRACK, b);
    }

    /** Pair p1 split, track 3 0x0A on the BCV and 0x0B on the STD (changed since the split). */
    private FaultInjector splitWithAChange() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 1 << 20, TRACK, 1);
        try (Pool p = Pool.open(dir)) {
            p.device("std").write(3 * TRACK, ByteBuffer.wrap(filled(0xA)));
            assertThat(p.pairs().establish("p1", true).await(30_000)).isTrue();
            p.pairs().split(List.of("p1"));
            p.device("std").write(3 * TRACK, ByteBuffer.wrap(filled(0xB)));
        }
        return new FaultInjector(StorageFactory.real());
    }

    private static byte[] read(Pool pool, String volume) throws Exception {
        byte[] b = new byte[TRACK];
        pool.device(volume).read(3 * TRACK, ByteBuffer.wrap(b));
        return b;
    }

    @Test
    void aRestoreThatCannotBeRecordedLeavesHostsReadingTheStd() throws Exception {
        FaultInjector disk = splitWithAChange();
        try (Pool pool = Pool.open(dir, disk)) {
            disk.diskFullAfter(f -> f.getFileName().toString().startsWith("pool.json"), 0);
            assertThatThrownBy(() -> pool.pairs().restore("p1", false, false)).hasMessageContaining("No space left on device");
            disk.diskFreed();
            assertThat(pool.pairs().get("p1").state()).isEqualTo(PairState.Split);
            assertThat(read(pool, "std")).as("the STD's own track, as before the refusal").isEqualTo(filled(0xB));
        }
    }

    @Test
    void anEstablishThatCannotBeRecordedLeavesTheBcvsImageAlone() throws Exception {
        FaultInjector disk = splitWithAChange();
        try (Pool pool = Pool.open(dir, disk)) {
            disk.diskFullAfter(f -> f.getFileName().toString().startsWith("pool.json"), 0);
            assertThatThrownBy(() -> pool.pairs().establish("p1", false)).hasMessageContaining("No space left on device");
            disk.diskFreed();
            assertThat(pool.pairs().get("p1").state()).isEqualTo(PairState.Split);
            pool.device("std").write(5 * TRACK, ByteBuffer.wrap(filled(0xC))); // a track in sync at the split
            byte[] bcv = new byte[TRACK];
            pool.device("bcv").read(5 * TRACK, ByteBuffer.wrap(bcv));
            assertThat(bcv).as("the split image: not mirrored into").isEqualTo(new byte[TRACK]);
        }
    }
}
