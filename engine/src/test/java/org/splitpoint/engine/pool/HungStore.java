package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.splitpoint.engine.backup.StoreTimeLimit;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * What the tests of a backup store that hangs share (BackupStartHangTest, BackupStoreHangTest,
 * HungStoreHoldsNoPoolTest): the store's time limit set short for each test and put back after, the
 * hold's length and the slack a loaded machine needs, the store's files, a pool with a first backup.
 */
final class HungStore {

    /** How long past the limit a verb, a host write or a job's end may take on a loaded machine. */
    static final long SLACK = 10_000;
    /** The store's hang: far longer than limit and slack. */
    static final long HANG = 120_000;

    private HungStore() {
    }

    /** The store's time limit ({@link StoreTimeLimit#PROPERTY}) at {@code millis} for each test, as it was after. */
    static final class Limit implements BeforeEachCallback, AfterEachCallback {
        private final long millis;
        private String before;

        Limit(long millis) {
            this.millis = millis;
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            before = System.getProperty(StoreTimeLimit.PROPERTY);
            System.setProperty(StoreTimeLimit.PROPERTY, String.valueOf(millis));
        }

        @Override
        public void afterEach(ExtensionContext context) {
            if (before == null) {
                System.clearProperty(StoreTimeLimit.PROPERTY);
            } else {
                System.setProperty(StoreTimeLimit.PROPERTY, before);
            }
        }
    }

    /** Every file in {@code store}. */
    static Predicate<Path> inStore(Path store) {
        Path s = store.toAbsolutePath().normalize();
        return f -> f.toAbsolutePath().normalize().startsWith(s);
    }

    /**
     * A pool of five 4 MiB drives: "v" (RAID 1 on d1, d2) filled with seeded bytes, "w" (RAID 1 on
     * d3, d4), SPARE d5; and one full backup of v into {@code store}, sealed. Returns v's bytes.
     */
    static byte[] poolWithABackup(Path dir, Path store, long seed) throws Exception {
        Pool.create(dir, 5, 4L << 20, ServicePools.TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("w", Layout.RAID1, List.of("d3", "d4"), 0);
            RaidVolume v = p.volume("v");
            byte[] model = new byte[(int) v.size()];
            new Random(seed).nextBytes(model);
            v.write(0, ByteBuffer.wrap(model));
            v.flush();
            Job first = p.backups().backup("v", store, true, 0);
            first.start();
            assertThat(first.await(60_000)).isTrue();
            assertThat(first.state()).as(first.progress().message()).isEqualTo(JobState.DONE);
            return model;
        }
    }
}
