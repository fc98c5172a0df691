package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pair.PairState;

/**
 * {@code splitpoint job list|pause|resume|cancel|throttle}: on the persisted job of a pool nobody
 * holds, and forwarded to the process that holds the pool (issue 8, item 16).
 */
class JobCommandTest {

    @TempDir
    Path tmp;
    Path pool;
    byte[] bcvImage;

    /** A split pair with 384 of its 512 tracks written on the STD since the split, and a restore left pending. */
    @BeforeEach
    void pendingRestore() throws Exception {
        pool = tmp.resolve("p");
        CliRun.of("pool", "create", pool, "--drives", 6, "--drive-size", "16M");
        CliRun.of("volume", "create", pool, "prod", "--layout", "raid5", "--drives", "d1,d2,d3");
        CliRun.of("volume", "create", pool, "copy", "--layout", "raid5", "--drives", "d4,d5,d6");
        CliRun.of("pair", "create", pool, "p1", "--std", "prod", "--bcv", "copy");
        bcvImage = new byte[32 << 20];
        new Random(7).nextBytes(bcvImage);
        assertThat(CliRun.of("volume", "write", pool, "prod", "--offset", 0, "--in",
                Files.write(tmp.resolve("a.bin"), bcvImage)).code()).isZero();
        assertThat(CliRun.of("pair", "establish", pool, "p1").code()).isZero();
        assertThat(CliRun.of("pair", "split", pool, "p1").code()).isZero();
        byte[] b = new byte[24 << 20];
        new Random(8).nextBytes(b);
        assertThat(CliRun.of("volume", "write", pool, "prod", "--offset", 0, "--in",
                Files.write(tmp.resolve("b.bin"), b)).code()).isZero();
        CliRun r = CliRun.of("pair", "restore", pool, "p1", "--no-wait", "--throttle", 1, "--yes");
        assertThat(r.code()).as(r.err()).isZero();
    }

    private JsonNode pair() throws Exception {
        return Json.MAPPER.readTree(CliRun.of("pair", "query", pool, "p1", "--json").out()).get(0);
    }

