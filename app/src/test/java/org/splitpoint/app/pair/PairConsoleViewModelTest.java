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

        Confirmation c = vm.restoreConfirmation();
        assertThat(c.target()).isEqualTo("prod");
        assertThat(c.header()).isEqualTo("Overwrite prod with prod-bcv?");
        assertThat(c.sentences().get(0)).startsWith("Restore copies prod-bcv → prod: 3 tracks (192 KiB) of prod");
        assertThat(String.join(" ", c.sentences())).contains("since the split (3 tracks) is lost")
                .contains("With Protect, prod-bcv stays Split and unchanged");
        assertThat(vm.stdInvalidProperty().get()).isEqualTo("3 tracks changed (192 KiB)");
    }

    @Test
    void anIncrementalEstablishAsksNothingButAFullOneNamesTheBcv() {
        vm.split();
        ui.drain();
        assertThat(vm.establishConfirmation()).isNull();

        vm.fullProperty().set(true);
        Confirmation c = vm.establishConfirmation();
        assertThat(c.target()).isEqualTo("prod-bcv");
        assertThat(c.sentences().get(0)).isEqualTo(
                "Establish copies prod → prod-bcv: all 1,024 tracks (64 MiB) of prod-bcv are overwritten with the STD's data.");
    }

    @Test
    void aRunningRestoreShowsPercentRateAndEtaTakesANewThrottleAtOnceAndEndsAt100() throws Exception {
        vm.split();
        ui.drain();
        writeTracks(0, 512);
        vm.copy().throttleProperty().set(1_000_000);
        vm.restore();
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
        vm.restore();
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
