package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A power cut after every write index of a lifecycle script: writes to a RAID 5 volume "a" and a
 * RAID 1 volume "x", a drive of "a" failed, "x" deleted, a SPARE put in the failed drive's place and
 * rebuilt, more writes; with several crash seeds (what of the unforced writes lands) and tears.
 * Reopening must find a consistent pool: "x" whole (its drives in it, its bytes as written) or gone
 * (its drives SPARE), "a" over either the failed drive or the spare and never both, no drive
 * assigned to a volume that does not name it, and every write to "a" acknowledged by a flush intact.
 */
class LifecyclePowerCutTest {

    private static final List<String> X_DRIVES = List.of("d4", "d5");

    @TempDir
    Path tmp;

    /** What the script has done to volume "a": the durable bytes and the ranges written since the last flush. */
    private static final class Model {
        byte[] current;
        byte[] durable;
        final List<long[]> unacked = new java.util.ArrayList<>();
        byte[] xData;

        Model(int size) {
            current = new byte[size];
            durable = new byte[size];
        }

        void write(RaidVolume v, Random rnd) throws Exception {
            int len = 1 + rnd.nextInt(20_000);
            int off = rnd.nextInt(current.length - len);
            byte[] data = new byte[len];
            rnd.nextBytes(data);
            unacked.add(new long[] {off, off + len});
            v.write(off, ByteBuffer.wrap(data));
            System.arraycopy(data, 0, current, off, len);
        }

        void flushed(RaidVolume v) throws Exception {
            v.flush();
            durable = current.clone();
            unacked.clear();
        }

        boolean acknowledged(int i) {
            for (long[] r : unacked) {
                if (i >= r[0] && i < r[1]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static void script(Pool pool, Model m) throws Exception {
        Random rnd = new Random(7);
        RaidVolume a = pool.volume("a");
        m.write(a, rnd);
        m.flushed(a);
        pool.admin().failDrive("d2");
        m.write(a, rnd);
        m.flushed(a);
        pool.admin().deleteVolume("x");
        m.write(a, rnd);
        Job rebuild = pool.admin().replaceWithSpare("d2", "d6", 0);
        m.write(a, rnd);
        m.flushed(a);
        rebuild.await(60_000);
        m.write(a, rnd);
        m.flushed(a);
    }

    /** A pool with "a" (RAID 5 over d1-d3) and "x" (RAID 1 over d4, d5, its bytes written and flushed), spares d6, d7. */
    private static byte[] template(Path dir) throws Exception {
        Pool.create(dir, 7, 1 << 20, 4096, StorageFactory.real());
        byte[] x = new byte[300_000];
        new Random(3).nextBytes(x);
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("a", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            p.admin().createVolume("x", Layout.RAID1, X_DRIVES, 0);
            p.volume("x").write(0, ByteBuffer.wrap(x));
            p.volume("x").flush();
        }
        return x;
    }

    @ParameterizedTest(name = "tear {0} B, crash seed {1}")
    @CsvSource({"512, 1", "4096, 2", "0, 3"})
    void aPowerCutAnywhereInDeleteAndSpareReplacementLeavesAConsistentPool(int tear, long seed) throws Exception {
        Path template = tmp.resolve("template");
        byte[] xData = template(template);
        long total = countWrites(template);
        assertThat(total).isGreaterThan(20);
        for (long cutAt = 1; cutAt <= total; cutAt++) {
            Path dir = tmp.resolve("cut-" + cutAt);
            TestPools.copyDir(template, dir);
            FaultInjector inj = new FaultInjector(StorageFactory.real())
                    .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"))
                    .powerCutAfterWrite(cutAt, tear, seed * 100_003 + cutAt);
            Model m = new Model((int) (2 << 20));
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj);
                m = new Model((int) pool.volume("a").size());
                script(pool, m);
            } catch (Exception expected) {
                // the power went out somewhere inside the script
            }
            inj.crash();
            if (pool != null) {
                pool.abandon();
            }
            try (Pool reopened = Pool.open(dir)) {
                reopened.awaitJobs(null);
                check(reopened, m, xData, "cut after write " + cutAt + " of " + total);
            }
            TestPools.deleteDir(dir);
        }
    }

    private static void check(Pool pool, Model m, byte[] xData, String when) throws Exception {
        PoolSnapshot s = pool.snapshot();
        // no orphan assignment: a drive names a volume only if that volume names it, and back
        for (PoolSnapshot.DriveView d : s.drives()) {
            if (d.volume() != null) {
                assertThat(s.volume(d.volume())).as("%s: volume %s of drive %s", when, d.volume(), d.name()).isNotNull();
                assertThat(s.volume(d.volume()).drives()).as("%s: drives of %s", when, d.volume()).contains(d.name());
            } else {
                assertThat(d.state()).as("%s: drive %s in no volume", when, d.name())
                        .isIn(DriveState.SPARE, DriveState.FAILED);
            }
        }
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            for (String d : v.drives()) {
                assertThat(s.drive(d).volume()).as("%s: drive %s of volume %s", when, d, v.name()).isEqualTo(v.name());
            }
        }
        PoolSnapshot.VolumeView x = s.volume("x");
        if (x != null) {
            assertThat(x.drives()).as(when).isEqualTo(X_DRIVES);
            assertThat(pool.read("x", 0, xData.length)).as("%s: x whole", when).isEqualTo(xData);
        } else {
            for (String d : X_DRIVES) {
                assertThat(s.drive(d).state()).as("%s: %s after x went", when, d).isEqualTo(DriveState.SPARE);
            }
        }
        List<String> aDrives = s.volume("a").drives();
        assertThat(aDrives).as(when).isIn(List.of("d1", "d2", "d3"), List.of("d1", "d6", "d3"));
        if (aDrives.contains("d6")) {
            assertThat(s.drive("d2").state()).as(when).isEqualTo(DriveState.FAILED);
            assertThat(s.drive("d6").state()).as(when).isEqualTo(DriveState.ONLINE); // the rebuild resumed and ended
        } else {
            assertThat(s.drive("d6").state()).as(when).isEqualTo(DriveState.SPARE);
        }
        byte[] got = TestPools.readAll(pool.volume("a"));
        for (int i = 0; i < got.length; i++) {
            if (m.acknowledged(i) && got[i] != m.durable[i]) {
                throw new AssertionError(when + ": byte " + i + " of a is " + got[i] + ", acknowledged " + m.durable[i]);
            }
        }
        if (s.volume("a").state() == VolumeState.OPTIMAL) {
            assertThat(pool.admin().verify("a", false, null)).as("%s: mismatches", when).isZero();
        }
    }

    private long countWrites(Path template) throws Exception {
        Path dir = tmp.resolve("count");
        TestPools.copyDir(template, dir);
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"))
                .powerCutAfterWrite(0, 0, 0);
        Pool pool = Pool.open(dir, inj);
        Model m = new Model((int) pool.volume("a").size());
        script(pool, m);
        long n = inj.writeCount();
        inj.crash();
        pool.abandon();
        TestPools.deleteDir(dir);
        return n;
    }
}
