package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * A backup with damaged tracks does not stop a restore at the first one: the bulk copy stopped there
 * (job FAILED at 47%) and every track after it stayed on the backup, so one bad sector in a store
 * left most of a volume unrestored. Now every other track is copied, the damaged ones stay owed
 * (reads of them fail, a host's whole write makes one current), the job fails naming them, and the
 * next opening of the pool tries them again and finishes the restore once none is left.
 */
class RestoreDamagedTrackTest {

    private static final int TRACK = 64 << 10;

    @TempDir
    Path tmp;

    @AfterEach
    void clearPieces() {
        System.clearProperty("splitpoint.restoreWholeTrackMax");
        System.clearProperty("splitpoint.restorePieceBytes");
    }

    @ParameterizedTest(name = "tracks copied in pieces: {0}")
    @ValueSource(booleans = {false, true})
    void everyOtherTrackIsRestoredAndTheDamagedOnesStayOwed(boolean pieces) throws Exception {
        if (pieces) {
            System.setProperty("splitpoint.restoreWholeTrackMax", String.valueOf(16 << 10));
            System.setProperty("splitpoint.restorePieceBytes", String.valueOf(4 << 10));
        }
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 2L << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 61, true);
        int tracks = model.length / TRACK;
        BackedUp.damage(store, 3L * TRACK + 100);
        BackedUp.damage(store, 10L * TRACK + TRACK - 1);
        try (Pool pool = Pool.open(dir)) {
            Job job = pool.instantRestores().restore("v", store, null, false, 0);
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.FAILED);
            assertThat(job.progress().message()).contains("2 tracks of the backup are damaged (tracks 3, 10;")
                    .contains("track 3 fails its SHA-256").contains("every other track is restored");
            InstantRestore r = pool.instantRestores().restoreOf("v");
            assertThat(r.owedTracks().cardinality()).isEqualTo(2);
            assertThat(r.owedTracks().get(3)).isTrue();
            assertThat(r.owedTracks().get(10)).isTrue();
            BlockDevice v = pool.device("v");
            for (int t = 0; t < tracks; t++) {
                if (t == 3 || t == 10) {
                    int track = t;
                    assertThatThrownBy(() -> v.read((long) track * TRACK, ByteBuffer.allocate(512)))
                            .hasMessageContaining("track " + track + " fails its SHA-256");
                    continue;
                }
                byte[] got = new byte[TRACK];
                v.read((long) t * TRACK, ByteBuffer.wrap(got));
                TestPools.assertSameBytes(got, Arrays.copyOfRange(model, t * TRACK, (t + 1) * TRACK), "track " + t);
            }
            byte[] whole = new byte[TRACK];
            new Random(63).nextBytes(whole);
            v.write(3L * TRACK, ByteBuffer.wrap(whole)); // the administrator's choice for track 3: new bytes
            v.flush();
            System.arraycopy(whole, 0, model, 3 * TRACK, TRACK);
            assertThat(r.owedTracks().get(3)).isFalse();
        }
        try (Pool pool = Pool.open(dir)) { // tried again: track 10 is still damaged
            Job job = pool.jobs().stream().filter(j -> j.kind().equals("instant-restore")).findFirst().orElseThrow();
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.FAILED);
            assertThat(job.progress().message()).contains("1 track of the backup is damaged (track 10;")
                    .contains("To give it up, cancel the restore (job instant-restore-v)");
            BlockDevice v = pool.device("v");
            byte[] whole = new byte[TRACK];
            new Random(64).nextBytes(whole);
            v.write(10L * TRACK, ByteBuffer.wrap(whole));
            v.flush();
            System.arraycopy(whole, 0, model, 10 * TRACK, TRACK);
            // nothing owed is left: the holder's next look ends the restore, without reopening the pool
            assertThat(HolderChecks.run(pool)).anyMatch(s -> s.contains("has no track left to copy"));
            Job end = pool.jobs().stream().filter(j -> j.kind().equals("instant-restore") && j != job).findFirst().orElseThrow();
            assertThat(end.await(60_000)).isTrue();
            assertThat(end.state()).isEqualTo(JobState.DONE);
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, "the volume");
        }
    }

    /**
     * A restore whose copy failed on damaged tracks is ended by a cancel: its job was FAILED, so
     * nothing could end it while the pool was held (a cancel said the job had failed already, a
     * new restore said one was under way). The same holds for a restore waiting for its store.
     */
    @org.junit.jupiter.api.Test
    void aRestoreThatFailedOnDamagedTracksIsCancelled() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1L << 20, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 65, false);
        BackedUp.damage(store, 5L * TRACK + 10);
        try (Pool pool = Pool.open(dir)) {
            Job job = pool.instantRestores().restore("v", store, null, false, 0);
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.FAILED);
            assertThat(pool.snapshot().health()).as("a track cannot be read").isEqualTo(PoolSnapshot.Health.WARNING);
            assertThat(pool.instantRestores().cancelStopped("v")).isEqualTo(1);
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            assertThat(pool.snapshot().health()).isEqualTo(PoolSnapshot.Health.HEALTHY);
            pool.device("v").read(5L * TRACK, ByteBuffer.allocate(512)); // the volume's own bytes now: no error
        }
        Files.move(store, tmp.resolve("away"));
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            pool.instantRestores().restore("v", tmp.resolve("away"), null, false, 0); // not run: stays under way
        }
        Files.move(tmp.resolve("away"), tmp.resolve("gone"));
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.instantRestores().restoreOf("v").unavailable()).isNotNull();
            assertThat(pool.jobs()).as("waiting: no job").isEmpty();
            assertThat(pool.snapshot().health()).as("waiting for its store").isEqualTo(PoolSnapshot.Health.WARNING);
            long owed = pool.instantRestores().restoreOf("v").totalTracks() - pool.instantRestores().restoreOf("v").currentTracks();
            assertThat(pool.instantRestores().cancelStopped("v")).isEqualTo(owed).isPositive();
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
        }
    }
}
