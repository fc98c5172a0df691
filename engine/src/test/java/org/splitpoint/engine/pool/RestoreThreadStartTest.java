package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;

/**
 * An instant restore from a backup whose copy's thread cannot start (OutOfMemoryError: unable to
 * create native thread) after the restore is in place: it cannot be taken back (the journal's
 * entries before its new base are gone, a FAILED volume's blank drives need it), so the caller is
 * told in one sentence that it is in place and resumes at the next opening, and no job is left
 * listed as running that never will.
 */
class RestoreThreadStartTest {

    static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    private static void assertServesTheBackupWithNoJobThatNeverRuns(Pool p, byte[] model) throws Exception {
        assertThat(p.jobs()).as("no job listed as running that never runs").allMatch(j -> j.state().isFinished());
        byte[] got = new byte[model.length];
        p.device("v").read(0, ByteBuffer.wrap(got));
        assertThat(got).as("the backup's bytes, read on demand").isEqualTo(model);
    }

    private static void assertResumesAndEndsAtTheNextOpening(Path dir, byte[] model) throws Exception {
        try (Pool p = Pool.open(dir)) {
            for (var j : p.jobs()) {
                assertThat(j.await(30_000)).isTrue();
            }
            assertThat(p.instantRestores().restoreOf("v")).as("the restore resumed and ended").isNull();
            byte[] got = new byte[model.length];
            p.device("v").read(0, ByteBuffer.wrap(got));
            assertThat(got).isEqualTo(model);
        }
    }

    @Test
    void aRestoreWhoseCopyCannotStartSaysSoAndResumesAtTheNextOpening() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 4L << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 7, true);
        try (Pool p = Pool.open(dir)) {
            // the job's thread alone: the event bus's may be made first
            Throwable failed = NoNewThread.refusing(true, () -> p.instantRestores().restore("v", store, null, false, 0));
            assertThat(failed).as("the restore's start failed").isInstanceOf(PoolException.class)
                    .hasMessageContaining("restore of v").hasMessageContaining("resumes when the pool is next opened");
            assertServesTheBackupWithNoJobThatNeverRuns(p, model);
        }
        assertThat(org.splitpoint.engine.event.EventBus.readLog(dir.resolve("meta/events.jsonl"), 500))
                .as("said in the event log, as a copy that fails is").anyMatch(e -> e.message().contains("could not start"));
        assertResumesAndEndsAtTheNextOpening(dir, model);
    }

    /**
     * The same restore, resumed at an opening whose copy's thread cannot start: the open failed with the Error (the
     * start was outside any catch), so the pool could not be opened at all while threads were short, not even to
     * read the volume. It now opens, serves the backup's bytes, says in a note that the copy did not start, lists no
     * job that never runs, and the copy resumes at the next opening.
     */
    @Test
    void aRestoreWhoseCopyCannotStartAtOpenLeavesThePoolOpenAndSaysSo() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 4L << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 7, true);
        try (Pool p = Pool.open(dir)) {
            NoNewThread.refusing(true, () -> p.instantRestores().restore("v", store, null, false, 0));
        }
        Throwable failed = NoNewThread.refusing(true, () -> {
            try (Pool p = Pool.open(dir)) {
                assertThat(p.openNotes()).as("said at open").anyMatch(n -> n.contains("restore of v")
                        && n.contains("could not start") && n.contains("resumes when the pool is next opened"));
                assertServesTheBackupWithNoJobThatNeverRuns(p, model);
            }
        });
        assertThat(failed).as("the open and the close").isNull();
        assertResumesAndEndsAtTheNextOpening(dir, model);
    }

    /**
     * pool status's line for a restore whose copy does not run said "tracks damaged in the backup" whatever stopped
     * it: here its copy's thread could not start, and no track of the backup is damaged.
     */
    @Test
    void aStoppedRestoreSaysWhatStoppedIt() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 4L << 20, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 7, true);
        try (Pool p = Pool.open(dir)) {
            NoNewThread.refusing(true, () -> p.instantRestores().restore("v", store, null, false, 0));
            PoolSnapshot s = p.snapshot();
            PoolSnapshot.VolumeView v = s.volume("v");
            assertThat(s.restoreStopped(v)).isTrue();
            assertThat(s.restoreStoppedLine(v)).startsWith("the restore of v is stopped (")
                    .contains("could not start", "unable to create native thread").doesNotContain("damaged");
        }
    }
}
