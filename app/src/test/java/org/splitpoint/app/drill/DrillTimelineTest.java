package org.splitpoint.app.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.drill.DrillTimeline.StepState;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pool.Drill;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;

/** The timeline's bookkeeping, the result card's verdicts and the history's rows, without a pool. */
class DrillTimelineTest {

    private static final long S = 1_000_000_000L;

    @Test
    void thePlanIsShownBeforeItRunsAndEachStepIsMarkedAsTheEngineReportsIt() {
        DrillTimeline t = new DrillTimeline(new Drill.Plan("prod", "d2", OfflineReason.REPLACEMENT, LogMode.DATA,
                Duration.ofSeconds(3), Duration.ofSeconds(1)));
        assertThat(t.rows()).extracting(DrillTimeline.Row::name).containsExactly("offline", "replacement", "writes",
                "second failure", "writes", "online", "resync", "rebuild", "replace", "verify");
        assertThat(t.rows()).allMatch(r -> r.state() == StepState.PENDING);

        t.began("offline", "d2 OFFLINE", 10 * S);
        t.began("replacement", "", 11 * S);
        t.tick(12 * S, "");
        assertThat(t.running().name()).isEqualTo("replacement");
        assertThat(t.running().seconds()).isEqualTo(1.0);
        assertThat(t.rows().get(0)).extracting(DrillTimeline.Row::state, DrillTimeline.Row::seconds)
                .containsExactly(StepState.DONE, 1.0);
        t.began("writes", "w", 12 * S);
        t.began("second failure", "d1 FAILED", 13 * S);
        t.began("writes", "on", 13 * S);
        t.began("online", "o", 15 * S);
        t.began("resync", "r", 15 * S);
        t.began("replace", "d1 replaced", 16 * S); // no whole rebuild of d2 was needed
        assertThat(t.rows().get(7)).extracting(DrillTimeline.Row::name, DrillTimeline.Row::state)
                .containsExactly("rebuild", StepState.SKIPPED);
        assertThat(t.rows().get(8).startSeconds()).isEqualTo(6.0);
        t.began("checking", "not foreseen", 17 * S);
        assertThat(t.rows().get(9).name()).as("inserted where it happened").isEqualTo("checking");
        assertThat(t.rows().get(10)).extracting(DrillTimeline.Row::name, DrillTimeline.Row::state)
                .containsExactly("verify", StepState.PENDING);

        t.failed(18 * S, "I/O error: gone");
        assertThat(t.rows().get(9)).extracting(DrillTimeline.Row::state, DrillTimeline.Row::live)
                .containsExactly(StepState.FAILED, "I/O error: gone");
    }

    /**
     * A second failure due during the firmware steps comes before the engine's "writes" step (the writes
     * run from the window's start beside the steps): the planned first "writes" row was marked "did not
     * happen" while the header counted 1,005 writes (a GUI pass). It is done, saying the writes went on
     * beside the steps; the second "writes" row takes the engine's step.
     */
    @Test
    void theWritesPassedOverByAnEarlySecondFailureWentOnBesideTheSteps() {
        DrillTimeline t = new DrillTimeline(new Drill.Plan("prod", "d2", OfflineReason.FIRMWARE, LogMode.POINTERS,
                Duration.ofSeconds(10), Duration.ofSeconds(1)));
        t.began("offline", "d2 OFFLINE", 10 * S);
        t.began("firmware", "download", 10 * S);
        t.began("second failure", "d1 FAILED", 11 * S);
        t.began("writes", "w", 13 * S);
        assertThat(t.rows().get(2)).extracting(DrillTimeline.Row::name, DrillTimeline.Row::state, DrillTimeline.Row::detail)
                .containsExactly("writes", StepState.DONE, "writes began with the window and went on beside the steps");
        assertThat(t.running().name()).isEqualTo("writes");
        assertThat(t.rows()).noneMatch(r -> r.state() == StepState.SKIPPED);
    }

