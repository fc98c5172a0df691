package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.JobState;

/**
 * A restore of v to another volume's snapshot w@s reads each track of s from the save area when w
 * changed it since, else from w itself. When the save area fills while it runs, s becomes invalid
 * and w's later writes are no longer saved for it: a track of s read from w after that may hold
 * w's newer bytes. The restore read them all the same (its reader takes an invalid source) and
 * finished with v holding bytes s never had. Such a read now fails with a sentence, so the restore
 * stops rather than copy them, and hosts reading such a track of v get the sentence; the tracks
 * saved for s (kept for the restore) still read as s had them.
 */
class RestoreSourceInvalidTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    private static byte[] filled(int tracks, int b) {
        return TestPools.filled(tracks * TRACK, b);
    }

    /**
     * A pool with volumes v and w of 16 tracks (0x0A on w's), {@code saveTracks} tracks of save
     * area, snapshot w@s, and w's first {@code changed} tracks changed since (0x0B, saved for s).
     */
    private void withSnapshotOfW(int saveTracks, int changed) throws Exception {
        Pool.create(dir, 7, 1 << 20, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 16 * TRACK);
            p.admin().createVolume("w", Layout.RAID1, List.of("d3", "d4"), 16 * TRACK);
            p.admin().createVolume("save", Layout.RAID5, List.of("d5", "d6", "d7"), saveTracks * TRACK);
            p.snapshots().setSaveArea("save");
            p.device("w").write(0, ByteBuffer.wrap(filled(16, 0xA)));
            p.snapshots().create("w", "s");
            if (changed > 0) {
                p.device("w").write(0, ByteBuffer.wrap(filled(changed, 0xB)));
            }
        }
    }

    @Test
    void aRestoreNeverCopiesBytesWrittenAfterItsSourceBecameInvalid() throws Exception {
        withSnapshotOfW(4, 0);
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) { // the copy is stepped by hand
            List<Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            pool.addListener(events::add);
            var job = pool.snapshots().restore("v", "w@s", false, 0);
            long slots = pool.snapshots().saveArea().slots();
            // w changes more tracks than the save area holds: s becomes invalid part-way
            pool.device("w").write(0, ByteBuffer.wrap(filled(16, 0xB)));
            assertThat(pool.snapshots().get("w", "s").state()).isEqualTo(SnapshotAdmin.INVALID);
            assertThat(slots).isLessThan(16);

            while (job.stepOnce()) {
                // the restore's copy
            }
            assertThat(job.state()).as("the copy stops rather than copy w's newer bytes").isEqualTo(JobState.FAILED);
            pool.events().drain(); // events reach listeners on the bus's own thread
            assertThat(events).anyMatch(e -> e.message().equals("the restore of v to snapshot w@s cannot"
                    + " go on: its snapshot w@s is invalid (the save area save is full (4 tracks) when track 4 of w was"
                    + " written), so the tracks it did not save are unknown; hosts cannot read the tracks not yet restored"
                    + " until it is cancelled (job snapshot-restore-v), which leaves the volume as restored so far plus the"
                    + " writes made meanwhile: then restore it again"));
            byte[] got = new byte[TRACK];
            for (int t = 0; t < 16; t++) {
                ByteBuffer b = ByteBuffer.wrap(got);
                if (t < slots) {
                    pool.device("v").read(t * (long) TRACK, b); // saved for s before the area filled: kept for the restore
                    assertThat(got[0]).as("track %d of v", t).isEqualTo((byte) 0xA);
                } else {
                    long at = t * (long) TRACK;
                    assertThatThrownBy(() -> pool.device("v").read(at, b)).as("track %d of v", t)
                            .hasMessage("snapshot w@s is invalid: the save area save is full (4 tracks) when track 4 of w"
                                    + " was written");
                }
            }
        }
        // reopened, the restore does not resume into the same failure (and hosts into read errors):
        // it cannot go on, said as for a source that is gone
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            assertThat(pool.snapshots().restoreOf("v")).isNull();
            assertThat(pool.openNotes()).contains("the restore of v to snapshot w@s cannot go on: its snapshot w@s is"
                    + " invalid (the save area save is full (4 tracks) when track 4 of w was written), so the tracks it"
                    + " did not save are unknown; the volume holds what it was restored to so far plus the writes made"
                    + " meanwhile: restore it again");
            byte[] got = new byte[TRACK];
            pool.device("v").read(4L * TRACK, ByteBuffer.wrap(got)); // v's own bytes again: readable
        }
    }

    /** Its own snapshot's restore reads only tracks saved for it (kept while it restores): it finishes. */
    @Test
    void aRestoreToItsOwnSnapshotFinishesWhenTheSnapshotBecomesInvalid() throws Exception {
        withSnapshotOfW(4, 4); // saved: the save area is full now
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            var job = pool.snapshots().restore("w", "s", false, 0);
            pool.device("w").write(8 * TRACK, ByteBuffer.wrap(filled(1, 0xC))); // cannot be saved: s is invalid
            assertThat(pool.snapshots().get("w", "s").state()).isEqualTo(SnapshotAdmin.INVALID);
            while (job.stepOnce()) {
                // the restore's copy
            }
            assertThat(job.state()).isEqualTo(JobState.DONE);
            byte[] want = filled(16, 0xA);
            System.arraycopy(filled(1, 0xC), 0, want, 8 * TRACK, TRACK);
            byte[] got = new byte[16 * TRACK];
            pool.device("w").read(0, ByteBuffer.wrap(got));
            assertThat(Arrays.equals(got, want)).as("s's image, and the host's write since").isTrue();
        }
    }

    /**
     * Two restores read w@s, w's own and v's; v's ends first. Its end unpinned s although w's
     * restore still read it, so when s then became invalid its saves went back and w's restore
     * could no longer read the tracks it owed.
     */
    @Test
    void theEndOfOneRestoreLeavesTheSavesAnotherStillReads() throws Exception {
        withSnapshotOfW(8, 2); // tracks 0 and 1 saved for s
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            var own = pool.snapshots().restore("w", "s", false, 0);
            var other = pool.snapshots().restore("v", "w@s", false, 0);
            while (other.stepOnce()) {
                // v's restore, to its end
            }
            assertThat(other.state()).isEqualTo(JobState.DONE);
            pool.device("w").write(2L * TRACK, ByteBuffer.wrap(filled(14, 0xC))); // more than the area holds: s invalid
            assertThat(pool.snapshots().get("w", "s").state()).isEqualTo(SnapshotAdmin.INVALID);
            while (own.stepOnce()) {
                // w's restore
            }
            assertThat(own.state()).as("w's restore reads the saves kept for it").isEqualTo(JobState.DONE);
            byte[] got = new byte[2 * TRACK];
            pool.device("w").read(0, ByteBuffer.wrap(got));
            assertThat(Arrays.equals(got, filled(2, 0xA))).as("w's tracks 0 and 1 as s had them").isTrue();
        }
    }
}
