package org.splitpoint.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;

/** What a job's row says about its progress. */
class JobRowTest {

    private static JobRow row(JobProgress p) {
        return new JobRow(p, new JobThrottle(null, new ActionStatus()));
    }

    /**
     * A firmware update's steps are timed and move no bytes (their job has no bytes per unit): the
     * row read "5.5% · 0.0 MB/s · ETA --:-- · 11/200 tracks", a rate and an ETA it never has, and
     * its 20 ms ticks counted as tracks; then "45.0% · timed step, no data moves", where its history
     * line says "4 of 4 steps": it says the steps it finished, as that line does.
     */
    @Test
    void aStepThatMovesNoBytesShowsItsPercentAndStepsWithoutARateOrTracks() {
        JobRow r = row(new JobProgress("firmware-d6", "firmware", "d6", JobState.RUNNING, 90, 200, 0, 0, -1, 0, "", 0, 1, 4));
        assertThat(r.lineProperty().get()).isEqualTo("45.0% · 1 of 4 steps · no data moves");
        r.update(new JobProgress("firmware-d6", "firmware", "d6", JobState.PAUSED, 90, 200, 0, 0, -1, 0, "", 0, 1, 4));
        assertThat(r.lineProperty().get()).isEqualTo("45.0% · 1 of 4 steps · PAUSED");
        assertThat(r.movesBytes()).as("no speed limit offered").isFalse();
    }

    @Test
    void aCopyShowsItsRateEtaAndTracks() {
        JobRow r = row(new JobProgress("restore-p1", "restore", "p1", JobState.RUNNING, 100, 1000, 65536, 2e6, 30, 0, ""));
        assertThat(r.lineProperty().get()).isEqualTo("10.0% · 2.0 MB/s · ETA 0:30 · 100/1,000 tracks");
    }

    /** A drive's diagnostics scan reads a mebibyte a step: its row counted them as "tracks". */
    @Test
    void aDiagnosticsScanCountsMebibytesRead() {
        JobRow r = row(new JobProgress("diagnostics-d2", "diagnostics", "d2", JobState.RUNNING, 512, 2048, 1 << 20, 2e8, 8,
                0, "", 0, 0, 0, "MiB"));
        assertThat(r.lineProperty().get()).isEqualTo("25.0% · 200 MB/s · ETA 0:08 · 512/2,048 MiB");
    }
}