    /**
     * Without test data (Write test data unticked) the plan said the drill would write random 16 KiB
     * blocks and read them back, which it does not: the hosts' own writes fill the window, as the
     * engine's step says ("the hosts' own writes while d2 is out (the drill writes nothing)").
     */
    /** A window ended early: its "ended early" moment is inserted DONE, the writes before it DONE, nothing RUNNING until online. */
    @Test
    void anEarlyEndIsAMomentNotARunningStep() {
        DrillTimeline t = new DrillTimeline(new Drill.Plan("prod", "d2", OfflineReason.RESET, LogMode.POINTERS,
                Duration.ofSeconds(300), null));
        t.began("offline", "d2 OFFLINE", 10 * S);
        t.began("reset", "", 11 * S);
        t.began("writes", "", 12 * S);
        t.began(Drill.ENDED_EARLY, "the window was ended at the administrator's request 3.0 s after d2 went OFFLINE", 14 * S);
        assertThat(t.rows()).extracting(DrillTimeline.Row::name).containsSubsequence("writes", Drill.ENDED_EARLY, "online");
        DrillTimeline.Row ended = t.rows().stream().filter(r -> r.name().equals(Drill.ENDED_EARLY)).findFirst().orElseThrow();
        assertThat(ended.state()).isEqualTo(StepState.DONE);
        assertThat(ended.detail()).startsWith("the window was ended at the administrator's request");
        assertThat(t.running()).as("nothing runs between the end and online").isNull();
        t.began("online", "", 15 * S);
        assertThat(t.running().name()).isEqualTo("online");
        assertThat(t.rows()).filteredOn(r -> r.name().equals(Drill.ENDED_EARLY)).singleElement()
                .extracting(DrillTimeline.Row::state).isEqualTo(StepState.DONE);
    }

    @Test
    void aPlanWithoutTestDataSaysTheHostsWriteAndNothingIsReadBack() {
        DrillTimeline t = new DrillTimeline(new Drill.Plan("prod", "d2", OfflineReason.FIRMWARE, LogMode.POINTERS,
                Duration.ofSeconds(5), null, false));
        assertThat(t.rows().get(2).detail()).isEqualTo("the hosts' own writes for 5 s from the window's start; the drill"
                + " writes nothing");
        assertThat(t.rows().get(5).detail()).isEqualTo("parity or mirrors are checked");
        DrillTimeline withData = new DrillTimeline(new Drill.Plan("prod", "d2", OfflineReason.FIRMWARE, LogMode.POINTERS,
                Duration.ofSeconds(5), null, true));
        assertThat(withData.rows().get(2).detail()).isEqualTo("random 16 KiB writes from the window's start, 5 s in all;"
                + " each block is read back at the end");
        assertThat(withData.rows().get(5).detail()).isEqualTo("the blocks written are read back; parity or mirrors are checked");
    }

    @Test
    void theEnginesTimelineReplacesTheLiveOneAtTheEnd() {
        DrillTimeline t = new DrillTimeline(new Drill.Plan("prod", "d2", OfflineReason.RESET, LogMode.POINTERS,
                Duration.ofSeconds(1), null));
        Instant t0 = Instant.parse("2026-12-02T05:00:00Z");
        t.finished(result(t0, List.of(new Drill.Step("offline", t0, t0.plusMillis(20), "x"),
                new Drill.Step("reset", t0.plusMillis(20), t0.plusMillis(520), "reset done"))));
        assertThat(t.rows()).extracting(DrillTimeline.Row::name, DrillTimeline.Row::startSeconds, DrillTimeline.Row::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("offline", 0.0, StepState.DONE),
                        org.assertj.core.groups.Tuple.tuple("reset", 0.02, StepState.DONE));
    }

    @Test
    void theVerdictIsTheEnginesSeverity() {
        Instant t0 = Instant.now();
        assertThat(DrillFigures.of(result(t0, List.of())).verdict().word()).isEqualTo("PASSED");
        Drill.Result lostPointers = new Drill.Result("prod", "d2", OfflineReason.FIRMWARE, LogMode.POINTERS, t0, 10, 64,
                0.1, 0.64, 100, 1_638_400, 0, 0, 32768, 2, 0, "d1", null, List.of());
        DrillFigures f = DrillFigures.of(lostPointers);
        assertThat(f.verdict().word()).isEqualTo("LOSS AS PREDICTED");
        assertThat(f.figures()).filteredOn(x -> x.id().equals("figLost")).singleElement()
                .extracting(DrillFigures.Figure::value).isEqualTo("32 KiB (32,768 bytes, 2 tracks)");
        Drill.Result lostRepository = new Drill.Result("prod", "d2", OfflineReason.FIRMWARE, LogMode.REPOSITORY, t0, 10, 64,
                0.1, 0.64, 100, 1_638_400, 0, 0, 32768, 2, 0, "d1", null, List.of());
        assertThat(DrillFigures.of(lostRepository).verdict().word()).isEqualTo("FAILED");
        assertThat(DrillFigures.of(lostRepository).headline()).contains("lost in repository mode, which promises no loss");
    }

