package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/** The pair's state machine as enabled actions: each state allows what PairAdmin allows, and says why not. */
class PairRulesTest {

    private static PairView pair(PairState s, boolean running) {
        JobProgress job = running ? new JobProgress("restore-p", "restore", "p", JobState.RUNNING, 1, 10, 65536, 1e6, 9, 0, "")
                : null;
        return new PairView("p", "prod", "prod-bcv", s, 3, 5, 128, 65536, false, running ? 0.1 : null, 0, job);
    }

    @Test
    void synchronizedAllowsOnlySplit() {
        PairView p = pair(PairState.Synchronized, false);
        assertThat(PairRules.whyNotSplit(p, false)).isEmpty();
        assertThat(PairRules.whyNotEstablish(p, false)).isEqualTo(
                "pair is Synchronized: it is established already; split it to take a point-in-time copy");
        assertThat(PairRules.whyNotRestore(p, false)).isEqualTo(
                "pair is Synchronized: split it first; a restore copies the split BCV back to the STD");
    }

    @Test
    void splitAllowsEstablishAndRestoreButNotSplit() {
        PairView p = pair(PairState.Split, false);
        assertThat(PairRules.whyNotEstablish(p, false)).isEmpty();
        assertThat(PairRules.whyNotRestore(p, false)).isEmpty();
        assertThat(PairRules.whyNotSplit(p, false)).isEqualTo("pair is already Split");
    }

    @Test
    void aRunningRestoreBlocksEverythingWithWaitOrCancel() {
        PairView p = pair(PairState.RestInProg, true);
        assertThat(PairRules.whyNotSplit(p, false)).isEqualTo("pair is RestInProg: wait for the restore to finish or cancel it");
        assertThat(PairRules.whyNotEstablish(p, false)).isEqualTo("pair is RestInProg: wait for the restore to finish or cancel it");
        assertThat(PairRules.whyNotRestore(p, false)).startsWith("pair is RestInProg: the restore is running (5 tracks to restore)");
    }

    @Test
    void aRestoreThatStoppedCanBeIssuedAgainToResume() {
        assertThat(PairRules.whyNotRestore(pair(PairState.RestInProg, false), false)).isEmpty();
        assertThat(PairRules.whyNotEstablish(pair(PairState.SyncInProg, false), false)).isEmpty();
    }

    @Test
    void neverEstablishedAllowsOnlyEstablishAndItOverwritesEverything() {
        PairView p = pair(PairState.NeverEstab, false);
        assertThat(PairRules.whyNotEstablish(p, false)).isEmpty();
        assertThat(PairRules.whyNotSplit(p, false)).isEqualTo("pair was never established; establish it first");
        assertThat(PairRules.whyNotRestore(p, false)).startsWith("pair was never established");
        assertThat(PairRules.establishOverwritesAll(p, false)).isTrue();
        assertThat(PairRules.establishOverwritesAll(pair(PairState.Split, false), false)).isFalse();
    }

    @Test
    void anotherRunningActionBlocksAllThree() {
        PairView p = pair(PairState.Split, false);
        assertThat(PairRules.whyNotRestore(p, true)).isEqualTo(PairRules.BUSY);
        assertThat(PairRules.whyNotEstablish(null, false)).isEqualTo("the pair is still loading");
    }

    @Test
    void theArrowFollowsTheCopy() {
        assertThat(PairRules.direction(PairState.RestInProg)).isEqualTo(PairRules.Direction.BCV_TO_STD);
        assertThat(PairRules.direction(PairState.SyncInProg)).isEqualTo(PairRules.Direction.STD_TO_BCV);
        assertThat(PairRules.direction(PairState.Synchronized)).isEqualTo(PairRules.Direction.MIRROR);
        assertThat(PairRules.direction(PairState.Split)).isEqualTo(PairRules.Direction.NONE);
    }
}
