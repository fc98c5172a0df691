package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
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
        byte[] model;
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = ServicePools.writtenThenOffline(p, OfflineReason.FIRMWARE, LogMode.DATA);
            model = read(v, 0, (int) v.size());
            inj.failForces(f -> f.getFileName().toString().equals("v.delta.log"), 1 + rnd.nextInt(3));
            new OwnTrackWriters(v, model, TRACK, 20, seed).finish("seed " + seed);
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
}