    /**
     * A pointers drill on the hosts' writes only whose second failure lost 47 tracks: the card said
     * PASSED, "No acknowledged write was lost", "Bytes lost 0" beside the map's "47 tracks lost" and the
     * volume's TRACKS LOST (seen by hand): the drill had written no byte of its own to lose.
     */
    @Test
    void theHostsTracksASecondFailureTookAreALossAsPredicted() {
        Drill.Result r = new Drill.Result("prod", "d1", OfflineReason.FIRMWARE, LogMode.POINTERS, Instant.now(), 0, 1024,
                0.03, 0, 0, 0, 0, 0, 0, 47, 0, "d2", null, List.of(), false, 47, 3_000_000);
        DrillFigures f = DrillFigures.of(r);
        assertThat(f.verdict().word()).isEqualTo("LOSS AS PREDICTED");
        assertThat(f.headline()).isEqualTo("The second failure cost 47 tracks the hosts wrote in the window, as pointers"
                + " mode says it would; reads of them fail until they are written whole or restored.");
        assertThat(f.figures()).filteredOn(x -> x.id().equals("figLost")).singleElement()
                .extracting(DrillFigures.Figure::value).isEqualTo("47 tracks of the hosts' writes");
    }

    @Test
    void aRepositoryReplayIsMeasuredAgainstAFullRebuildAndAMissedSecondFailureIsSaid() {
        // the engine counts a replay in member-row tracks, the rows its writes changed
        Drill.Result replayed = new Drill.Result("prod", "d2", OfflineReason.FIRMWARE, LogMode.REPOSITORY, Instant.now(),
                582, 1024, 23.4, 13.7, 2573, 42_000_000, 0, 0, 0, 0, 0, null, null, List.of());
        Drill.Plan plan = new Drill.Plan("prod", "d2", OfflineReason.FIRMWARE, LogMode.REPOSITORY, Duration.ofSeconds(5),
                Duration.ofSeconds(2));
        DrillFigures f = DrillFigures.of(replayed, plan);
        assertThat(f.figures()).extracting(DrillFigures.Figure::key, DrillFigures.Figure::value).contains(
                org.assertj.core.groups.Tuple.tuple("Tracks replayed", "582 of 1,024 · 56.8% of a full rebuild"),
                org.assertj.core.groups.Tuple.tuple("Resync time", "23.4 s vs ~13.7 s for a full rebuild (slower)"));
        assertThat(f.resyncFraction()).isEqualTo(582 / 1024.0);
        assertThat(f.headline()).contains("only the window's writes were replayed: 56.8% of a full rebuild's tracks")
                .endsWith("The second failure asked for did not happen.");
        assertThat(f.figures()).filteredOn(x -> x.id().equals("figSecond")).singleElement()
                .extracting(DrillFigures.Figure::value).asString().isEqualTo("did not happen: the window closed before it was due");
    }

    @Test
    void theHistoryListsFinishedDrillsNewestFirstOnce() {
        DrillHistory h = new DrillHistory();
        Event start = Event.info("DRILL", "prod", "drill started on prod/d2: firmware, pointers log");
        Event one = new Event(Instant.parse("2026-12-02T05:00:00Z"), org.splitpoint.engine.event.Severity.INFO, "DRILL",
                "prod", "drill on prod/d2 (firmware, pointers): 3 of 64 tracks resynced (4.69% of a full rebuild)");
        Event two = new Event(Instant.parse("2026-12-02T05:01:00Z"), org.splitpoint.engine.event.Severity.WARNING, "DRILL",
                "prod", "drill on prod/d1 (reset, pointers, second failure of d2): 9 of 64 tracks resynced");
        h.add(List.of(start, one, Event.info("DRIVE_STATE", "d2", "drive d2 OFFLINE")));
        h.add(List.of(two, one));
        assertThat(h.rows()).extracting(DrillHistory.Row::title).containsExactly(
                "drill on prod/d1 (reset, pointers, second failure of d2)", "drill on prod/d2 (firmware, pointers)");
        assertThat(h.rows().get(0).look().word()).isEqualTo("LOSS AS PREDICTED");
        assertThat(h.rows().get(1).figures()).isEqualTo("3 of 64 tracks resynced (4.69% of a full rebuild)");
    }

