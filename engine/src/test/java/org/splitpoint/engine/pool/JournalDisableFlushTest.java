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
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A host flush syncing a staged journal as the journal is disabled, and enabled again on the same
 * drives. A flush runs the hooks it found as it began, the journal's sync among them, under no
 * lock the disable waits for; the disable took the hook away and closed the legs. The flush's
 * late sync of the closed legs failed, and the journal took that for its drives failing: its
 * listener marked them FAILED in pool.json, by then the drives of the new journal, which never
 * had an I/O error. Here the flush's sync is held until the disable and the enable went as far as
 * they go.
 */
class JournalDisableFlushTest {

    private static final int TRACK = 64 * 1024;
    private static final long DRIVE = 4L << 20;

    @TempDir
    Path tmp;

    @Test
    void aFlushSyncingTheJournalAsItIsDisabledFailsNoDrive() throws Exception {
        Path dir = tmp.resolve("pool");
        Pool.create(dir, 4, DRIVE, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
        }
        Path store = java.nio.file.Files.createDirectories(tmp.resolve("store"));
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(dir, inj);
        try {
            BlockDevice dev = p.device("v");
            assertThat(p.journals().enable("v", List.of("d3", "d4"), store, 2 << 20, 0).await(60_000)).isTrue();
            byte[] image = org.splitpoint.engine.TestPools.readAll(p.volume("v"));
            byte[] write = new byte[4 * TRACK]; // well within the journal's size: it goes on protecting
            new Random(7).nextBytes(write);
            dev.write(TRACK, ByteBuffer.wrap(write));
            System.arraycopy(write, 0, image, TRACK, write.length);
            // leg 0 is forced on the thread running the flush's hooks (leg 1 on a leg writer)
            Path leg0 = abs(p.paths.image("d3"));
            inj.holdForces(f -> abs(f).equals(leg0), t -> t.getName().equals("splitpoint-force for host-flush"),
                    60_000);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread flusher = StuckThreads.start("host-flush", dev::flush, failed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the flush syncing the journal");

            // the administrator disables the journal and enables it again on the same drives; the
            // enable's base backup starts with a flush, which waits for the held one
            AtomicReference<Job> base = new AtomicReference<>();
            Thread admin = StuckThreads.start("admin", () -> {
                p.journals().disable("v");
                base.set(p.journals().enable("v", List.of("d3", "d4"), store, 2 << 20, 0));
            }, failed);
            StuckThreads.awaitTrue(() -> StuckThreads.waitsIn(admin, "disable") || StuckThreads.waitsIn(admin, "startAtInstant"),
                    "the disable waiting for the flush, or the enable's backup");
            inj.releaseHolds();
            admin.join(20_000);
            assertThat(admin.isAlive()).as("the disable and enable returned").isFalse();
            flusher.join(20_000);
            assertThat(flusher.isAlive()).as("the host's flush returned").isFalse();
            assertThat(failed.get()).as("the host's flush, the disable and the enable").isNull();
            assertThat(base.get().await(60_000)).isTrue();
            for (String d : List.of("d3", "d4")) {
                assertThat(p.snapshot().drive(d).state()).as("journal drive " + d).isEqualTo(DriveState.ONLINE);
            }
            JournalAdmin.Status s = p.journals().status("v");
            assertThat(s.legsHealthy()).as("the new journal's legs").containsExactly(true, true);
            assertThat(Arrays.mismatch(org.splitpoint.engine.TestPools.readAll(p.volume("v")), image))
                    .as("the volume's bytes").isNegative();
        } finally {
            inj.releaseHolds();
            p.close();
        }
        try (Pool reopened = Pool.open(dir)) {
            for (String d : List.of("d3", "d4")) {
                assertThat(reopened.snapshot().drive(d).state()).as("journal drive " + d + " after a reopen")
                        .isEqualTo(DriveState.ONLINE);
            }
        }
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
