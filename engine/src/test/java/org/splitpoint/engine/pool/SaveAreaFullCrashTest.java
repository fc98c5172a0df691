package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * Power cuts while the save area fills up (SnapshotCrashTest keeps it roomy): a save area of 40
 * tracks under three host writers spread over 180 tracks of a volume with two snapshots, so copy on
 * first write runs out of slots and snapshots become invalid while writes go on; a snapshot taken
 * between the writes, a clean close; a second opening deletes the invalid snapshots (their slots go
 * back and are written again by new saves) and takes another under more writes; a third opening
 * writes on. After the crash (unforced writes land or not, unsynced names go) the pool opens and:
 * the volume holds every acknowledged write; every snapshot still VALID reads exactly its image (a
 * slot given back and written again must never be read as a valid snapshot's save); a snapshot
 * taken exists, one deleted does not; the volume and the save area verify.
 *
 * <p>{@code -Dsplitpoint.longTests=true} cuts at every write index.
 */
class SaveAreaFullCrashTest {

    static final int TRACK = 4096;
    static final int WRITERS = 3;
    static final long SAVE_TRACKS = 40;

    @TempDir
    Path tmp;

    private byte[] initial;
    private final Map<String, byte[]> templateImages = new HashMap<>();

    /** v (RAID 1, 256 tracks) with random bytes, a save area of SAVE_TRACKS tracks, s1, a few writes, s2. */
    private Path template() throws Exception {
        Path dir = tmp.resolve("template");
        Pool.create(dir, 5, 1L << 20, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("save", Layout.RAID5, List.of("d3", "d4", "d5"), SAVE_TRACKS * TRACK);
            p.snapshots().setSaveArea("save");
            initial = new byte[(int) p.volume("v").size()];
            new Random(5).nextBytes(initial);
            p.device("v").write(0, ByteBuffer.wrap(initial));
            p.snapshots().create("v", "s1");
            templateImages.put("s1", initial.clone());
            BackupTest.randomWrites(p, initial, new Random(6), 8); // at most 32 saves: the area is not full yet
            p.snapshots().create("v", "s2");
            templateImages.put("s2", initial.clone());
        }
        return dir;
    }

    @Test
    void aPowerCutWhileTheSaveAreaFillsLeavesEveryValidSnapshotItsImage() throws Exception {
        Path template = template();
        long total = run(template, tmp.resolve("count"), 0, 1);
        SnapshotCrashTest.cutsSpreadOver("SaveAreaFullCrashTest", total, 30,
                (cut, seed) -> run(template, tmp.resolve("cut-" + cut + "-" + seed), cut, seed));
    }

    /** One run; returns the writes counted (a run without a cut counts them all). */
    private long run(Path template, Path runDir, long cut, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, (int) (seed % 3) * 512, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        HostWriters w = new HostWriters(WRITERS, TRACK, initial).span(60);
        Map<String, AckOracle> taken = new HashMap<>(); // snapshots taken in the run: their images
        List<String> deleted = new ArrayList<>(); // deletes that returned
        List<String> invalidAtSecondOpening = new ArrayList<>();
        String s4State = null;
        Pool pool = null;
        try {
            // opening 1: the area fills under three writers, a snapshot between their writes
            pool = Pool.open(dir, inj);
            w.start(pool, seed, 20, inj::isCut);
            w.join();
            AckOracle s3 = w.model.copy();
            w.alsoFlushed.add(s3);
            pool.snapshots().create("v", "s3");
            taken.put("s3", s3);
            w.start(pool, seed + 7, 25, inj::isCut);
            w.join();
            w.closed(pool);
            // opening 2: the invalid snapshots deleted (their slots reused), another taken, more writes
            pool = Pool.open(dir, inj);
            for (SnapshotAdmin.Info i : pool.snapshots().list("v")) {
                if (!i.state().equals(SnapshotAdmin.VALID)) {
                    invalidAtSecondOpening.add(i.name());
                }
                if (!i.state().equals(SnapshotAdmin.VALID) || i.name().equals("s1")) {
                    pool.snapshots().delete("v", i.name());
                    deleted.add(i.name());
                }
            }
            AckOracle s4 = w.model.copy();
            w.alsoFlushed.add(s4);
            pool.snapshots().create("v", "s4");
            taken.put("s4", s4);
            w.start(pool, seed + 13, 6, inj::isCut); // s4's saves go to slots the deletes gave back
            w.join();
            s4State = pool.snapshots().get("v", "s4").state();
            w.closed(pool);
            // opening 3: a few more writes
            pool = Pool.open(dir, inj);
            w.start(pool, seed + 17, 10, inj::isCut);
            w.join();
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, "cut " + cut);
        }
        assertThat(w.failure.get()).as("cut %d seed %d: the host writers", cut, seed).isNull();
        if (cut == 0) { // the run does what it is for: the area filled and snapshots went invalid
            assertThat(invalidAtSecondOpening).as("snapshots invalid at the second opening").isNotEmpty();
            System.out.println("SaveAreaFullCrashTest: invalid at the second opening: " + invalidAtSecondOpening
                    + "; s4 after its writes: " + s4State + "; at the end: " + pool.snapshots().list("v"));
        }
        long writes = CutRuns.crash(inj, pool);
        try (Pool p = Pool.open(dir)) {
            String at = "cut " + cut + " seed " + seed + ": ";
            assertThat(w.model.check(TestPools.readAll(p.volume("v")))).as(at + "the volume").isNull();
            List<String> names = new ArrayList<>();
            for (SnapshotAdmin.Info i : p.snapshots().list("v")) {
                names.add(i.name());
                assertThat(deleted).as(at + i.ref() + " exists only if its delete had not returned").doesNotContain(i.name());
                if (!i.state().equals(SnapshotAdmin.VALID)) {
                    continue;
                }
                byte[] got = SnapshotCrashTest.read(p, i.name());
                if (templateImages.containsKey(i.name())) {
                    TestPools.assertSameBytes(got, templateImages.get(i.name()), at + "valid snapshot " + i.ref());
                } else {
                    assertThat(taken).as(at + "snapshot " + i.ref()).containsKey(i.name());
                    assertThat(taken.get(i.name()).check(got)).as(at + "valid snapshot " + i.ref()).isNull();
                }
            }
            for (String t : taken.keySet()) {
                assertThat(names.contains(t) || deleted.contains(t)).as(at + "snapshot " + t + " was taken").isTrue();
            }
            assertThat(p.admin().verify("v", false, null)).as(at + "verify v").isZero();
            assertThat(p.admin().verify("save", false, null)).as(at + "verify the save area").isZero();
        }
        TestPools.deleteDir(runDir);
        return writes;
    }
}