    /**
     * A repository drill showed 97 tracks in its delta and 137 replayed: the delta is counted as the
     * drive comes back, the repository takes the hosts' writes on during the return and replays them too.
     * The card and the event say so, so the two counts cannot be read as one.
     */
    @Test
    void tracksReplayedBeyondTheDeltaAreSaidToBeTheHostsWritesDuringTheReturn() {
        Drill.Result r = new Drill.Result("prod", "d2", OfflineReason.RESET, LogMode.REPOSITORY, Instant.now(), 137, 1024,
                0.4, 3.0, 0, 0, 0, 0, 0, 0, 0, null, null, List.of(), false, 97, 97L << 16);
        DrillFigures card = DrillFigures.of(r);
        assertThat(card.figures()).filteredOn(x -> x.id().equals("figResynced")).singleElement()
                .extracting(DrillFigures.Figure::value).asString().isEqualTo("137 of 1,024 · 13.4% of a full rebuild"
                        + " (97 in the delta as d2 came back, 40 written by the hosts during the return)");
        assertThat(r.summary()).contains("137 of 1024 tracks resynced (97 in the delta as d2 came back, 40 written by the"
                + " hosts during the return)");
        Drill.Result same = new Drill.Result("prod", "d2", OfflineReason.RESET, LogMode.REPOSITORY, Instant.now(), 97, 1024,
                0.4, 3.0, 0, 0, 0, 0, 0, 0, 0, null, null, List.of(), false, 97, 97L << 16);
        assertThat(same.resyncedBeyondDelta()).isEmpty();
    }

    @Test
    void aPastDrillThatLostTracksIsNotListedAsPassed() {
        // a pointers drill whose second failure took 70 tracks the hosts wrote, its test data intact:
        // the card said LOSS AS PREDICTED while the list said PASSED (its event was INFO, "0 bytes lost")
        Drill.Result r = new Drill.Result("prod", "d2", OfflineReason.RESET, LogMode.POINTERS, Instant.now(), 0, 1024,
                0.11, 0, 40, 655_360, 0, 0, 0, 70, 0, "d1", null, List.of());
        DrillFigures card = DrillFigures.of(r);
        assertThat(card.verdict().word()).isEqualTo("LOSS AS PREDICTED");
        DrillHistory h = new DrillHistory();
        h.add(List.of(new Event(Instant.parse("2026-12-05T22:05:29Z"), r.severity(), "DRILL", "prod", r.summary())));
        assertThat(h.rows().get(0).look().word()).isEqualTo(card.verdict().word());
        assertThat(h.rows().get(0).figures()).contains("0 bytes lost (70 tracks lost)");
        // an event an older engine logged as INFO still says what it lost in its figures
        h.add(List.of(new Event(Instant.parse("2026-12-05T22:06:00Z"), org.splitpoint.engine.event.Severity.INFO, "DRILL",
                "prod", "drill on prod/d3 (reset, pointers, second failure of d1): 0 of 1024 tracks resynced; 0 bytes lost"
                        + " (12 tracks lost); 0 verify mismatches; 0 workload errors")));
        assertThat(h.rows().get(0).look().word()).isEqualTo("LOSS AS PREDICTED");
    }

    /**
     * A window ended early before its planned second failure: the card says so as the administrator's
     * choice, not in amber as a drill gone wrong ("The second failure asked for did not happen").
     */
    @Test
    void aSecondFailureAnEarlyEndForestalledIsSaidAsSuch() {
        Instant t0 = Instant.parse("2026-12-02T05:00:00Z");
        Drill.Plan plan = new Drill.Plan("prod", "d2", OfflineReason.RESET, LogMode.POINTERS, Duration.ofSeconds(60),
                Duration.ofSeconds(30));
        DrillFigures f = DrillFigures.of(result(t0, List.of(new Drill.Step(Drill.ENDED_EARLY, t0.plusSeconds(5),
                t0.plusSeconds(5), "the window was ended at the administrator's request 5.0 s after d2 went OFFLINE"
                + " (60 s planned; the second failure had not come yet)"))), plan);
        assertThat(f.headline()).endsWith(" The window was ended early, before the second failure was due.");
        DrillFigures.Figure second = f.figures().stream().filter(x -> x.id().equals("figSecond")).findFirst().orElseThrow();
        assertThat(second.value()).isEqualTo("did not happen: the window was ended before it was due");
        assertThat(second.tone()).isEqualTo(org.splitpoint.app.common.StateLook.Tone.IDLE);
        assertThat(f.figures()).filteredOn(x -> x.id().equals("figWindow")).singleElement()
                .extracting(DrillFigures.Figure::value).isEqualTo("Ended at the administrator's request 5.0 s after d2 went"
                        + " OFFLINE (60 s planned; the second failure had not come yet)");
        // without an early end, as before
        DrillFigures planned = DrillFigures.of(result(t0, List.of()), plan);
        assertThat(planned.headline()).endsWith(" The second failure asked for did not happen.");
    }

    private static Drill.Result result(Instant t0, List<Drill.Step> steps) {
        return new Drill.Result("prod", "d2", OfflineReason.RESET, LogMode.POINTERS, t0, 3, 64, 0.05, 1.07, 40, 655_360,
                0, 0, 0, 0, 0, null, null, steps);
    }
}
