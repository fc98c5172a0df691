package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.pool;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Review finding: a flush resyncs pinned tracks ({@code resyncPinned -> verifyRows -> enterShared})
 * under the volume's flush lock, so it asks the gate for reading while holding that lock; a backup's
 * start holds the gate exclusively and then flushes (BackupAdmin.startAtInstant), asking for the
 * flush lock. A host FLUSH that is forcing the members when the backup starts takes the gate after
 * the backup took it, and each waits for the other for good (with the pool's monitor held by the
 * backup's start: every admin verb hangs too).
 */
class FlushUnderExclusiveTest {

    @TempDir
    Path tmp;

    @Test
    void aHostFlushResyncingAPinnedTrackAndABackupStartingBothFinish() throws Exception {
        Path dir = pool(tmp, "fx", Layout.RAID1, 2);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        Thread flusher = null;
        Thread admin = null;
        boolean finished = false;
        try {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(new byte[65536]));
            v.flush();
            // a write the file system has no room for: its track stays pinned until a flush resyncs it
            inj.diskFullAfter(f -> f.getFileName().toString().endsWith(".img"), 0);
            assertThatThrownBy(() -> v.write(0, ByteBuffer.wrap(new byte[4096]))).isInstanceOf(NoSpaceException.class);
            inj.diskFreed();
            assertThat(v.dirtyTracks().cardinality()).isGreaterThan(0);

            // the host's flush waits in its force of the members (the flush lock held)
            inj.hold(FaultInjector.Op.ANY, f -> f.getFileName().toString().endsWith(".img"),
                    t -> t.getName().equals("host-flush"), 60_000);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            flusher = StuckThreads.start("host-flush", v::flush, failed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the flush forcing the members");

            // a backup starts: the gate exclusively, then its own flush (the flush lock)
            admin = StuckThreads.start("admin-backup", () -> p.backups().backup("v", tmp.resolve("store"), true, 0), failed);
            Thread a = admin;
            StuckThreads.awaitTrue(() -> StuckThreads.waiting(a),
                    "the backup's start waiting for the flush lock");

            inj.releaseHolds(); // the flush goes on to resync the pinned track: enterShared
            boolean done = StuckThreads.finished(n -> n.equals("host-flush") || n.equals("admin-backup"), flusher, admin);
            assertThat(done).as("the host's flush and the backup's start finished (no deadlock)").isTrue();
            assertThat(failed.get()).isNull();
            finished = true;
        } finally {
            inj.releaseHolds();
            if (finished) {
                p.close();
            } else {
                p.abandon();
            }
        }
    }
}
