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
 * A read of a snapshot (an NBD client of {@code v@s1}) of a track it shares with its volume, as the
 * track is written and the snapshot deleted. The read takes the track from the volume, then looks
 * for a save made meanwhile (the volume may have changed under it) and reads that instead; the
 * delete had dropped the save, so the read answered the volume's new bytes as the snapshot's: a
 * read of the snapshot that returned what it never held, where a read of a save already fails
 * once the snapshot is gone. Here the read's member read is held until the write and the delete
 * are done.
 */
class SnapshotReadAtDeleteTest {

    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aReadOfTheVolumesTrackAsTheSnapshotGoesNeverAnswersTheNewBytes() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        byte[] before = new byte[TRACK];
        new Random(21).nextBytes(before);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            p.device("v").write(0, ByteBuffer.wrap(before));
            p.snapshots().create("v", "s1");
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(dir, inj);
        try {
            BlockDevice snapshot = p.device("v@s1");
            List<Path> members = List.of(abs(p.paths.image("d1")), abs(p.paths.image("d2")));
            inj.hold(FaultInjector.Op.READ, f -> members.contains(abs(f)), t -> t.getName().equals("snap-read"), 60_000);
            byte[] got = new byte[TRACK];
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread reader = StuckThreads.start("snap-read", () -> snapshot.read(0, ByteBuffer.wrap(got)), failed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the snapshot's read of the volume");

            byte[] after = new byte[TRACK];
            Arrays.fill(after, (byte) 0x3c);
            p.device("v").write(0, ByteBuffer.wrap(after)); // the track is saved first, then written
            p.snapshots().delete("v", "s1"); // its save is dropped, its slot free
            inj.releaseHolds();
            reader.join(20_000);
            assertThat(reader.isAlive()).as("the read returned").isFalse();
            if (failed.get() == null) {
                assertThat(Arrays.mismatch(got, before)).as("a read of the snapshot that succeeds answers its bytes")
                        .isNegative();
            } else {
                assertThat(failed.get()).as("a read of the snapshot that fails says why").hasMessageContaining("s1");
            }
        } finally {
            inj.releaseHolds();
            p.close();
        }
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
