package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A host flush syncing a staged journal while an administrator takes its legs away. A flush runs
 * the hooks it found as it began, the journal's sync among them, and the sync forces the legs it
 * took outside the journal's monitor, under no lock the administrator's command waits for. The
 * late force of a closed leg failed, and the journal took that for a drive failing: a drive that
 * never had an I/O error was marked FAILED in pool.json.
 * <ul>
 * <li>the journal disabled and enabled again on the same drives: the new journal's d3 FAILED;</li>
 * <li>journal drive d3 failed and replaced: the old leg's error charged to the new leg.</li>
 * </ul>
 * Each scene holds the flush's force of leg 0 (d3) until the command went as far as it goes.
 */
class JournalSyncAsLegsGoTest {

    private static final int TRACK = 64 * 1024;
    private static final long DRIVE = 4L << 20;

    @TempDir
    Path tmp;

    /** A journaled RAID 1 "v" on d1, d2 (journal on d3, d4), a write, and a host flush held in leg 0's force. */
    private final class Scene {
        final Path dir = tmp.resolve("pool");
        final Path store;
        final FaultInjector inj = new FaultInjector(StorageFactory.real());
        final Pool pool;
        final byte[] image;
        final AtomicReference<Throwable> failed = new AtomicReference<>();
        final Thread flusher;

        Scene(long seed) throws Exception {
            Pool.create(dir, 4, DRIVE, TRACK, StorageFactory.real());
            try (Pool p = Pool.open(dir)) {
                p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            }
            store = java.nio.file.Files.createDirectories(tmp.resolve("store"));
            pool = Pool.open(dir, inj);
            assertThat(pool.journals().enable("v", List.of("d3", "d4"), store, 2 << 20, 0).await(60_000)).isTrue();
            image = TestPools.readAll(pool.volume("v"));
            byte[] write = new byte[4 * TRACK]; // well within the journal's size: it goes on protecting
            new Random(seed).nextBytes(write);
            pool.device("v").write(TRACK, ByteBuffer.wrap(write));
            System.arraycopy(write, 0, image, TRACK, write.length);
            // leg 0 is forced on the thread running the flush's hooks (leg 1 on a leg writer)
            Path leg0 = abs(pool.paths.image("d3"));
            inj.holdForces(f -> abs(f).equals(leg0), t -> t.getName().equals("splitpoint-force for host-flush"), 60_000);
            flusher = StuckThreads.start("host-flush", pool.device("v")::flush, failed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the flush syncing the journal");
        }

        /** After the command: the flush returned without error, both journal drives serve, then and after a reopen. */
        void releaseAndCheck() throws Exception {
            try {
                inj.releaseHolds();
                flusher.join(20_000);
                assertThat(flusher.isAlive()).as("the host's flush returned").isFalse();
                assertThat(failed.get()).as("the host's flush and the administrator's commands").isNull();
                for (String d : List.of("d3", "d4")) {
                    assertThat(pool.snapshot().drive(d).state()).as("journal drive " + d).isEqualTo(DriveState.ONLINE);
                }
                assertThat(pool.journals().status("v").legsHealthy()).as("the journal's legs").containsExactly(true, true);
                assertThat(Arrays.mismatch(TestPools.readAll(pool.volume("v")), image)).as("the volume's bytes").isNegative();
            } finally {
                inj.releaseHolds();
                pool.close();
            }
            try (Pool reopened = Pool.open(dir)) {
                for (String d : List.of("d3", "d4")) {
                    assertThat(reopened.snapshot().drive(d).state()).as("journal drive " + d + " after a reopen")
                            .isEqualTo(DriveState.ONLINE);
                }
            }
        }
    }

    @Test
    void aFlushSyncingTheJournalAsItIsDisabledFailsNoDrive() throws Exception {
        Scene s = new Scene(7);
        // disabled and enabled again on the same drives; the enable's base backup starts with a
        // flush, which waits for the held one
        AtomicReference<Job> base = new AtomicReference<>();
        Thread admin = StuckThreads.start("admin", () -> {
            s.pool.journals().disable("v");
            base.set(s.pool.journals().enable("v", List.of("d3", "d4"), s.store, 2 << 20, 0));
        }, s.failed);
        StuckThreads.awaitTrue(() -> StuckThreads.waitsIn(admin, "disable") || StuckThreads.waitsIn(admin, "startAtInstant"),
                "the disable waiting for the flush, or the enable's backup");
        s.inj.releaseHolds();
        admin.join(20_000);
        assertThat(admin.isAlive()).as("the disable and enable returned").isFalse();
        assertThat(base.get()).as("the new journal's base backup").isNotNull();
        assertThat(base.get().await(60_000)).isTrue();
        s.releaseAndCheck();
    }

    @Test
    void aFlushSyncingALegAsItsDriveIsFailedAndReplacedFailsNoDrive() throws Exception {
        Scene s = new Scene(8);
        // d3 failed and replaced: it is leg 0 again, with every entry
        s.pool.admin().failDrive("d3");
        s.pool.admin().replaceDrive("d3");
        s.releaseAndCheck();
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
