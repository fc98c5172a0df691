package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;

/**
 * A power cut at every write index of 'volume journal enable', two seeds each, a host writer beside it (the directory's
 * unsynced changes kept up to a random point): the two drives it was given are, reopened, either
 * SPARE (the enable not on record) or the journal's, never MISSING. The enable blanked each drive by
 * deleting its image and renaming a new blank one into place: a cut that kept the deletion but not
 * the rename left the drive without an image, MISSING, and the enable refused it from then on.
 */
class JournalEnableCutLegsTest {

    @TempDir
    Path tmp;

    @Test
    void aCutAnywhereInAnEnableLeavesItsDrivesSpareOrTheJournals() throws Exception {
        Path template = TestPools.create(tmp.resolve("template"), Layout.RAID1, 2, JournaledPools.DRIVE, JournaledPools.TRACK);
        List<String> legs;
        try (Pool pool = Pool.open(template)) {
            legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
        }
        BackupTest.atEveryWriteIndex(2, (cut, seed) -> {
            Path run = tmp.resolve("cut-" + cut + "-" + seed);
            Path dir = run.resolve("pool");
            TestPools.copyDir(template, dir);
            Path store = Files.createDirectories(run.resolve("store"));
            FaultInjector inj = CutRuns.injector(cut, seed);
            Pool pool = null;
            HostWriters writers = null;
            try {
                pool = Pool.open(dir, inj);
                writers = new HostWriters(1, JournaledPools.TRACK, TestPools.readAll(pool.volume("v")));
                writers.start(pool, seed, 12, inj::isCut); // a cut from their thread falls anywhere in the enable
                pool.journals().enable("v", legs, store, 0, 0).await(60_000);
            } catch (Exception e) {
                CutRuns.cutOrFail(inj, e, "cut " + cut + " seed " + seed);
            }
            if (writers != null) {
                writers.join();
            }
            if (!inj.isCut()) {
                inj.cutNow();
            }
            long writes = CutRuns.crash(inj, pool);
            try (Pool p = Pool.open(dir)) {
                boolean journaled = p.journals().volumes().contains("v");
                for (String leg : legs) {
                    assertThat(p.snapshot().drive(leg).state()).as("cut " + cut + " seed " + seed + ": " + leg + ", "
                            + (journaled ? "the journal's" : "no journal on record") + "; " + p.openNotes())
                            .isEqualTo(journaled ? DriveState.ONLINE : DriveState.SPARE);
                }
            }
            TestPools.deleteDir(run);
            return writes;
        });
    }
}
