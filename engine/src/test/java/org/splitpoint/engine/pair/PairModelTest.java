package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * Model-based: random interleavings of host I/O on STD and BCV with establish, split and restore
 * (full or incremental, protected or not). The jobs are stepped by the test, a few steps at a
 * time or not at all, so many reads hit unrestored tracks and are served on demand.
 */
class PairModelTest {

    @TempDir
    Path dir;

    private byte[] std;
    private byte[] bcv;
    private Random rnd;
    private Random zeroRnd;

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"RAID1, 1", "RAID1, 2", "RAID5, 3", "RAID5, 4", "RAID3, 5"})
    void everyReadEqualsTheModel(Layout layout, long seed) throws Exception {
        PairFixture.create(dir, layout, 1 << 20, 4096, 1);
        rnd = new Random(seed);
        zeroRnd = new Random(seed + 1000);
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            Pair pair = pool.pairs().get("p1");
            BlockDevice s = pair.stdView();
            BlockDevice b = pair.bcvView();
            std = new byte[(int) s.size()];
            bcv = new byte[(int) s.size()];
            Job job = null;
            long onDemandBefore = 0;
            PairState before = pair.state();
            for (int op = 0; op < 1200; op++) {
                PairState st = pair.state();
                int choice = rnd.nextInt(100);
                if (choice < 4 && (st == PairState.Split || st == PairState.NeverEstab)) {
                    job = pool.pairs().establish("p1", rnd.nextInt(4) == 0);
                    System.arraycopy(std, 0, bcv, 0, std.length); // logically, from now on
                } else if (choice < 8 && st == PairState.Split) {
                    boolean protect = rnd.nextBoolean();
                    job = pool.pairs().restore("p1", rnd.nextInt(4) == 0, protect);
                    System.arraycopy(bcv, 0, std, 0, std.length);
                } else if (choice < 11 && (st == PairState.Synchronized || st == PairState.Restored)) {
                    pool.pairs().split(java.util.List.of("p1"));
                } else if (choice < 50) {
                    write(s, b, pair, true);
                } else if (choice < 60) {
                    if (st == PairState.Split || st == PairState.NeverEstab) {
                        write(s, b, pair, false);
                    } else {
                        assertThatThrownBy(() -> b.write(0, ByteBuffer.wrap(new byte[1])))
                                .isInstanceOf(PairRefusedException.class).hasMessageContaining("writable only while the pair is Split");
                    }
                } else if (choice < 90) {
                    check(s, std, op);
                } else {
                    if (st != PairState.SyncInProg) {
                        check(b, bcv, op);
                    }
                }
                if (job != null && rnd.nextInt(3) == 0) {
                    for (int i = rnd.nextInt(4); i > 0 && job.stepOnce(); i--) {
                        // a few steps of the copy
                    }
                }
                if (rnd.nextInt(40) == 0) {
                    s.flush();
                    b.flush();
                }
                if (pair.state() == PairState.Synchronized || pair.state() == PairState.Restored) {
                    assertThat(pair.stdInvalidTracks() + pair.bcvInvalidTracks()).isZero();
                    if (before != pair.state()) {
                        // an unprotected restore ends with the STD's writes copied to the BCV too
                        System.arraycopy(std, 0, bcv, 0, std.length);
                    }
                }
                before = pair.state();
                onDemandBefore = Math.max(onDemandBefore, pair.onDemandReads());
            }
            while (job != null && job.stepOnce()) {
                // finish the last copy
            }
            if ((pair.state() == PairState.Synchronized || pair.state() == PairState.Restored) && before != pair.state()) {
                System.arraycopy(std, 0, bcv, 0, std.length);
            }
            assertThat(PairFixture.read(s)).isEqualTo(std);
            if (pair.state() != PairState.SyncInProg) {
                assertThat(PairFixture.read(b)).isEqualTo(bcv);
            }
            assertThat(onDemandBefore).as("reads were served on demand").isPositive();
        }
        try (Pool pool = Pool.open(dir)) {
            pool.awaitJobs(null);
            assertThat(PairFixture.read(pool.device("std"))).isEqualTo(std);
        }
    }

    private void write(BlockDevice s, BlockDevice b, Pair pair, boolean toStd) throws Exception {
        int len = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 40_000 : 6000);
        int off = rnd.nextInt(std.length - len);
        byte[] data = new byte[len];
        rnd.nextBytes(data);
        // a zeroing goes through the pair's policy as a write of zeros (its own random stream, so the
        // scenario's writes, copies and restores stay what they were)
        boolean zeroing = zeroRnd.nextInt(5) == 0;
        if (zeroing) {
            Arrays.fill(data, (byte) 0);
        }
        PairState st = pair.state();
        if (toStd) {
            if (zeroing) {
                s.writeZeroes(off, len, zeroRnd.nextBoolean());
            } else {
                s.write(off, ByteBuffer.wrap(data));
            }
            System.arraycopy(data, 0, std, off, len);
            if (st.mirrors()) { // during a restore, host writes go to the STD only (claim 2)
                System.arraycopy(data, 0, bcv, off, len);
            }
        } else {
            if (zeroing) {
                b.writeZeroes(off, len, zeroRnd.nextBoolean());
            } else {
                b.write(off, ByteBuffer.wrap(data));
            }
            System.arraycopy(data, 0, bcv, off, len);
        }
    }

    private void check(BlockDevice dev, byte[] model, int op) throws Exception {
        int len = 1 + rnd.nextInt(30_000);
        int off = rnd.nextInt(model.length - len);
        byte[] got = new byte[len];
        dev.read(off, ByteBuffer.wrap(got));
        assertThat(Arrays.equals(got, 0, len, model, off, off + len)).as("read %d at %d, op %d", len, off, op).isTrue();
    }
}
