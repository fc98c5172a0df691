package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * The end of a repository window's return: the last pass replays the repository into the members,
 * forces them and takes the redirect away, then pool.json is written without the window. A host
 * flush in between found no redirect and no service log, so it forced no repository, and returned:
 * a write the repository held unforced was acknowledged. A power cut before pool.json said the
 * window was over left a reopen in the window, reading (and replaying) a repository without that
 * write over the members that had it: the older bytes came back (ServiceCrashTest, repository cut
 * 140 seed 1401, seen once in CI under load). Here the return's pool.json write is held to put
 * the flush there; every unforced write is lost at the crash.
 */
@QuickServiceSteps
class RepositoryReturnFlushCrashTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aWriteFlushedWhileTheReturnEndsSurvivesAPowerCutBeforeItsEndIsOnRecord() throws Exception {
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().addDrive(2 * DRIVE); // the SPARE the repository goes to
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(7).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1).unforcedWritesLost()
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        Pool pool = Pool.open(dir, inj);
        byte[] older = filled(8192, (byte) 36);
        byte[] newer = filled(2048, (byte) -23);
        try {
            BlockDevice dev = pool.device("v");
            pool.service().offline("d2", OfflineReason.RESET, LogMode.REPOSITORY);
            for (Job j : pool.jobs()) {
                j.await(10_000);
            }
            dev.write(8192, ByteBuffer.wrap(older));
            dev.flush(); // the repository has the older write durably
            dev.write(10240, ByteBuffer.wrap(newer)); // in the repository, not forced yet
            // the return's write of pool.json (the window's end) waits: the power goes before it
            inj.hold(FaultInjector.Op.WRITE, p -> p.getFileName().toString().startsWith("pool.json"),
                    t -> t.getName().startsWith("splitpoint-job-resync"), 30_000);
            Job resync = pool.service().online("d2");
            long until = System.currentTimeMillis() + 20_000;
            while (inj.waitingOnHolds() == 0 && System.currentTimeMillis() < until) {
                Thread.sleep(5);
            }
            assertThat(inj.waitingOnHolds()).as("the return waits in its write of pool.json").isPositive();
            assertThat(resync.state().isFinished()).isFalse();
            dev.flush(); // acknowledges the newer write
            inj.cutNow();
            inj.crash();
        } finally {
            pool.abandon();
        }
        try (Pool reopened = Pool.open(dir)) {
            for (Job j : reopened.jobs()) {
                j.await(30_000);
            }
            byte[] got = new byte[newer.length];
            reopened.volume("v").read(10240, ByteBuffer.wrap(got));
            int bad = Arrays.mismatch(got, newer);
            assertThat(bad < 0 ? null : "byte " + (10240 + bad) + " reads " + got[bad] + ", flushed " + newer[bad])
                    .as("the flushed write after the reopen").isNull();
            got = new byte[2048];
            reopened.volume("v").read(8192, ByteBuffer.wrap(got));
            assertThat(Arrays.mismatch(got, Arrays.copyOf(older, 2048))).as("the older write beside it").isNegative();
        }
    }

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        Arrays.fill(a, b);
        return a;
    }
}
