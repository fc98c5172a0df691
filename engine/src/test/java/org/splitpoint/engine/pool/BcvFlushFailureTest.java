package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pair.PairState;

/**
 * A pair's BCV whose flushes fail while the pair mirrors (Synchronized): its drives' forces fail
 * with EIO (the BCV goes FAILED) or for want of space (its writes lost at the flush). Three host
 * writers and a flusher on the STD, through the pool's device, go on without one error: the STD's
 * flush is never refused because of the BCV. The pair is no longer in sync (SyncInProg, every track
 * marked, a split refused), which an event says; after a reopen the STD holds every write, and where
 * the BCV can be flushed again an establish and a split give a BCV equal to the STD. Before, every
 * host flush of the STD failed with the BCV's error ("volume w is FAILED", "drive d4: a flush failed
 * ... no space"), and in the no-space case the pair stayed Synchronized.
 */
class BcvFlushFailureTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;
    private static final int SEEDS = Boolean.getBoolean("splitpoint.longTests") ? 16 : 3;

    @TempDir
    Path tmp;

    @Test
    void bcvForcesFailingWithEioFailNoHostFlush() throws Exception {
        for (int seed = 1; seed <= SEEDS; seed++) {
            run(seed, false);
        }
    }

    @Test
    void bcvForcesFailingForWantOfSpaceFailNoHostFlush() throws Exception {
        for (int seed = 1; seed <= SEEDS; seed++) {
            run(seed, true);
        }
    }

    private void run(int seed, boolean noSpace) throws Exception {
        Random rnd = new Random(seed);
        Path dir = tmp.resolve("pool" + seed + noSpace);
        Layout layout = seed % 2 == 0 ? Layout.RAID1 : Layout.RAID5;
        int n = layout == Layout.RAID1 ? 2 : 3;
        org.splitpoint.engine.TestPools.create(dir, layout, n, DRIVE, TRACK);
        List<String> w = new ArrayList<>();
        byte[] model;
        try (Pool pool = Pool.open(dir)) {
            for (int i = 0; i < n; i++) {
                w.add(pool.admin().addDrive(0));
            }
            pool.admin().createVolume("w", layout, w, 0);
            pool.pairs().create("p", "v", "w");
            model = new byte[(int) pool.volume("v").size()];
            rnd.nextBytes(model);
            pool.volume("v").write(0, ByteBuffer.wrap(model));
            assertThat(pool.pairs().establish("p", true).await(60_000)).isTrue();
            assertThat(pool.pairs().get("p").state()).isEqualTo(PairState.Synchronized);
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        List<Event> said = java.util.Collections.synchronizedList(new ArrayList<>());
        Pool pool = Pool.open(dir, inj, new PoolOptions(false));
        try {
            pool.events().addListener(said::add);
            java.util.function.Predicate<Path> bcvDrives = f -> w.stream()
                    .anyMatch(d -> f.getFileName().toString().equals(d + ".img"));
            if (noSpace) {
                inj.failForcesNoSpace(bcvDrives, Long.MAX_VALUE);
            } else {
                inj.failForces(bcvDrives, Long.MAX_VALUE);
            }
            BlockDevice v = pool.device("v");
            new OwnTrackWriters(v, model, TRACK, 20, seed).finish("seed " + seed + ", the STD");
            v.flush();
            assertThat(pool.pairs().get("p").state()).as("seed %d", seed).isEqualTo(PairState.SyncInProg);
            assertThatThrownBy(() -> pool.pairs().split(List.of("p"))).as("seed %d: a split", seed)
                    .isInstanceOf(PoolException.class);
            pool.events().drain();
            assertThat(List.copyOf(said)).as("seed %d", seed).anySatisfy(e -> assertThat(e.message())
                    .contains("the BCV w could not be flushed").contains("went ahead"));
        } finally {
            try {
                pool.close();
            } catch (java.io.IOException e) {
                // the close's own flush of the BCV says its drive lost writes: the BCV's, not the STD's
                assertThat(noSpace).as("seed %d: %s", seed, e).isTrue();
                assertThat(w.stream().anyMatch(d -> e.getMessage().startsWith("drive " + d + " "))).as("%s", e).isTrue();
            }
        }
        try (Pool again = Pool.open(dir)) {
            Pool pool2 = again;
            assertThat(Arrays.mismatch(ServicePools.read(pool2.volume("v"), 0, model.length), model))
                    .as("seed %d: the STD after a reopen", seed).isNegative();
            if (!noSpace) { // its BCV FAILED: nothing copies to it
                assertThat(pool2.pairs().get("p").state()).as("seed %d: after a reopen", seed)
                        .isEqualTo(PairState.SyncInProg);
            } else { // the BCV's drives are there: an establish copies what it missed
                // its establish resumed at the open (pool.json's Synchronized with marks reads as SyncInProg)
                for (long end = System.currentTimeMillis() + 60_000; System.currentTimeMillis() < end
                        && pool2.pairs().get("p").state() != PairState.Synchronized; ) {
                    Thread.sleep(20);
                }
                assertThat(pool2.pairs().get("p").state()).as("seed %d", seed).isEqualTo(PairState.Synchronized);
                pool2.pairs().split(List.of("p"));
                assertThat(Arrays.mismatch(ServicePools.read(pool2.volume("w"), 0, model.length), model))
                        .as("seed %d: the BCV split after the establish", seed).isNegative();
            }
        }
    }
}
