package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * Power cuts anywhere in 'volume journal enable' and 'disable' between host writes, over two
 * openings (enable, writes, disable, writes, a clean close; enable again, writes): after the crash
 * the pool opens, no drive is FAILED, v holds every acknowledged write, and the journal is either
 * gone (its drives SPARE) or on record, and then, with a base, its base plus its entries are v.
 *
 * <p>{@code -Dsplitpoint.longTests=true} cuts at every write index.
 */
class JournalVerbsPowerCutTest {

    private static final int TRACK = JournaledPools.TRACK;

    @TempDir
    Path tmp;

    private byte[] initial;
    private List<String> legs;

    private Path template() throws Exception {
        Path dir = tmp.resolve("template");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            initial = new byte[(int) pool.volume("v").size()];
            new Random(1).nextBytes(initial);
            pool.device("v").write(0, ByteBuffer.wrap(initial));
        }
        return dir;
    }

    @Test
    void aPowerCutAnywhereInEnableAndDisableLosesNoWriteAndLeavesNoDriveFailed() throws Exception {
        Path template = template();
        long total = run(template, tmp.resolve("count"), 0, 1);
        SnapshotCrashTest.cutsSpreadOver("JournalVerbsPowerCutTest", total, 30,
                (cut, seed) -> run(template, tmp.resolve("cut-" + cut + "-" + seed), cut, seed));
    }

    private long run(Path template, Path runDir, long cut, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        Path store = runDir.resolve("store");
        TestPools.copyDir(template, dir);
        Files.createDirectories(store);
        FaultInjector inj = CutRuns.injector(cut, seed);
        AckOracle oracle = new AckOracle(initial);
        AtomicLong tick = new AtomicLong();
        Random rnd = new Random(seed);
        String what = "cut " + cut + " seed " + seed;
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            writes(pool, oracle, tick, rnd, 3);
            assertThat(pool.journals().enable("v", legs, store, 900 * 1024, 0).await(60_000)).isTrue();
            writes(pool, oracle, tick, rnd, 3);
            pool.journals().disable("v");
            writes(pool, oracle, tick, rnd, 2);
            pool.close();
            pool = null;
            pool = Pool.open(dir, inj);
            assertThat(pool.journals().enable("v", legs, store, 900 * 1024, 0).await(60_000)).isTrue();
            writes(pool, oracle, tick, rnd, 3);
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, what);
        }
        long writes = CutRuns.crash(inj, pool);
        if (cut == 0) {
            return writes;
        }
        try (Pool p = Pool.open(dir)) {
            for (var d : p.snapshot().drives()) {
                assertThat(d.state()).as(what + ": drive " + d.name()).isNotEqualTo(DriveState.FAILED);
            }
            byte[] got = TestPools.readAll(p.volume("v"));
            assertThat(oracle.check(got)).as(what + ": v").isNull();
            PoolConfig.JournalRecord rec = p.journalRecords.get("v");
            if (rec == null) {
                for (String leg : legs) {
                    assertThat(p.snapshot().drive(leg).state()).as(what + ": " + leg + " with no journal").isEqualTo(DriveState.SPARE);
                }
            } else if (rec.base() != null) {
                TestPools.assertSameBytes(JournaledPools.chainPlusJournal(p, "v"), got, what + ": base + journal");
            }
        }
        return writes;
    }

    /** {@code n} host writes of random bytes, each flushed. */
    private static void writes(Pool pool, AckOracle oracle, AtomicLong tick, Random rnd, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            byte[] d = new byte[TRACK + rnd.nextInt(3 * TRACK)];
            rnd.nextBytes(d);
            long off = rnd.nextInt(oracle.size() - d.length);
            int idx = oracle.wrote(off, d, Long.MAX_VALUE);
            pool.device("v").write(off, ByteBuffer.wrap(d));
            oracle.returned(idx, tick.incrementAndGet());
            long t = tick.incrementAndGet();
            pool.device("v").flush();
            oracle.flushed(t);
        }
    }
}
