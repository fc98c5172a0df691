package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A data window's delta log ({@code meta/v.delta.log}) whose forces fail while hosts write and
 * flush: three host writers (each on its own tracks) and a flusher. The window goes on by pointers
 * (on record), and no host write or flush fails: the log is the window's, a side feature; the
 * flushes' writes are on the members, forced before the log, under the window's durable bitmap.
 * The drive's return rebuilds the tracks written in the window from the others: the volume holds
 * every write, its parity or mirrors agree, and after a power cut too. Before, the flush whose
 * log force failed failed with the log's error (LostLogRecordTest asserted it).
 */
@QuickServiceSteps
class DataLogForceFailureTest {

    private static final int SEEDS = Boolean.getBoolean("splitpoint.longTests") ? 20 : 4;
    private static final int WRITERS = 3;

    @TempDir
    Path tmp;

    @Test
    void aDataLogWhoseForcesFailFailsNoHostFlush() throws Exception {
        for (int seed = 1; seed <= SEEDS; seed++) {
            run(seed);
        }
    }

    private void run(int seed) throws Exception {
        Random rnd = new Random(seed);
        Layout layout = seed % 2 == 0 ? Layout.RAID1 : Layout.RAID5;
        Path dir = pool(tmp, "p" + seed, layout, layout == Layout.RAID1 ? 2 : 3);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        AtomicReference<Throwable> failed = new AtomicReference<>();
        byte[] model;
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = ServicePools.writtenThenOffline(p, OfflineReason.FIRMWARE, LogMode.DATA);
            model = read(v, 0, (int) v.size());
            inj.failForces(f -> f.getFileName().toString().equals("v.delta.log"), 1 + rnd.nextInt(3));
            int tracks = model.length / TRACK;
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int mine = w;
                long wseed = seed * 31L + w;
                writers.add(StuckThreads.start("host-" + w, () -> write(v, model, tracks, mine, new Random(wseed)),
                        failed));
            }
            Thread flusher = StuckThreads.start("flusher", () -> {
                while (!stop.get()) {
                    v.flush();
                    Thread.sleep(1);
                }
            }, failed);
            for (Thread t : writers) {
                t.join(30_000);
                assertThat(t.isAlive()).as("seed %d: %s returned", seed, t.getName()).isFalse();
            }
            stop.set(true);
            flusher.join(30_000);
            assertThat(failed.get()).as("seed %d: a host write or flush", seed).isNull();
            v.flush();
            assertThat(p.snapshot().drive("d2").service().logMode()).as("seed %d: the window goes on by pointers", seed)
                    .isEqualTo(LogMode.POINTERS);
            assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("seed %d: the volume", seed).isNegative();
        } finally {
            inj.crash(); // every write was flushed: a power cut loses none
            p.abandon();
        }
        try (Pool again = Pool.open(dir)) {
            RaidVolume v = again.volume("v");
            assertThat(again.snapshot().drive("d2").service().logMode()).as("seed %d: on record", seed)
                    .isEqualTo(LogMode.POINTERS);
            Job back = again.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(back.state()).as("seed %d: %s", seed, back.progress().message()).isEqualTo(JobState.DONE);
            assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("seed %d: after the return", seed)
                    .isNegative();
            assertThat(again.admin().verify("v", false, null)).as("seed %d: mismatches", seed).isZero();
        }
    }

    /** 20 writes within tracks t with t % WRITERS == mine, unaligned, kept in the model. */
    private static void write(RaidVolume v, byte[] model, int tracks, int mine, Random rnd) throws Exception {
        for (int i = 0; i < 20; i++) {
            int t = rnd.nextInt(tracks / WRITERS) * WRITERS + mine;
            int at = rnd.nextInt(TRACK);
            int len = 1 + rnd.nextInt(TRACK - at);
            byte[] b = new byte[len];
            rnd.nextBytes(b);
            long off = (long) t * TRACK + at;
            v.write(off, ByteBuffer.wrap(b));
            synchronized (model) {
                System.arraycopy(b, 0, model, (int) off, len);
            }
        }
    }
}
