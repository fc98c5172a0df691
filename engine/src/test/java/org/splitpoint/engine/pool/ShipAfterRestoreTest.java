package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * The first ship of a staged journal after an instant restore (or a rebuild from backup + journal)
 * carries what changed since the image the volume was restored to, not the whole volume: the
 * restore's own refills are the base's bytes (or the base's with the journal's entries) and are
 * not journaled, whatever device the restore writes through. The chain the ship ends reads back
 * exactly as the volume.
 */
class ShipAfterRestoreTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    /**
     * Volume v (RAID 5 on d1-d3, a random image), journaled on two spares into {@code store}; with
     * {@code pair}, v is the STD of pair p1 with BCV w, split.
     */
    private byte[] journaled(Path dir, Path store, boolean pair) throws Exception {
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            List<String> legs = List.of(pool.admin().addDrive(4 * DRIVE), pool.admin().addDrive(4 * DRIVE));
            if (pair) {
                List<String> w = List.of(pool.admin().addDrive(DRIVE), pool.admin().addDrive(DRIVE), pool.admin().addDrive(DRIVE));
                pool.admin().createVolume("w", Layout.RAID5, w, 0);
                pool.pairs().create("p1", "v", "w");
            }
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(7).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            if (pair) { // established once, then split: an incremental establish copies only what is marked
                assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
                pool.pairs().split(List.of("p1"));
            }
            Files.createDirectories(store);
            assertThat(pool.journals().enable("v", legs, store, 3 * DRIVE, 0).await(60_000)).isTrue();
            return image;
        }
    }

    private static void write(Pool pool, byte[] model, int off, int len, int seed) throws Exception {
        byte[] d = new byte[len];
        new Random(seed).nextBytes(d);
        pool.device("v").write(off, ByteBuffer.wrap(d));
        System.arraycopy(d, 0, model, off, len);
    }

    /** Ships the journal; returns the image it made, checked to read back as {@code model}. */
    private static ImageInfo shipAndCheck(Pool pool, Path store, byte[] model, String what) throws Exception {
        pool.device("v").flush();
        Job ship = pool.journals().ship("v");
        assertThat(ship.await(60_000)).isTrue();
        assertThat(ship.state()).isEqualTo(JobState.DONE);
        String base = pool.journals().status("v").base();
        TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, what + ": the volume");
        TestPools.assertSameBytes(BackupTest.imageBytes(store, base), model, what + ": the chain up to the ship");
        return DirectoryStore.open(store, StorageFactory.real(), false).list().stream()
                .filter(i -> i.id().equals(base)).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}, pair side: {1}")
    @CsvSource({"restore, false", "restore, true", "rebuild, false", "rebuild, true"})
    void theShipAfterARestoreCarriesOnlyWhatChangedSinceTheImageRestored(String kind, boolean pair) throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        byte[] model = journaled(dir, store, pair);
        try (Pool pool = Pool.open(dir)) {
            write(pool, model, 3 * TRACK + 5, 2 * TRACK, 1); // shipped: the image restored below holds it
            shipAndCheck(pool, store, model, "before");
            if (kind.equals("rebuild")) {
                write(pool, model, 40 * TRACK, 3 * TRACK, 2); // in the journal only: the rebuild's overlay
                pool.device("v").flush();
                pool.admin().failDrive("d1");
            } else {
                write(pool, new byte[model.length], 0, 9 * TRACK, 3); // undone by the restore
                assertThat(pool.instantRestores().restore("v", store, null, false, 0).await(60_000)).isTrue();
            }
        }
        if (kind.equals("rebuild")) { // lost beyond its redundancy: a second drive's image gone
            Files.delete(dir.resolve("drives/d2.img"));
        }
        try (Pool pool = Pool.open(dir)) {
            if (kind.equals("rebuild")) {
                assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
                assertThat(pool.journals().rebuildFromBackup("v", List.of(), 0).await(60_000)).isTrue();
            }
            write(pool, model, 100 * TRACK + 1, 100, 4); // one track written since
            ImageInfo shipped = shipAndCheck(pool, store, model, "after the " + kind);
            // the restore's refills are not changes: one track, plus for a rebuild the three its overlay's entry touches
            assertThat(shipped.tracks()).as("tracks in the ship after the " + kind).isEqualTo(kind.equals("rebuild") ? 4 : 1);
            if (pair) { // the refills still count as the STD's changes for the pair
                assertThat(pool.pairs().establish("p1", false).await(60_000)).isTrue();
                pool.pairs().split(List.of("p1"));
                TestPools.assertSameBytes(TestPools.readAll(pool.volume("w")), model, "the BCV after an incremental establish");
            }
        }
    }

    /**
     * A crash during the restore (or rebuild) while its copy had reached few tracks, with the
     * write-intent bits of a whole-volume write still set: the reopen journals again the dirty
     * tracks as hosts see them, but not those the restore still owes that nothing was journaled on
     * since it began (the chain says them already); before, the ship after carried them all.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"restore", "rebuild"})
    void aCrashDuringTheRestoreDoesNotJournalTheTracksItStillOwesAgain(String kind) throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        byte[] model = journaled(dir, store, false);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, inj);
        write(pool, model, 0, model.length, 5); // every track's write-intent bit set for a while
        shipAndCheck(pool, store, model, "before");
        if (kind.equals("rebuild")) {
            pool.admin().failDrive("d1");
        } else {
            write(pool, new byte[model.length], 0, model.length, 6); // undone by the restore
            pool.device("v").flush();
            pool.instantRestores().restore("v", store, null, false, 16 * 1024); // slow: a few tracks before the crash
            Thread.sleep(300);
        }
        inj.processCrash();
        pool.abandon();
        if (kind.equals("rebuild")) {
            Files.delete(dir.resolve("drives/d2.img"));
            inj = new FaultInjector(StorageFactory.real());
            pool = Pool.open(dir, inj);
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            pool.journals().rebuildFromBackup("v", List.of(), 16 * 1024);
            Thread.sleep(300);
            inj.processCrash();
            pool.abandon();
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.instantRestores().restoreOf("v")).isNotNull();
            assertThat(p.volume("v").crashDirtyTracks().cardinality()).as("dirty tracks after the crash").isGreaterThan(200);
            p.jobs().stream().filter(j -> j.kind().equals("instant-restore")).forEach(j -> j.setThrottle(0));
            p.awaitJobs(null);
            write(p, model, 100 * TRACK + 1, 100, 4);
            ImageInfo shipped = shipAndCheck(p, store, model, "after the " + kind);
            assertThat(shipped.tracks()).as("tracks in the ship after the " + kind).isLessThan(64);
        }
    }
}
