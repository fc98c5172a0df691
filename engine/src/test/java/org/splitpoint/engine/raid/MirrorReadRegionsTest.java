package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * Which mirror a read goes to (issue 14, NBD read performance): a sequential stream whose requests
 * run out of order, as a client's 64 requests in flight do on the server's workers, reads each
 * region from one member, and a large sequential read spreads over both. Before, a request that did
 * not continue exactly where a member's last read ended went round robin, so such a stream was
 * split between the members and each one's read-ahead read bytes the other served.
 */
class MirrorReadRegionsTest {

    @TempDir
    Path dir;

    @Test
    void aStreamReadOutOfOrderStaysOnOneMemberPerRegionAndRegionsAlternate() throws Exception {
        long size = 4 * MirrorVolume.READ_REGION;
        TestPools.create(dir, Layout.RAID1, 2, size, 65536);
        try (Pool pool = Pool.open(dir)) {
            MirrorVolume v = (MirrorVolume) pool.volume("v");
            assertThat(v.readRegion()).isEqualTo(MirrorVolume.READ_REGION);
            int piece = 256 << 10;
            List<String> byRegion = new ArrayList<>();
            for (long region = 0; region < 4; region++) {
                List<Long> offsets = new ArrayList<>();
                for (long at = region * MirrorVolume.READ_REGION; at < (region + 1) * MirrorVolume.READ_REGION; at += piece) {
                    offsets.add(at);
                }
                Collections.shuffle(offsets, new Random(region)); // in flight together, run in any order
                Set<String> members = new HashSet<>();
                for (long at : offsets) {
                    members.add(v.reader(at, at + piece).drive());
                }
                assertThat(members).as("members read in region %d", region).hasSize(1);
                byRegion.add(members.iterator().next());
            }
            assertThat(byRegion).as("member of each region: a read of the whole volume uses both mirrors")
                    .containsExactly(byRegion.get(0), byRegion.get(1), byRegion.get(0), byRegion.get(1));
            assertThat(byRegion.get(0)).isNotEqualTo(byRegion.get(1));
        }
    }

    /** A volume smaller than two regions per member still reads from every mirror. */
    @Test
    void aSmallVolumeHasSmallerRegionsAndReadsFromEveryMirror() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        try (Pool pool = Pool.open(dir)) {
            MirrorVolume v = (MirrorVolume) pool.volume("v");
            assertThat(v.readRegion()).isEqualTo(256 << 10);
            Set<String> members = new HashSet<>();
            for (long at = 0; at < v.size(); at += 4096) {
                members.add(v.reader(at, at + 4096).drive());
            }
            assertThat(members).containsExactlyInAnyOrder("d1", "d2");
        }
    }
}