    private JsonNode jobs() throws Exception {
        CliRun r = CliRun.of("job", "list", pool, "--json");
        assertThat(r.code()).as(r.err()).isZero();
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    void listShowsThePersistedCopy() throws Exception {
        CliRun text = CliRun.of("job", "list", pool);
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("ID", "KIND", "TARGET", "STATE", "PROGRESS", "restore-p1", "restore", "p1",
                "RUNNING", "0/384 tracks");
        JsonNode j = jobs().get(0);
        assertThat(j.get("id").asText()).isEqualTo("restore-p1");
        assertThat(j.get("kind").asText()).isEqualTo("restore");
        assertThat(j.get("target").asText()).isEqualTo("p1");
        assertThat(j.get("state").asText()).isEqualTo("RUNNING");
        assertThat(j.get("totalTracks").asLong()).isEqualTo(384);
        assertThat(j.get("throttle").asLong()).isEqualTo(1_000_000);
        assertThat(j.get("line").asText()).contains("restore p1");
    }

    @Test
    void poolStatusSaysThatAJobNoProcessRunsWaitsForAHolder() throws Exception {
        // the state a killed serve leaves: a persisted restore job no process runs, shown at 0.0 MB/s
        CliRun status = CliRun.of("pool", "status", pool);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("job restore-p1: restore p1", "no process holds the pool: the jobs continue when one does");
    }

    @Test
    void aPauseIsRecordedSoTheJobStaysPausedWhenAProcessRunsItLater() throws Exception {
        CliRun pause = CliRun.of("job", "pause", pool, "restore-p1");
        assertThat(pause.code()).as(pause.err()).isZero();
        assertThat(pause.out()).contains("job restore-p1 is PAUSED");
        assertThat(jobs().get(0).get("state").asText()).isEqualTo("PAUSED");
        CliRun w = CliRun.of("wait", pool);
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(w.err()).contains("job restore-p1 is paused");
        assertThat(pair().get("bcvInvalidTracks").asLong()).as("nothing was copied while paused").isEqualTo(384);
        assertThat(CliRun.of("job", "pause", pool, "restore-p1").err()).contains("already PAUSED");

        assertThat(CliRun.of("job", "resume", pool, "restore-p1").code()).isZero();
        assertThat(CliRun.of("job", "throttle", pool, "restore-p1", 0).code()).isZero();
        w = CliRun.of("wait", pool);
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(w.err()).contains("restore p1: DONE");
        assertThat(pair().get("state").asText()).isEqualTo(PairState.Restored.name());
        Path out = tmp.resolve("out.bin");
        CliRun.of("volume", "read", pool, "prod", "--offset", 0, "--length", bcvImage.length, "--out", out);
        assertThat(Files.readAllBytes(out)).isEqualTo(bcvImage);
    }

    /**
     * A resumed job (here the persisted restore, run by 'wait') has no rate until its first step in
     * this process: its first progress line read "0.0 MB/s ... ETA --:--", as if it were stuck.
     */
    @Test
    void aResumedJobsFirstProgressLineSaysStartingNotZeroMegabytesPerSecond() throws Exception {
        assertThat(CliRun.of("job", "throttle", pool, "restore-p1", 0).code()).isZero();
        CliRun w = CliRun.of("wait", pool);
        assertThat(w.code()).as(w.err()).isZero();
        String first = w.err().lines().filter(l -> l.startsWith("restore p1 ")).findFirst().orElseThrow();
        assertThat(first).as(w.err()).contains("0/384 tracks  starting").doesNotContain("0.0 MB/s", "ETA --:--");
    }

    @Test
    void aThrottleIsRecorded() throws Exception {
        CliRun r = CliRun.of("job", "throttle", pool, "restore-p1", "2.5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("2.5 MB/s");
        assertThat(jobs().get(0).get("throttle").asLong()).isEqualTo(2_500_000);
        assertThat(CliRun.of("job", "throttle", pool, "restore-p1", "0.0000001").code()).isEqualTo(2);
    }

    @Test
    void cancellingARestoreWithoutATerminalNeedsYes() throws Exception {
        Map<String, String> before = CliRun.fingerprint(pool);
        CliRun refused = CliRun.of("job", "cancel", pool, "restore-p1");
        assertThat(refused.code()).as(refused.err()).isEqualTo(2);
        assertThat(CliRun.oneSentence(refused)).contains("partly restored", "--yes");
        assertThat(CliRun.fingerprint(pool)).isEqualTo(before);

        CliRun cancel = CliRun.of("job", "cancel", pool, "restore-p1", "--yes");
        assertThat(cancel.code()).as(cancel.err()).isZero();
        assertThat(cancel.out()).contains("job restore-p1 is CANCELLED");
        JsonNode q = pair();
        assertThat(q.get("state").asText()).isEqualTo("Split");
        // the tracks not restored hold the STD's own bytes: the STD's changes (CancelledRestoreOwesTheStdTest)
        assertThat(q.get("stdInvalidTracks").asLong()).isEqualTo(384);
        assertThat(q.get("bcvInvalidTracks").asLong()).isZero();
        assertThat(CliRun.of("job", "list", pool).out()).contains("no jobs");
        CliRun w = CliRun.of("wait", pool);
        assertThat(w.out()).contains("no background jobs");
    }

    /** A restore to a snapshot, cancelled, leaves its volume a mix as a pair's restore does: it was cancelled unasked. */
    @Test
    void cancellingARestoreToASnapshotWithoutATerminalNeedsYes() throws Exception {
        Path snaps = tmp.resolve("s");
        for (CliRun r : java.util.List.of(
                CliRun.of("pool", "create", snaps, "--drives", 4, "--drive-size", "4M"),
                CliRun.of("volume", "create", snaps, "v", "--layout", "raid1", "--drives", "d1,d2"),
                CliRun.of("volume", "create", snaps, "save", "--layout", "raid1", "--drives", "d3,d4"),
                CliRun.of("snapshot", "save-area", snaps, "save", "--yes"),
                CliRun.of("snapshot", "create", snaps, "v", "before"),
                CliRun.of("volume", "write", snaps, "v", "--offset", 0, "--in", Files.write(tmp.resolve("c.bin"),
                        new byte[1 << 20])),
                CliRun.of("snapshot", "restore", snaps, "v", "before", "--no-wait", "--throttle", 1, "--yes"))) {
            assertThat(r.code()).as(r.err()).isZero();
        }
        Map<String, String> before = CliRun.fingerprint(snaps);
        CliRun refused = CliRun.of("job", "cancel", snaps, "snapshot-restore-v");
        assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(2);
        assertThat(CliRun.oneSentence(refused)).contains("leaves volume v partly restored (0 of 16 tracks)", "--yes");
        Map<String, String> after = CliRun.fingerprint(snaps);
        before.remove("meta/events.jsonl"); // the open logs the pending restore's resumption
        after.remove("meta/events.jsonl");
        assertThat(after).isEqualTo(before);

        CliRun cancel = CliRun.of("job", "cancel", snaps, "snapshot-restore-v", "--yes");
        assertThat(cancel.code()).as(cancel.err()).isZero();
        assertThat(cancel.out()).contains("job snapshot-restore-v is CANCELLED");
    }

    @Test
    void anUnknownJobIsRefusedWithTheJobsThereAre() throws Exception {
        CliRun r = CliRun.of("job", "pause", pool, "restore-p2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(r)).contains("no job 'restore-p2'", "jobs: restore-p1");
    }

    @Test
    void helpSaysACancelledRestoreLeavesAPartlyRestoredStd() {
        CliRun r = CliRun.of("job", "cancel", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--yes", "partly restored");
    }

    @Test
    void jobCommandsAreCarriedOutByTheHolder() throws Exception {
        try (Holder h = new Holder(pool)) {
            var job = h.pool.job("restore-p1");
            assertThat(CliRun.of("job", "pause", pool, "restore-p1").code()).isZero();
            assertThat(job.state()).isEqualTo(JobState.PAUSED);
            assertThat(CliRun.of("job", "list", pool).out()).contains("restore-p1", "PAUSED");
            assertThat(CliRun.of("job", "resume", pool, "restore-p1").code()).isZero();
            assertThat(job.state()).isEqualTo(JobState.RUNNING);
            CliRun cancel = CliRun.of("job", "cancel", pool, "restore-p1", "--yes");
            assertThat(cancel.code()).as(cancel.err()).isZero();
            assertThat(job.state()).isEqualTo(JobState.CANCELLED);
            assertThat(h.pool.pairs().get("p1").state()).isEqualTo(PairState.Split);
        }
    }
}
