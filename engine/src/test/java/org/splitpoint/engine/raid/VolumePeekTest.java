package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.PageCacheProbe;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * {@link RaidVolume#peek}: what a volume tells of a range without reading it, for NBD block status.
 * ZEROS makes a client skip the bytes, so it must hold wherever a read would return data; COLD_DATA
 * only where the first page would come from the disk. Needs the kernel calls serve has (engine
 * surefire gives the JVM the flags); skipped elsewhere.
 */
class VolumePeekTest {

    private static final int MIB = 1 << 20;
    private static final int UNIT = 64 << 10;

    @TempDir
    Path dir;

    private static ByteBuffer random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    private void evictDrives(int members) throws Exception {
        for (int i = 1; i <= members; i++) {
            assertThat(PageCacheProbe.evict(dir.resolve("drives/d" + i + ".img"))).isTrue();
        }
    }

    /** A new pool whose volume v has {@code members} drives, opened; skipped where holes cannot be told. */
    private Pool newPool(Layout layout, int members) throws Exception {
        assumeTrue(PageCacheProbe.available(), "needs --add-modules jdk.incubator.foreign, native access and sun.nio.ch open");
        TestPools.create(dir, layout, members, 8L * MIB, UNIT);
        Pool pool = Pool.open(dir);
        if (pool.volume("v").peek(0, UNIT) != Peek.ZEROS) {
            pool.close();
            assumeTrue(false, "this file system does not report holes (SEEK_DATA)");
        }
        return pool;
    }

    @Test
    void aMirrorTellsHolesAndColdDataAndWhatItMustRead() throws Exception {
        try (Pool pool = newPool(Layout.RAID1, 2)) {
            RaidVolume v = pool.volume("v");
            assertThat(v.peek(0, MIB)).isEqualTo(Peek.ZEROS);

            v.write(MIB, random(MIB, 1));
            v.write(3L * MIB + 4096, random(512, 2));
            v.flush();
            evictDrives(2);
            assertThat(v.peek(MIB, MIB)).as("written, not cached").isEqualTo(Peek.COLD_DATA);
            assertThat(v.peek(0, MIB)).as("never written").isEqualTo(Peek.ZEROS);
            assertThat(v.peek(3L * MIB, MIB)).as("512 bytes written in the MiB").isNotEqualTo(Peek.ZEROS);
            assertThat(v.peek(2L * MIB, MIB)).isEqualTo(Peek.ZEROS);

            v.read(MIB, ByteBuffer.allocate(4096));
            assertThat(v.peek(MIB, MIB)).as("its first page cached: reading is cheap").isEqualTo(Peek.UNKNOWN);

            v.writeZeroes(MIB, MIB, true);
            v.flush();
            assertThat(v.peek(MIB, MIB)).as("zeroed and given back").isEqualTo(Peek.ZEROS);

            // a spare being rebuilt holds holes where the data will come: the other member is asked
            v.write(0, random(MIB, 5));
            v.flush();
            StorageFile spare = StorageFactory.real().create(dir.resolve("spare.img"));
            spare.setLength(8L * MIB);
            Member m = v.members().get(0);
            m.replaceFile(spare);
            assertThat(v.peek(0, MIB)).as("the blank image taken for an ONLINE member's").isEqualTo(Peek.ZEROS);
            m.setState(DriveState.REBUILDING, 0);
            assertThat(v.peek(0, MIB)).as("data on the member that holds it").isNotEqualTo(Peek.ZEROS);
        }
    }

    @Test
    void nothingIsToldWhileTracksAreLostOrARepositoryTakesTheWrites() throws Exception {
        try (Pool pool = newPool(Layout.RAID1, 2)) {
            RaidVolume v = pool.volume("v");
            assertThat(v.peek(0, MIB)).isEqualTo(Peek.ZEROS);
            TrackBitmap lostTracks = new TrackBitmap(v.rowTracks());
            lostTracks.set(v.rowTracks() - 1); // far from the range asked: a volume with lost tracks tells nothing
            v.setLost(new RaidVolume.Lost(lostTracks, Set.of(0), "a test", t -> { }));
            assertThat(v.peek(0, MIB)).as("tracks lost").isEqualTo(Peek.UNKNOWN);
            v.setLost(null);
            v.setRedirect(new RaidVolume.Redirect() {
                @Override
                public void write(long offset, ByteBuffer src) {
                }

                @Override
                public boolean covers(long offset, long length) {
                    return false;
                }

                @Override
                public void overlay(long offset, ByteBuffer dst) {
                    dst.put(dst.position(), (byte) 1); // the repository holds a write the members do not
                }

                @Override
                public void force() {
                }
            });
            assertThat(v.peek(0, MIB)).as("a repository's bytes over the members'").isEqualTo(Peek.UNKNOWN);
            v.setRedirect(null);
            assertThat(v.peek(0, MIB)).isEqualTo(Peek.ZEROS);
        }
    }

    @Test
    void aParityVolumeTellsZerosOnlyWhereEveryDataStripIsAHoleOnAMemberThatHoldsIt() throws Exception {
        try (Pool pool = newPool(Layout.RAID5, 4)) {
            RaidVolume v = pool.volume("v");
            long stripe = 3L * UNIT;
            assertThat(v.peek(0, stripe)).isEqualTo(Peek.ZEROS);

            v.write(UNIT + 100, random(4096, 3)); // into the second data strip of stripe 0
            v.flush();
            assertThat(v.peek(0, stripe)).as("one of the stripe's strips holds data").isNotEqualTo(Peek.ZEROS);
            assertThat(v.peek(0, UNIT)).as("the first strip: a hole (the parity strip written is not data)")
                    .isEqualTo(Peek.ZEROS);
            assertThat(v.peek(2L * UNIT, UNIT)).isEqualTo(Peek.ZEROS);
            assertThat(v.peek(stripe, 4 * stripe)).isEqualTo(Peek.ZEROS);

            evictDrives(4);
            assertThat(v.peek(UNIT, UNIT)).as("written, not cached").isEqualTo(Peek.COLD_DATA);
            v.read(UNIT, ByteBuffer.allocate(4096));
            assertThat(v.peek(UNIT, UNIT)).as("its first page cached").isEqualTo(Peek.UNKNOWN);

            // a spare being rebuilt holds holes where the data will come: its strips are read from the others
            v.write(0, random(12 * UNIT, 4)); // four stripes of data
            v.flush();
            Member m = v.members().get(0);
            StorageFile spare = StorageFactory.real().create(dir.resolve("spare.img"));
            spare.setLength(8L * MIB);
            m.replaceFile(spare);
            long sparesStrip = -1;
            for (long at = 0; at < 12L * UNIT && sparesStrip < 0; at += UNIT) {
                if (v.peek(at, UNIT) == Peek.ZEROS) { // the blank image taken for an ONLINE member's: a strip of zeros
                    sparesStrip = at;
                }
            }
            assertThat(sparesStrip).as("a data strip on the blank image").isNotNegative();
            m.setState(DriveState.REBUILDING, 0);
            assertThat(v.peek(sparesStrip, UNIT)).as("a rebuilding member's strip, above its rebuilt mark").isNotEqualTo(Peek.ZEROS);
        }
    }
}
