package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolOptions;

/** Each operation not allowed in a state is refused with its sentence and changes nothing. */
class PairRefusalTest {

    @TempDir
    Path dir;

    private Map<String, String> fingerprint() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    private void refused(Pool pool, String op, String sentence) throws Exception {
        pool.events().drain();
        Map<String, String> before = fingerprint();
        PairState state = pool.pairs().get("p1").state();
        assertThatThrownBy(() -> {
            switch (op) {
                case "establish" -> pool.pairs().establish("p1", false);
                case "split" -> pool.pairs().split(List.of("p1"));
                case "restore" -> pool.pairs().restore("p1", false, false);
                case "bcv write" -> pool.device("bcv").write(0, ByteBuffer.wrap(new byte[512]));
                default -> throw new AssertionError(op);
            }
        }).as("%s while %s", op, state).hasMessage(sentence);
        pool.events().drain();
        assertThat(pool.pairs().get("p1").state()).isEqualTo(state);
        assertThat(fingerprint()).as("%s while %s changed a file", op, state).isEqualTo(before);
    }

    @Test
    void refusalsInEveryState() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 1 << 20, 4096, 1);
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            // NeverEstab
            refused(pool, "split", "pair p1 was never established; establish it first");
            refused(pool, "restore", "pair p1 was never established: its BCV holds no copy of the STD to restore");
            // SyncInProg (the copy is not stepped)
            var job = pool.pairs().establish("p1", false);
            refused(pool, "establish", "pair p1 is already establishing (SyncInProg, 256 tracks to copy); wait for it or cancel job establish-p1");
            refused(pool, "split", "pair p1 is establishing (SyncInProg, 256 tracks to copy): wait until it is Synchronized, then split");
            refused(pool, "restore", "pair p1 is establishing (SyncInProg): split it first; a restore copies the split BCV back to the STD");
            refused(pool, "bcv write", "volume bcv is the BCV of pair p1, which is establishing (SyncInProg); a BCV is writable only while the pair is Split");
            while (job.stepOnce()) {
                // finish
            }
            // Synchronized
            refused(pool, "establish", "pair p1 is already Synchronized (established); split it to take a point-in-time copy");
            refused(pool, "restore", "pair p1 is Synchronized: split it first; a restore copies the split BCV back to the STD");
            refused(pool, "bcv write", "volume bcv is the BCV of pair p1, which is Synchronized; a BCV is writable only while the pair is Split");
            pool.pairs().split(List.of("p1"));
            // Split
            refused(pool, "split", "pair p1 is already Split");
            pool.device("std").write(0, ByteBuffer.wrap(new byte[] {1}));
            var restore = pool.pairs().restore("p1", false, false);
            // RestInProg
            refused(pool, "establish", "pair p1 is restoring (RestInProg): wait for the restore to finish (or cancel it) before establishing");
            refused(pool, "split", "pair p1 is restoring (RestInProg): wait for the restore to finish, then split");
            refused(pool, "restore", "pair p1 is already restoring (RestInProg, 1 track to restore); wait for it or cancel job restore-p1");
            refused(pool, "bcv write", "volume bcv is the BCV of pair p1, which is restoring (RestInProg); a BCV is writable only while the pair is Split");
            while (restore.stepOnce()) {
                // finish
            }
            // Restored
            assertThat(pool.pairs().get("p1").state()).isEqualTo(PairState.Restored);
            refused(pool, "establish", "pair p1 is already Restored (established); split it to take a point-in-time copy");
            refused(pool, "restore", "pair p1 is Restored: split it first; a restore copies the split BCV back to the STD");
        }
    }

    @Test
    void createRefusesMismatchedOrTakenVolumes() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 1 << 20, 4096, 1);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().addDrive(2 << 20);
            pool.admin().addDrive(2 << 20);
            pool.admin().createVolume("big", Layout.RAID1, List.of("d5", "d6"), 0);
            assertThatThrownBy(() -> pool.pairs().create("p2", "std", "big")).isInstanceOf(PoolException.class)
                    .hasMessage("volume std is already in pair p1; a volume belongs to one pair at most");
            assertThatThrownBy(() -> pool.pairs().create("p1", "big", "big")).hasMessage("a pair named 'p1' already exists");
            assertThatThrownBy(() -> pool.pairs().create("p3", "big", "big")).hasMessage("--std and --bcv name the same volume big");
        }
    }

    @Test
    void aSplitThatCannotBeRecordedLeavesThePairAsItWas() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 1 << 20, 4096, 1);
        try (Pool p = Pool.open(dir)) {
            assertThat(p.pairs().establish("p1", true).await(30_000)).isTrue();
        }
        org.splitpoint.engine.io.FaultInjector disk = new org.splitpoint.engine.io.FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            disk.diskFullAfter(f -> f.getFileName().toString().startsWith("pool.json"), 0);
            assertThatThrownBy(() -> pool.pairs().split(List.of("p1"))).hasMessageContaining("No space left on device");
            Pair p = pool.pairs().get("p1");
            assertThat(p.state()).isEqualTo(PairState.Synchronized);
            pool.device("std").write(0, ByteBuffer.wrap(new byte[] {9}));
            byte[] b = new byte[1];
            pool.device("bcv").read(0, ByteBuffer.wrap(b));
            assertThat(b[0]).as("still mirrored: the split did not happen").isEqualTo((byte) 9);
            disk.diskFreed();
        }
    }
}
