package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * A power cut after every write index of an establish and a restore, each with host writes and
 * reads interleaved with the copy's steps (stepped by the test, so write N is the same point in
 * every run). After reopening and finishing the copies: every acknowledged STD write reads back,
 * an established BCV equals its STD, and a split BCV holds its acknowledged image.
 */
class PairPowerCutTest {

    @TempDir
    Path tmp;

    /** One side's images: what was acknowledged, what is current, what is in flight. */
    private static final class Side {
        byte[] cur;
        byte[] dur;
        final List<int[]> unacked = new ArrayList<>();

        Side(byte[] init) {
            cur = init.clone();
            dur = init.clone();
        }

        void write(int off, byte[] d) {
            System.arraycopy(d, 0, cur, off, d.length);
            unacked.add(new int[] {off, off + d.length});
        }

        void flushed() {
            dur = cur.clone();
            unacked.clear();
        }

        boolean acked(int i) {
            for (int[] r : unacked) {
                if (i >= r[0] && i < r[1]) {
                    return false;
                }
            }
            return true;
        }

        boolean matches(byte[] got, byte[] image) {
            for (int i = 0; i < got.length; i++) {
                if (acked(i) && got[i] != image[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private Side std;
    private Side bcv;
    /** Images the STD may hold when the cut fell inside a restore call (before or after it took). */
    private final List<byte[]> stdAlternatives = new ArrayList<>();
    private byte[] bcvIfSplit;

    private void scenario(Pool pool, boolean protect, long seed) throws Exception {
        Random rnd = new Random(seed);
        Pair pair = pool.pairs().get("p1");
        BlockDevice s = pair.stdView();
        BlockDevice b = pair.bcvView();
        int size = (int) s.size();
        // phase A: changes while split, then an incremental establish under host I/O
        hostWrite(s, std, null, rnd, size);
        flushBoth(s, b);
        Job est = pool.pairs().establish("p1", false);
        bcvIfSplit = null;
        interleave(pool, pair, est, s, rnd, size, 12);
        flushBoth(s, b);
        bcv.cur = std.cur.clone();
        bcv.flushed();
        bcvIfSplit = std.cur.clone();
        pool.pairs().split(List.of("p1"));
        // phase B: both sides change, then a restore under host I/O
        hostWrite(b, bcv, null, rnd, size);
        hostWrite(s, std, null, rnd, size);
        flushBoth(s, b);
        stdAlternatives.add(bcv.dur.clone()); // if the cut falls inside restore() after it took
        Job rest = pool.pairs().restore("p1", false, protect);
        stdAlternatives.clear();
        std.cur = bcv.cur.clone();
        std.flushed();
        interleave(pool, pair, rest, s, rnd, size, 12);
        flushBoth(s, b);
    }

    private void interleave(Pool pool, Pair pair, Job job, BlockDevice s, Random rnd, int size, int rounds) throws Exception {
        for (int i = 0; i < rounds; i++) {
            boolean mirrored = pair.state().mirrors(); // a restore writes the STD only (claim 2)
            hostWrite(s, std, mirrored ? bcv : null, rnd, size);
            byte[] got = new byte[1 + rnd.nextInt(9000)];
            int off = rnd.nextInt(size - got.length);
            s.read(off, ByteBuffer.wrap(got)); // during a restore, may hydrate (a write)
            job.stepOnce();
            if (i % 3 == 2) {
                s.flush();
                std.flushed();
                if (mirrored) {
                    bcv.flushed();
                }
            }
        }
        while (job.stepOnce()) {
            // finish the copy
        }
    }

    private static void hostWrite(BlockDevice dev, Side side, Side mirror, Random rnd, int size) throws Exception {
        int len = 1 + rnd.nextInt(12_000);
        int off = rnd.nextInt(size - len);
        byte[] d = new byte[len];
        rnd.nextBytes(d);
        side.write(off, d);
        if (mirror != null) {
            mirror.write(off, d);
        }
        dev.write(off, ByteBuffer.wrap(d));
    }

    private void flushBoth(BlockDevice s, BlockDevice b) throws Exception {
        s.flush();
        b.flush();
        std.flushed();
        bcv.flushed();
    }

    @ParameterizedTest(name = "{0}, protect={1}, tear {2} B")
    @CsvSource({"RAID1, true, 512", "RAID1, false, 4096", "RAID5, true, 4096", "RAID3, false, 512"})
    void everyAcknowledgedWriteSurvivesACutDuringEstablishAndRestore(Layout layout, boolean protect, int tear) throws Exception {
        Path template = tmp.resolve("template");
        byte[] initial = PairFixture.splitWithRandomImage(template, layout, 4096);
        long total = run(template, tmp.resolve("count"), protect, 0, tear, initial);
        assertThat(total).isGreaterThan(40);
        // parity layouts write far more (RAID 3's strips are 512 B): every index of theirs with
        // -Dsplitpoint.longTests=true, else a stride (the concurrent harness covers them too)
        int stride = Boolean.getBoolean("splitpoint.longTests") || layout == Layout.RAID1 ? 1 : layout == Layout.RAID5 ? 2 : 5;
        for (long cut = 1; cut <= total; cut += stride) {
            run(template, tmp.resolve("cut-" + cut), protect, cut, tear, initial);
        }
    }

    /** Runs the scenario with a cut after write {@code cut} (0 = none), checks recovery; returns writes seen. */
    private long run(Path template, Path dir, boolean protect, long cut, int tear, byte[] initial) throws Exception {
        org.splitpoint.engine.TestPools.copyDir(template, dir);
        std = new Side(initial);
        bcv = new Side(initial);
        stdAlternatives.clear();
        bcvIfSplit = initial.clone();
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"))
                .powerCutAfterWrite(cut, tear, cut + 1);
        Pool pool = Pool.open(dir, inj, new PoolOptions(false));
        try {
            scenario(pool, protect, 4242);
        } catch (Exception e) {
            if (cut == 0) {
                throw e;
            }
        }
        long writes = inj.writeCount();
        inj.crash();
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            reopened.awaitJobs(null);
            Pair p = reopened.pairs().get("p1");
            byte[] gotStd = PairFixture.read(p.stdView());
            boolean stdOk = std.matches(gotStd, std.dur)
                    || stdAlternatives.stream().anyMatch(alt -> std.matches(gotStd, alt));
            assertThat(stdOk).as("cut after write %d: acknowledged STD writes read back (state %s)", cut, p.state()).isTrue();
            byte[] gotBcv = PairFixture.read(p.bcvView());
            if (p.state().mirrors()) {
                assertThat(gotBcv).as("cut after write %d: an established BCV equals its STD", cut).isEqualTo(gotStd);
            } else {
                boolean bcvOk = bcv.matches(gotBcv, bcv.dur) || (bcvIfSplit != null && bcv.matches(gotBcv, bcvIfSplit));
                assertThat(bcvOk).as("cut after write %d: the split BCV holds its acknowledged image (state %s)", cut, p.state()).isTrue();
            }
            assertThat(reopened.admin().verify("std", false, null)).isZero();
            assertThat(reopened.admin().verify("bcv", false, null)).isZero();
            if (p.state() == PairState.Split) {
                // the invalid tracks must name every difference: an incremental establish makes them equal
                assertThat(reopened.pairs().establish("p1", false).await(30_000)).isTrue();
                assertThat(PairFixture.read(p.bcvView())).as("cut after write %d: incremental establish after recovery",
                        cut).isEqualTo(PairFixture.read(p.stdView()));
            }
        }
        org.splitpoint.engine.TestPools.deleteDir(dir);
        return writes;
    }
}
