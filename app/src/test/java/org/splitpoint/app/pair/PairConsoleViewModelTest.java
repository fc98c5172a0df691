package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.pair.PairState;

/** The pair console's model against a real pool, no toolkit: enabled verbs, confirmations, progress, throttle, samples. */
class PairConsoleViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private PoolBridge bridge;
    private PairConsoleViewModel vm;

    @BeforeEach
    void open() throws Exception {
        bridge = PoolBridge.open(TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE), new CurrentThreadTaskExecutor(), ui);
        vm = new PairConsoleViewModel(bridge, status, new Expectations(), "prod-pair");
        bridge.onPairs(vm::apply);
        bridge.onSnapshot(vm::apply);
        refresh();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private void refresh() {
        bridge.refresh();
        ui.drain();
    }

    /** Runs {@code c} with the pool and returns its result (the executor runs it here; the answer comes via the UI). */
    private <T> T call(org.splitpoint.app.bridge.EngineCall<T> c) {
        java.util.concurrent.atomic.AtomicReference<T> out = new java.util.concurrent.atomic.AtomicReference<>();
        bridge.run(c, out::set, why -> { throw new AssertionError(why); });
        ui.drain();
        return out.get();
    }

    private void writeTracks(int from, int count) {
        bridge.run(pool -> {
            pool.device("prod").write(from * 65536L, ByteBuffer.allocate(count * 65536));
            return null;
        }, ok -> { }, why -> { throw new AssertionError(why); });
        refresh();
    }

    /** One track of {@code volume} as hosts read it. */
    private byte[] track(int t, String volume) {
        return call(pool -> {
            byte[] b = new byte[65536];
            pool.device(volume).read(t * 65536L, ByteBuffer.wrap(b));
            return b;
        });
    }

    private void awaitState(PairState s) throws InterruptedException {
        assertThat(TestPools.await(Duration.ofSeconds(20), this::refresh, () -> vm.stateProperty().get() == s))
                .as("pair reaches " + s).isTrue();
    }

    @Test
    void splitTurnsSynchronizedIntoSplitAndEnablesRestoreAndEstablish() {
        assertThat(vm.stateProperty().get()).isEqualTo(PairState.Synchronized);
        assertThat(vm.restoreBlockedProperty().get()).startsWith("pair prod-pair is Synchronized: split it first");

        vm.split();
        ui.drain();

        assertThat(vm.stateProperty().get()).isEqualTo(PairState.Split);
        assertThat(vm.splitBlockedProperty().get()).isEqualTo("pair prod-pair is already Split");
        assertThat(vm.restoreBlockedProperty().get()).isEmpty();
        assertThat(vm.establishBlockedProperty().get()).isEmpty();
        assertThat(vm.directionProperty().get()).isEqualTo(PairWords.Direction.NONE);
        assertThat(status.messageProperty().get()).endsWith("Pair prod-pair is Split: prod-bcv holds the point-in-time image");
    }

    @Test
    void aRestoreAsksToTypeTheStdNameAndSaysWhatItOverwrites() {
        vm.split();
        ui.drain();
        writeTracks(10, 3);
        vm.sampleNow();
        ui.drain();

        java.util.concurrent.atomic.AtomicReference<Confirmation> asked = new java.util.concurrent.atomic.AtomicReference<>();
        vm.restoreConfirmation(c -> asked.set(c.getValue()));
        ui.drain();
        Confirmation c = asked.get();
        assertThat(c.target()).isEqualTo("prod");
        assertThat(c.header()).isEqualTo("Overwrite prod with prod-bcv?");
        assertThat(c.sentences().get(0)).startsWith("Restore copies prod-bcv → prod: 3 tracks (192 KiB) of prod");
        assertThat(String.join(" ", c.sentences())).contains("since the split (3 tracks) is lost")
                .contains("With Protect, prod-bcv stays Split and unchanged");
        assertThat(vm.stdInvalidProperty().get()).isEqualTo("3 tracks changed (192 KiB)");
    }

    /**
     * An incremental restore with no track changed on either side since the split overwrites nothing:
     * no name to type (the dialog asked for it over "0 tracks (0 B) of prod are overwritten"), as the
     * CLI's pair restore asks nothing then; a full restore still asks.
     */
    @Test
    void aRestoreThatOverwritesNothingAsksNoName() {
        vm.split();
        ui.drain();
        java.util.concurrent.atomic.AtomicReference<Object> asked = new java.util.concurrent.atomic.AtomicReference<>("not yet");
        vm.restoreConfirmation(c -> asked.set(c == null ? null : c.getValue()));
        ui.drain();
        assertThat(asked.get()).as("the confirmation of a restore of nothing").isNull();
        vm.fullProperty().set(true);
        vm.restoreConfirmation(c -> asked.set(c == null ? null : c.getValue()));
        ui.drain();
        assertThat(asked.get()).as("a full restore's").isInstanceOf(Confirmation.class);
    }

    /** The dialog's counts agree with each other and with what the restore then copies (defect 9). */
    @Test
    void aRestoreCountsTheTracksChangedOnEitherSideOnceAndTheJobCopiesThem() throws Exception {
        vm.split();
        ui.drain();
        writeTracks(10, 3); // STD tracks 10..12
        call(pool -> {
            pool.device("prod-bcv").write(12 * 65536L, ByteBuffer.allocate(2 * 65536)); // BCV tracks 12..13
            return null;
        });
        java.util.concurrent.atomic.AtomicReference<Confirmation> asked = new java.util.concurrent.atomic.AtomicReference<>();
        vm.restoreConfirmation(c -> asked.set(c.getValue()));
        ui.drain();
        String said = String.join(" ", asked.get().sentences());
        assertThat(said).startsWith("Restore copies prod-bcv → prod: 4 tracks (256 KiB) of prod")
                .contains("3 on prod, 2 on prod-bcv, 1 on both").contains("since the split (3 tracks) is lost");
        org.splitpoint.engine.job.Job job = call(pool -> pool.pairs().restore("prod-pair", false, true));
        assertThat(job.progress().totalTracks()).as("the tracks the restore copies").isEqualTo(4);
    }

    /**
     * The status bar said "Pair prod-pair is Split" after an establish made from the CLI through the app
     * (the app holds the pool; the command runs in it, as here through the engine): the line now follows
     * the pair's state as the app learns of it.
     */
    @Test
    void theSplitsStatusLineFollowsThePairEstablishedElsewhere() throws Exception {
        vm.split();
        ui.drain();
        assertThat(status.messageProperty().get()).endsWith("Pair prod-pair is Split: prod-bcv holds the point-in-time image");

        call(pool -> pool.pairs().establish("prod-pair", false));
        awaitState(PairState.Synchronized);
        assertThat(status.messageProperty().get()).matches("\\d\\d:\\d\\d:\\d\\d  Pair prod-pair is now Synchronized");
        assertThat(status.kindProperty().get()).isEqualTo(ActionStatus.Kind.DONE);

        status.started("Splitting prod-pair…"); // another action's line is not followed
        status.succeeded("something else");
        call(pool -> {
            pool.pairs().split(java.util.List.of("prod-pair"));
            return null;
        });
        awaitState(PairState.Split);
        assertThat(status.messageProperty().get()).endsWith("something else");
    }

    /**
     * "Establish of prod-pair started: prod → prod-bcv" stayed at the status bar's end after the copy had
     * ended (seen under X), reading as a copy under way; a restore's line goes when its job ends, and so does this.
     */
    @Test
    void anEstablishsStartedLineGoesWhenTheCopyEnds() throws Exception {
        bridge.onSnapshot(s -> status.jobs(s.jobs())); // as the main window feeds it
        vm.split();
        ui.drain();
        writeTracks(0, 64);
        vm.establish();
        ui.drain();
        assertThat(status.messageProperty().get()).endsWith("Establish of prod-pair started: prod → prod-bcv");
        awaitState(PairState.Synchronized);
        assertThat(TestPools.await(Duration.ofSeconds(10), this::refresh, () -> status.messageProperty().get().isEmpty()))
                .as("the line gone once the establish ended, not '" + status.messageProperty().get() + "'").isTrue();
    }

    /** The pair as the console last showed it, in state {@code st} with no copy job. */
    private java.util.List<org.splitpoint.engine.pool.PairAdmin.PairView> shownAs(PairState st) {
        var p = vm.viewProperty().get();
        return java.util.List.of(new org.splitpoint.engine.pool.PairAdmin.PairView(p.name(), p.std(), p.bcv(), st,
                p.stdInvalidTracks(), p.bcvInvalidTracks(), p.totalTracks(), p.trackSize(), p.isProtected(), null,
                p.onDemandReads(), null, p.sides(), p.splitAt()));
    }

    /**
     * An establish from the CLI through the app that ends between two queries: one query showed the pair
     * SyncInProg before its job was listed, the next Synchronized with the job gone. The copy's line kept
     * "establishing (SyncInProg): the copy is not running; issue the establish again to resume it" under the
     * Synchronized pair (seen under X).
     */
    @Test
    void aNotRunningLineGoesWhenThePairIsSynchronizedByACopyTheConsoleNeverSaw() {
        vm.split();
        ui.drain();
        vm.apply(shownAs(PairState.SyncInProg));
        assertThat(vm.copy().progressTextProperty().get()).startsWith("establishing (SyncInProg): the copy is not running");

        vm.apply(shownAs(PairState.Synchronized));
        assertThat(vm.copy().progressTextProperty().get()).isEqualTo("no copy running");
    }

    /**
     * The CLI asks for the BCV's name only when hosts wrote to the BCV since the split; the app asked for it
     * on every establish of a Split pair. A BCV nobody wrote loses only its point-in-time image: one click,
     * the sentence saying which image (the split's time) is replaced by the STD's current data.
     */
    @Test
    void anIncrementalEstablishOfABcvNobodyWroteIsConfirmedWithOneClickNamingTheImageReplaced() {
        vm.split();
        ui.drain();
        writeTracks(0, 3); // the STD's writes: copied to the BCV, nothing of the BCV's lost
        vm.sampleNow();
        ui.drain();
        Confirmation inc = vm.establishConfirmation();
        assertThat(inc).as("incremental from Split").isNotNull();
        assertThat(inc.asksName()).as("nothing written to the BCV: no name to type").isFalse();
        assertThat(inc.header()).isEqualTo("Replace prod-bcv's point-in-time image with prod's current data?");
        assertThat(inc.sentences().get(0)).startsWith("Establish copies prod → prod-bcv: 3 tracks (192 KiB) of prod-bcv");
        String at = PointInTime.at(java.time.Instant.parse(vm.viewProperty().get().splitAt()));
        assertThat(inc.sentences().get(1)).isEqualTo("The point-in-time image prod-bcv holds since the split (" + at
                + ") is replaced by prod's current data: it can no longer be restored from. Nothing was written to"
                + " prod-bcv since the split, so nothing else is lost.");

        // a full one copies every track and loses no more: one click too (it asked the name), as the CLI asks nothing
        vm.fullProperty().set(true);
        Confirmation c = vm.establishConfirmation();
        assertThat(c.asksName()).as("a full establish of a BCV nobody wrote").isFalse();
        assertThat(c.header()).isEqualTo("Replace prod-bcv's point-in-time image with prod's current data?");
        assertThat(c.sentences().get(0)).isEqualTo(
                "Establish copies prod → prod-bcv: all 1,024 tracks (64 MiB) of prod-bcv are overwritten with the STD's data (full).");
        assertThat(c.sentences().get(1)).startsWith("The point-in-time image prod-bcv holds since the split (" + at);
    }

    /** As the CLI: what hosts wrote to the BCV since the split exists nowhere else, so its name is typed. */
    @Test
    void anIncrementalEstablishOverBcvWritesAsksForTheBcvNameSayingTheWritesLost() {
        vm.split();
        ui.drain();
        call(pool -> {
            pool.device("prod-bcv").write(5 * 65536L, ByteBuffer.allocate(2 * 65536));
            return null;
        });
        refresh();
        vm.sampleNow();
        ui.drain();
        Confirmation inc = vm.establishConfirmation();
        assertThat(inc.asksName()).isTrue();
        assertThat(inc.target()).isEqualTo("prod-bcv");
        assertThat(inc.header()).isEqualTo("Overwrite prod-bcv's point-in-time image with prod?");
        assertThat(inc.sentences().get(1)).startsWith("prod-bcv's point-in-time image, taken at the split, is overwritten")
                .endsWith("what was written to prod-bcv since the split (2 tracks) is lost.");
    }

    /**
     * The one click answered a question over a BCV nobody had written; a host wrote to it before the engine's
     * call: the establish is refused (the engine checks as it starts) and the status bar says so, the pair
     * still Split and the write on the BCV. Asked again, the question is the typed one, whose answer
     * overwrites the write. Before, the one click's establish overwrote it.
     */
    @Test
    void aBcvWriteAfterTheOneClickAnswerIsRefusedNotOverwritten() throws Exception {
        aBcvWriteAfterTheOneClickAnswerIsRefused(false);
    }

    /** As {@link #aBcvWriteAfterTheOneClickAnswerIsRefusedNotOverwritten}, for a full establish (one click too now). */
    @Test
    void aBcvWriteAfterTheOneClickAnswerToAFullEstablishIsRefusedNotOverwritten() throws Exception {
        aBcvWriteAfterTheOneClickAnswerIsRefused(true);
    }

    private void aBcvWriteAfterTheOneClickAnswerIsRefused(boolean full) throws Exception {
        vm.split();
        ui.drain();
        refresh();
        vm.fullProperty().set(full);
        assertThat(vm.establishConfirmation().asksName()).as("the one-click question").isFalse();
        byte[] written = new byte[65536];
        java.util.Arrays.fill(written, (byte) 0x5A);
        call(pool -> { // after the click, before the engine's call
            pool.device("prod-bcv").write(7 * 65536L, ByteBuffer.wrap(written));
            return null;
        });
        vm.establish(org.splitpoint.engine.pool.BcvWrites.REFUSE_IF_ANY);
        ui.drain();
        assertThat(status.kindProperty().get()).isEqualTo(ActionStatus.Kind.ERROR);
        assertThat(status.messageProperty().get()).contains("prod-bcv was written since the split (1 track) and the"
                + " establish of pair prod-pair was not confirmed to overwrite them: nothing was established");
        PairState after = call(pool -> pool.pairs().get("prod-pair").state());
        assertThat(after).isEqualTo(PairState.Split);
        byte[] onBcv = call(pool -> {
            byte[] b = new byte[65536];
            pool.device("prod-bcv").read(7 * 65536L, ByteBuffer.wrap(b));
            return b;
        });
        assertThat(onBcv).as("the host's write to the BCV").isEqualTo(written);
        assertThat(vm.copy().runningProperty().get()).isFalse();

        refresh();
        vm.sampleNow();
        ui.drain();
        assertThat(vm.establishConfirmation().asksName()).as("asked again: the BCV's name").isTrue();
        vm.establish(org.splitpoint.engine.pool.BcvWrites.MAY_BE_OVERWRITTEN); // typed
        ui.drain();
        awaitState(PairState.Synchronized);
    }

    /**
     * A restore asked nothing, no track having changed on either side since the split; a host wrote to the STD
     * before the engine's call: the restore is refused (the engine checks as it starts) and the status bar says
     * so, the pair still Split and the write on the STD. Asked again, the question is the typed one, whose
     * answer overwrites the write. Before, the restore that asked nothing overwrote it with the BCV's image.
     */
    @Test
    void anStdWriteAfterARestoreThatAskedNothingIsRefusedNotOverwritten() throws Exception {
        vm.split();
        ui.drain();
        refresh();
        java.util.concurrent.atomic.AtomicReference<Object> asked = new java.util.concurrent.atomic.AtomicReference<>("not yet");
        vm.restoreConfirmation(c -> asked.set(c == null ? null : c.getValue()));
        ui.drain();
        assertThat(asked.get()).as("nothing to ask").isNull();
        byte[] written = new byte[65536];
        java.util.Arrays.fill(written, (byte) 0x5A);
        call(pool -> { // after the count, before the engine's call
            pool.device("prod").write(7 * 65536L, ByteBuffer.wrap(written));
            return null;
        });
        vm.restore(org.splitpoint.engine.pool.StdWrites.REFUSE_IF_ANY);
        ui.drain();
        assertThat(status.kindProperty().get()).isEqualTo(ActionStatus.Kind.ERROR);
        assertThat(status.messageProperty().get()).contains("prod was written since the split (1 track) and the"
                + " restore of pair prod-pair was not confirmed to overwrite them: nothing was restored");
        PairState after = call(pool -> pool.pairs().get("prod-pair").state());
        assertThat(after).isEqualTo(PairState.Split);
        assertThat(track(7, "prod")).as("the host's write to the STD").isEqualTo(written);
        assertThat(vm.copy().runningProperty().get()).isFalse();

        refresh();
        vm.restoreConfirmation(c -> asked.set(c == null ? null : c.getValue()));
        ui.drain();
        assertThat(asked.get()).as("asked again: the STD's name").isInstanceOf(Confirmation.class);
        assertThat(((Confirmation) asked.get()).target()).isEqualTo("prod");
        vm.restore(org.splitpoint.engine.pool.StdWrites.MAY_BE_OVERWRITTEN); // typed; protected, the default
        ui.drain();
        assertThat(TestPools.await(Duration.ofSeconds(20), this::refresh, () -> !vm.copy().runningProperty().get()
                && java.util.Arrays.equals(track(7, "prod"), track(7, "prod-bcv"))))
                .as("the write overwritten with the BCV's split image").isTrue();
        assertThat(status.kindProperty().get()).isNotEqualTo(ActionStatus.Kind.ERROR);
    }

    @Test
    void aRunningRestoreShowsPercentRateAndEtaTakesANewThrottleAtOnceAndEndsAt100() throws Exception {
        vm.split();
        ui.drain();
        writeTracks(0, 512);
        vm.copy().throttleProperty().set(1_000_000);
        vm.restore(org.splitpoint.engine.pool.StdWrites.MAY_BE_OVERWRITTEN); // typed: the STD's writes are overwritten
        ui.drain();
        assertThat(TestPools.await(Duration.ofSeconds(10), this::refresh,
                () -> vm.copy().progressTextProperty().get().matches("\\d+\\.\\d% · \\d+(\\.\\d)? MB/s · ETA \\d+:\\d\\d"))).isTrue();
        assertThat(vm.stateProperty().get()).isEqualTo(PairState.RestInProg);
        assertThat(vm.directionProperty().get()).isEqualTo(PairWords.Direction.BCV_TO_STD);
        assertThat(vm.bcvInvalidProperty().get()).contains("to restore");

        vm.copy().throttleProperty().set(2_000_000);
        ui.drain();
        long applied = call(pool -> pool.job("restore-prod-pair").progress().throttle());
        assertThat(applied).isEqualTo(2_000_000);

        vm.copy().throttleProperty().set(0);
        ui.drain();
        awaitState(PairState.Split);
        assertThat(vm.copy().progressProperty().get()).isEqualTo(1.0);
        assertThat(vm.copy().progressTextProperty().get()).isEqualTo("restore finished · 100%");
        assertThat(vm.copy().pauseBlockedProperty().get()).isEqualTo("no copy is running");

        // defect 11: a later operation clears the last copy's line
        vm.establish();
        ui.drain();
        awaitState(PairState.Synchronized);
        assertThat(TestPools.await(Duration.ofSeconds(10), this::refresh,
                () -> vm.copy().progressTextProperty().get().equals("establish finished · 100%"))).isTrue();
        vm.split();
        ui.drain();
        awaitState(PairState.Split);
        assertThat(vm.copy().progressTextProperty().get()).isEqualTo("no copy running");
        assertThat(vm.copy().progressProperty().get()).isZero();
    }

    @Test
    void aCancelledRestoreEndsOnTheJobsOwnEndStateNotAFullBar() throws Exception {
        vm.split();
        ui.drain();
        writeTracks(0, 512);
        vm.copy().throttleProperty().set(1_000_000);
        vm.restore(org.splitpoint.engine.pool.StdWrites.MAY_BE_OVERWRITTEN); // typed: the STD's writes are overwritten
        ui.drain();
        assertThat(TestPools.await(Duration.ofSeconds(10), this::refresh,
                () -> vm.copy().runningProperty().get() && vm.copy().progressProperty().get() > 0)).isTrue();

        vm.copy().cancel();
        ui.drain();
        awaitState(PairState.Split);
        assertThat(TestPools.await(Duration.ofSeconds(10), this::refresh,
                () -> vm.copy().progressTextProperty().get().startsWith("restore cancelled"))).isTrue();
        long left = call(pool -> {
            var end = pool.job("restore-prod-pair").progress();
            return end.totalTracks() - end.doneTracks();
        });
        assertThat(left).isPositive();
        assertThat(vm.copy().progressTextProperty().get()).matches("restore cancelled at \\d{1,2}% · "
                + org.splitpoint.app.common.Format.tracks(left) + " not restored");
        assertThat(vm.copy().progressProperty().get()).isLessThan(1.0);
    }

    /**
     * A cancelled establish leaves the BCV partly copied: the console showed the pair Split again with
     * "BCV image taken" at the old split's time, and Restore… offered to copy "the BCV's point-in-time
     * image" back over prod (by hand, a GUI pass). The pair stays SyncInProg now: no image is claimed,
     * Restore and Split are disabled saying why, Establish finishes the copy, and the copy's line says so.
     */
    @Test
    void aCancelledEstablishLeavesNoImageToRestoreFromUntilAnEstablishFinishesIt() throws Exception {
        vm.split();
        ui.drain();
        writeTracks(0, 512);
        vm.copy().throttleProperty().set(1_000_000);
        vm.establish(org.splitpoint.engine.pool.BcvWrites.MAY_BE_OVERWRITTEN);
        ui.drain();
        assertThat(TestPools.await(Duration.ofSeconds(10), this::refresh,
                () -> vm.copy().runningProperty().get() && vm.copy().progressProperty().get() > 0)).isTrue();
        vm.copy().cancel();
        ui.drain();
        assertThat(TestPools.await(Duration.ofSeconds(10), this::refresh,
                () -> vm.copy().progressTextProperty().get().startsWith("establish cancelled:"))).isTrue();
        assertThat(vm.stateProperty().get()).isEqualTo(PairState.SyncInProg);
        assertThat(vm.copy().progressTextProperty().get()).matches("establish cancelled: prod-bcv holds a partly copied"
                + " image \\([\\d,]+ tracks? still to copy\\); establish again to finish it");
        assertThat(vm.holdsImageProperty().get()).as("no point-in-time image claimed").isFalse();
        assertThat(vm.pointInTimeProperty().get()).startsWith("No point-in-time image on the BCV (partly copied)");
        assertThat(vm.restoreBlockedProperty().get()).contains("prod-bcv holds a partly copied image, no point-in-time"
                + " copy to restore from");
        assertThat(vm.splitBlockedProperty().get()).contains("its copy is not running");
        assertThat(vm.establishBlockedProperty().get()).isEmpty();
        vm.copy().throttleProperty().set(0);
        vm.establish();
        ui.drain();
        awaitState(PairState.Synchronized);
    }

    @Test
    void aFailedOrCancelledCopyIsWordedFromItsEndState() {
        var cancelled = new org.splitpoint.engine.job.JobProgress("restore-p", "restore", "p",
                org.splitpoint.engine.job.JobState.CANCELLED, 430, 1000, 65536, 0, 0, 0, "");
        assertThat(CopyControl.endLine("restore", cancelled)).isEqualTo("restore cancelled at 43% · 570 tracks not restored");
        var failed = new org.splitpoint.engine.job.JobProgress("establish-p", "establish", "p",
                org.splitpoint.engine.job.JobState.FAILED, 120, 1000, 65536, 0, 0, 0, "d4: input/output error");
        assertThat(CopyControl.endLine("establish", failed)).isEqualTo("establish failed at 12%: d4: input/output error");
        var done = new org.splitpoint.engine.job.JobProgress("restore-p", "restore", "p",
                org.splitpoint.engine.job.JobState.DONE, 1000, 1000, 65536, 0, 0, 0, "");
        assertThat(CopyControl.endLine("restore", done)).isEqualTo("restore finished · 100%");
    }

    @Test
    void trackMapSamplesReachTheUiCoalescedLatestWins() {
        AtomicInteger delivered = new AtomicInteger();
        vm.sampleProperty().addListener((o, was, now) -> delivered.incrementAndGet());
        for (int i = 0; i < 5; i++) {
            vm.sampleNow();
        }
        ui.drain();

        assertThat(delivered.get()).isEqualTo(1);
        assertThat(vm.sampleProperty().get().cells().tracks()).isEqualTo(1024);
        assertThat(vm.onDemandProperty().get()).isEqualTo("0 reads served from the BCV · 0/s");
    }

    @Test
    void hostReadsOfUnrestoredTracksAreCountedAndFlashed() throws Exception {
        vm.split();
        ui.drain();
        writeTracks(0, 512);
        vm.sampleNow();
        ui.drain();
        vm.copy().throttleProperty().set(1_000_000);
        vm.restore(org.splitpoint.engine.pool.StdWrites.MAY_BE_OVERWRITTEN); // typed: the STD's writes are overwritten
        ui.drain();
        call(pool -> { // well past the first step the copy makes
            pool.device("prod").read(420 * 65536L, ByteBuffer.allocate(4 * 65536));
            return null;
        });
        vm.sampleNow();
        ui.drain();

        TrackSample s = vm.sampleProperty().get();
        assertThat(s.onDemandReads()).isGreaterThanOrEqualTo(1);
        assertThat(s.flashTracks()).isNotEmpty();
        assertThat(java.util.Arrays.stream(s.flashTracks()).allMatch(t -> t >= 420 && t < 424)).isTrue();
        assertThat(vm.onDemandProperty().get()).matches("[1-9]\\d* reads? served from the BCV · \\d+/s");
        vm.copy().cancel();
        ui.drain();
        awaitState(PairState.Split);
    }
}
