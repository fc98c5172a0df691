package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A journal whose base backup cannot succeed (its store's file system full) was tried again every
 * minute, the first retry a second after the enable's backup failed, each a failed job the
 * administrator was told of; the tries now back off from a minute to an hour and the status says
 * when the next is.
 */
class JournalBaseRetryTest {

    private static final long MIN = Duration.ofMinutes(1).toNanos();

    @TempDir
    Path tmp;

    @Test
    void theWaitsDoubleFromAMinuteUpToAnHour() {
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 30).stream().map(BaseRetry::waitAfter).map(Duration::toMinutes).toList())
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L);
    }

    @Test
    void aTryIsDueOnlyOnceItsWaitIsOverAndABaseForgetsTheTries() {
        BaseRetry r = new BaseRetry();
        assertThat(r.due("v", 0)).as("never tried: at once").isTrue();
        assertThat(r.nextTryIn("v", 0)).isNull();
        r.enabled("v", 0);
        assertThat(r.due("v", MIN - 1)).isFalse();
        assertThat(r.due("v", MIN)).isTrue();
        r.tried("v", MIN);
        assertThat(r.due("v", 2 * MIN)).as("the second wait is two minutes").isFalse();
        assertThat(r.nextTryIn("v", 2 * MIN)).isEqualTo(Duration.ofMinutes(1));
        assertThat(r.due("v", 3 * MIN)).isTrue();
        r.based("v");
        assertThat(r.due("v", 3 * MIN)).as("a journal that lost its base again is tried at once").isTrue();
        r.tried("v", 3 * MIN);
        r.enabled("v", 4 * MIN);
        assertThat(r.nextTryIn("v", 4 * MIN)).as("an enable starts the waits over").isEqualTo(Duration.ofMinutes(1));
        assertThat(BaseRetry.words(Duration.ofSeconds(61))).isEqualTo("2 min");
        assertThat(BaseRetry.words(Duration.ofHours(1))).isEqualTo("1 h");
    }

    @Test
    void aBaseBackupThatFailsIsNotTriedAgainAtOnceAndTheStatusSaysWhenItIs() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store").toAbsolutePath();
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        inj.diskFullAfter(f -> f.toAbsolutePath().startsWith(store.resolve("images")), 16 << 10); // an image's header, not its data
        try (Pool pool = Pool.open(dir, inj)) {
            List<String> started = new CopyOnWriteArrayList<>();
            pool.addListener(e -> {
                if (e.type().equals("BACKUP") && e.message().startsWith("backup of v started")) {
                    started.add(e.message());
                }
            });
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            byte[] d = new byte[256 << 10];
            new Random(1).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d));
            Files.createDirectories(store);
            Job base = pool.journals().enable("v", legs, store, 512 << 10, 0);
            base.await(60_000);
            assertThat(base.state()).as("the base backup into a full store").isEqualTo(JobState.FAILED);
            // the watch looks every second: before, it started a second backup a second after this one failed
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < deadline) {
                pool.events().drain();
                assertThat(started).as("base backups started").hasSize(1);
                Thread.sleep(100);
            }
            JournalAdmin.Status s = pool.journals().status("v");
            assertThat(s.protecting()).isFalse();
            assertThat(s.nextBaseTrySeconds()).as("the next try, within the first minute's wait").isBetween(1L, 60L);
            assertThat(s.nextShip()).containsPattern("; the last try did not give it one, the next is in \\d+ s ");
        }
    }
}
