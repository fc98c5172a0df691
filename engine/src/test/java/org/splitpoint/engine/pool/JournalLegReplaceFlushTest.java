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

/**
 * A host flush syncing a staged journal as one of its drives is failed by an administrator and
 * replaced. The sync takes the legs, then forces them outside the journal's monitor; the failing
 * drive's leg was dropped and closed meanwhile, and the replacement made the new drive the leg
 * again. The sync's force of the old, closed leg then failed, and the journal took that for the
 * new leg failing: the drive just replaced, which holds every entry, was marked FAILED in
 * pool.json. Here the flush's force of leg 0 is held until the drive was failed and replaced.
 */
class JournalLegReplaceFlushTest {

    private static final int TRACK = 64 * 1024;
    private static final long DRIVE = 4L << 20;

    @TempDir
    Path tmp;

    @Test
    void aFlushSyncingALegAsItsDriveIsFailedAndReplacedFailsNoDrive() throws Exception {
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
            byte[] write = new byte[4 * TRACK];
            new Random(8).nextBytes(write);
            dev.write(TRACK, ByteBuffer.wrap(write));
            System.arraycopy(write, 0, image, TRACK, write.length);
            // leg 0 is forced on the thread running the flush's hooks (leg 1 on a leg writer)
            Path leg0 = abs(p.paths.image("d3"));
            inj.holdForces(f -> abs(f).equals(leg0), t -> t.getName().equals("splitpoint-force for host-flush"),
                    60_000);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread flusher = StuckThreads.start("host-flush", dev::flush, failed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the flush syncing the journal");

            // the administrator fails d3 and replaces it: it is leg 0 again, with every entry
            p.admin().failDrive("d3");
            p.admin().replaceDrive("d3");
            inj.releaseHolds();
            flusher.join(20_000);
            assertThat(flusher.isAlive()).as("the host's flush returned").isFalse();
            assertThat(failed.get()).as("the host's flush").isNull();
            for (String d : List.of("d3", "d4")) {
                assertThat(p.snapshot().drive(d).state()).as("journal drive " + d).isEqualTo(DriveState.ONLINE);
            }
            JournalAdmin.Status s = p.journals().status("v");
            assertThat(s.legsHealthy()).as("the journal's legs").containsExactly(true, true);
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
