package org.splitpoint.app.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;

/**
 * The status bar's line of the last action: "Restoring prod to snap-1: 12 tracks to copy back…"
 * stayed at the bar's right end after the restore had ended (done or cancelled), reading as if it
 * still ran. A started restore's line goes when its job ends; an older job's end does not clear it.
 */
class ActionStatusTest {

    private static JobProgress job(String id, JobState state) {
        return new JobProgress(id, "snapshot-restore", "prod", state, 0, 10, 65536, 0, 0, 0, "");
    }

    @Test
    void aStartedRestoresLineClearsWhenItsJobEnds() {
        ActionStatus status = new ActionStatus();
        status.succeededWhileRunning("Restoring prod to snap-1: 10 tracks to copy back", "snapshot-restore", "prod", null);
        status.jobs(List.of(job("j1", JobState.DONE))); // a sample from before: an earlier restore's job, ended
        assertThat(status.messageProperty().get()).endsWith("Restoring prod to snap-1: 10 tracks to copy back");

        status.jobs(List.of(job("j1", JobState.DONE), job("j2", JobState.RUNNING)));
        assertThat(status.messageProperty().get()).contains("Restoring prod");

        status.jobs(List.of(job("j1", JobState.DONE), job("j2", JobState.CANCELLED)));
        assertThat(status.messageProperty().get()).isEmpty();
        assertThat(status.kindProperty().get()).isEqualTo(ActionStatus.Kind.NONE);
    }

    @Test
    void aRestoreThatEndedBetweenTwoSamplesClearsToo() {
        ActionStatus status = new ActionStatus();
        status.succeededWhileRunning("Restoring prod to snap-1: 10 tracks to copy back", "snapshot-restore", "prod", null);
        status.jobs(List.of());
        status.jobs(List.of(job("j2", JobState.DONE)));
        assertThat(status.messageProperty().get()).isEmpty();
    }

    /** A restore of a few tracks can end before the window's next sample: its id tells it from older ones. */
    @Test
    void aRestoreThatEndedBeforeTheFirstSampleClears() {
        ActionStatus status = new ActionStatus();
        status.succeededWhileRunning("Restoring prod to snap-1: 10 tracks to copy back", "snapshot-restore", "prod", "j2");
        // the first sample after the start: an earlier restore's job and this one, both ended
        status.jobs(List.of(job("j1", JobState.DONE), job("j2", JobState.DONE)));
        assertThat(status.messageProperty().get()).isEmpty();
    }

    @Test
    void aFollowedJobGoneFromTheListAfterItRanClears() {
        ActionStatus status = new ActionStatus();
        status.succeededWhileRunning("Restoring prod to snap-1: 10 tracks to copy back", "snapshot-restore", "prod", "j2");
        status.jobs(List.of(job("j2", JobState.RUNNING)));
        assertThat(status.messageProperty().get()).contains("Restoring prod");
        status.jobs(List.of());
        assertThat(status.messageProperty().get()).isEmpty();
    }

    @Test
    void aLaterActionsLineIsNotCleared() {
        ActionStatus status = new ActionStatus();
        status.succeededWhileRunning("Restoring prod to snap-1: 10 tracks to copy back", "snapshot-restore", "prod", null);
        status.jobs(List.of(job("j2", JobState.RUNNING)));
        status.succeeded("Split prod-pair");
        status.jobs(List.of(job("j2", JobState.DONE)));
        assertThat(status.messageProperty().get()).endsWith("Split prod-pair");
    }

    /** A line that says a state follows each newer state until another line takes its place. */
    @Test
    void aStateLineFollowsEachNewerStateAndNotTheOneItSaid() {
        ActionStatus status = new ActionStatus();
        javafx.beans.property.SimpleStringProperty state = new javafx.beans.property.SimpleStringProperty("SplitInProg");
        status.succeededWhileState("Pair p is Split", state, "Split", s -> "Pair p is now " + s);
        state.set("Split"); // the state the line says, reached after it was written
        assertThat(status.messageProperty().get()).endsWith("  Pair p is Split");
        state.set("SyncInProg");
        assertThat(status.messageProperty().get()).endsWith("  Pair p is now SyncInProg");
        state.set("Synchronized");
        assertThat(status.messageProperty().get()).endsWith("  Pair p is now Synchronized");

        status.failed("volume db: no such volume");
        state.set("Split");
        assertThat(status.messageProperty().get()).endsWith("volume db: no such volume");
    }
}
