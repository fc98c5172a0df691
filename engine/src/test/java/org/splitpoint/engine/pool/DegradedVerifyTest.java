package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;

/**
 * A verify of a DEGRADED volume with nothing left to check is refused in one sentence: a parity
 * volume with a member absent, or a mirror down to one copy, had no row checked and was said to
 * agree everywhere ('0 mismatched sectors'). A 3-way mirror with one copy away still compares the
 * other two, and finds what they disagree on.
 */
class DegradedVerifyTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aRaid5WithAMemberFailedIsNotSaidToAgree() throws Exception {
        Path dir = TestPools.create(tmp.resolve("p"), Layout.RAID5, 3, 1 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.device("v").write(0, ByteBuffer.wrap(TestPools.filled(64 << 10, 0x5A)));
            pool.device("v").flush();
            pool.admin().failDrive("d2");
            assertThatThrownBy(() -> pool.admin().verify("v", true, null))
                    .isInstanceOf(PoolException.class)
                    .hasMessage("volume v is DEGRADED (d2 FAILED): with a member absent its parity cannot be checked;"
                            + " verify it once that drive is back or rebuilt");
        }
    }

    @Test
    void aTwoWayMirrorDownToOneCopyIsNotSaidToAgree() throws Exception {
        Path dir = TestPools.create(tmp.resolve("p"), Layout.RAID1, 2, 1 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive("d1");
            assertThatThrownBy(() -> pool.admin().verify("v", false, null))
                    .hasMessageContaining("volume v is DEGRADED (d1 FAILED): with one copy left there is nothing to"
                            + " compare it with");
        }
    }

    @Test
    void aThreeWayMirrorWithOneCopyAwayStillComparesTheOtherTwo() throws Exception {
        Path dir = TestPools.create(tmp.resolve("p"), Layout.RAID1, 3, 1 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.device("v").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x11)));
            pool.device("v").flush();
            pool.admin().failDrive("d3");
            assertThat(pool.admin().verify("v", false, null)).isZero();
            // d2 made to disagree behind the volume's back: the verify of the two left finds it
            try (var f = java.nio.channels.FileChannel.open(dir.resolve("drives").resolve("d2.img"),
                    java.nio.file.StandardOpenOption.WRITE)) {
                f.write(ByteBuffer.wrap(TestPools.filled(512, 0x77)), 0);
            }
            assertThat(pool.admin().verify("v", false, null)).isEqualTo(1);
        }
    }
}
