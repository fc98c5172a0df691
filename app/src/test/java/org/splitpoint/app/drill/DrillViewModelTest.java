package org.splitpoint.app.drill;

import org.splitpoint.app.testing.ServiceStepScale;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.EngineCall;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;

/**
 * The Drills view's model against a real demo pool, no toolkit (the drill runs on the calling
 * thread): a short drill reaches its result with the timeline, figures and history; Start says why
 * not as the engine would; the window's map shows the delta and then its drain.
 */
class DrillViewModelTest {

    private static ServiceStepScale steps;

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private PoolBridge bridge;
    private DrillViewModel vm;

    @BeforeAll
    static void fastSteps() {
        steps = ServiceStepScale.set("0");
    }

    @AfterAll
    static void restoreSteps() {
        steps.close();
    }

    @BeforeEach
    void open() throws Exception {
        // drives of 32 MiB: a second of the drill's writes (4 MB/s in 16 KiB blocks) leaves most tracks untouched
        bridge = PoolBridge.open(TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE), new CurrentThreadTaskExecutor(), ui);
        vm = new DrillViewModel(bridge, status);
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::applyPairs);
        bridge.onEvents(vm::addEvents);
        bridge.start();
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

    private <T> T call(EngineCall<T> c) {
        AtomicReference<T> out = new AtomicReference<>();
        bridge.run(c, out::set, why -> {
            throw new AssertionError(why);
        });
        ui.drain();
        return out.get();
    }

    private void plan(String drive, OfflineReason reason, LogMode mode, int writesFor) {
        DrillPlanForm f = vm.form();
        f.volumeProperty().set("prod");
        f.driveProperty().set(drive);
        f.reasonProperty().set(reason);
        f.modeProperty().set(mode);
        f.writesForProperty().set(writesFor);
    }

    /** Unticking Write test data changes the planned writes step: the hosts write, the drill writes nothing. */
    @Test
    void thePlannedWritesFollowWriteTestData() {
        plan("d2", OfflineReason.FIRMWARE, LogMode.POINTERS, 5);
        vm.form().testDataProperty().set(true);
        assertThat(vm.steps().get(2).detail()).startsWith("random 16 KiB writes");
        vm.form().testDataProperty().set(false);
        assertThat(vm.steps().get(2).detail()).startsWith("the hosts' own writes for 5 s");
    }

    @Test
    void theFormOffersTheVolumesAndTheChosenVolumesMembers() {
        DrillPlanForm f = vm.form();
        assertThat(f.volumes()).containsExactly("prod", "prod-bcv");
        assertThat(f.volumeProperty().get()).isEqualTo("prod");
        assertThat(f.drives()).containsExactly("d1", "d2", "d3");
        f.volumeProperty().set("prod-bcv");
        assertThat(f.drives()).containsExactly("d4", "d5", "d6");
        assertThat(f.driveProperty().get()).isEqualTo("d4");
        assertThat(f.startBlockedProperty().get()).isEmpty();
    }

    /**
     * Without test data the drill writes nothing: its counter, its writes step and its card said
     * "0 writes" where the hosts' writes had put tracks in the delta. They say what the delta held.
     */
    @Test
    void aDrillWithoutTestDataSaysWhatTheHostsWritesPutInTheDelta() throws Exception {
        plan("d2", OfflineReason.RESET, LogMode.POINTERS, 2);
        vm.form().testDataProperty().set(false);
        org.splitpoint.engine.pool.Pool pool = call(p -> p);
        Thread host = new Thread(() -> { // a host of the volume: 10 tracks written once d2 is out, some of them on d2's rows
            try {
                while (pool.snapshot().drive("d2").service() == null) {
                    Thread.onSpinWait();
                }
                var dev = pool.device("prod");
                for (int i = 0; i < 10; i++) {
                    dev.write(i * (1L << 20), ByteBuffer.wrap(new byte[4096]));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "host-writes");
        host.start();
        vm.start();
        host.join();
        ui.drain();

        var r = vm.resultProperty().get();
        assertThat(r.testData()).isFalse();
        assertThat(r.writes()).isZero();
        assertThat(r.deltaTracks()).as("d2's rows of the hosts' 10 tracks").isBetween(1L, 10L);
        String tracks = r.deltaTracks() + (r.deltaTracks() == 1 ? " track (" : " tracks (");
        String delta = tracks + org.splitpoint.app.common.Format.size(r.deltaBytes()) + ") in the delta";
        assertThat(r.deltaBytes()).isPositive();
        assertThat(vm.writesProperty().get()).isEqualTo("hosts' writes: " + delta);
        assertThat(vm.figuresProperty().get().figures()).filteredOn(x -> x.id().equals("figWrites")).singleElement()
                .extracting(DrillFigures.Figure::value).isEqualTo("hosts' writes: " + delta);
        assertThat(vm.steps().get(2).detail()).startsWith("the hosts' writes put " + tracks);
        assertThat(r.summary()).contains("the hosts' writes put " + tracks).doesNotContain("0 writes");
    }

    @Test
    void aShortDrillRunsToItsResultWithTheTimelineTheFiguresAndAHistoryEntry() throws Exception {
        plan("d2", OfflineReason.FIRMWARE, LogMode.POINTERS, 1);
        assertThat(vm.form().startBlockedProperty().get()).isEmpty();

        vm.start(); // the drill runs here, on the test's thread
        ui.drain();

        assertThat(vm.stoppedProperty().get()).isEmpty();
        assertThat(vm.runningProperty().get()).isFalse();
        DrillFigures f = vm.figuresProperty().get();
        assertThat(f).as("the result card").isNotNull();
        assertThat(f.verdict().word()).isEqualTo("PASSED");
        var r = vm.resultProperty().get();
        assertThat(r.tracksResynced()).as("only the delta").isPositive().isLessThan(r.totalTracks());
        assertThat(r.workloadErrors()).isZero();
        assertThat(r.verifyMismatches()).isZero();
        assertThat(r.bytesLost()).isZero();
        assertThat(vm.steps()).extracting(DrillTimeline.Row::name)
                .containsExactly("offline", "firmware", "writes", "online", "resync", "verify");
        assertThat(vm.steps()).allMatch(s -> s.state() == DrillTimeline.StepState.DONE && s.startSeconds() >= 0);
        assertThat(vm.steps().get(3).detail()).as("the delta when it came back").isEqualTo(r.tracksResynced()
                + " tracks in the delta as d2 came back");
        assertThat(vm.steps().get(4).detail()).isEqualTo(r.tracksResynced() + " tracks resynced");
        assertThat(f.figures()).filteredOn(x -> x.id().equals("figResynced")).singleElement()
                .extracting(DrillFigures.Figure::value).asString()
                .isEqualTo(r.tracksResynced() + " of " + r.totalTracks() + " · " + DrillFigures.percent(r.resyncFraction())
                        + " of a full rebuild");
        assertThat(vm.writesProperty().get()).matches("[\\d,]+ writes · .+");
        assertThat(vm.titleProperty().get()).isEqualTo("Drill on prod/d2 (firmware, pointers) — PASSED");
        assertThat(status.messageProperty().get()).contains("Drill on prod/d2: PASSED");

        // the engine's DRILL event reaches the history; the drive is back
        assertThat(TestPools.await(Duration.ofSeconds(5), this::refresh, () -> vm.history().size() == 1)).isTrue();
        DrillHistory.Row h = vm.history().get(0);
        assertThat(h.title()).isEqualTo("drill on prod/d2 (firmware, pointers)");
        assertThat(h.figures()).startsWith(r.tracksResynced() + " of " + r.totalTracks() + " tracks resynced");
        assertThat(h.look().word()).isEqualTo("PASSED");
        assertThat(vm.driveLookProperty().get().word()).isEqualTo("ONLINE");
        assertThat(vm.volumeLookProperty().get().word()).isEqualTo("OPTIMAL");

        // the Jobs history's line of the firmware update: its steps, not bytes and ticks taken for tracks ("0 B, 4/4 tracks")
        org.splitpoint.engine.pool.JobHistory.Entry fw = call(pool -> pool.jobHistory().list()).stream()
                .filter(e -> e.kind().equals("firmware")).findFirst().orElseThrow();
        assertThat(org.splitpoint.app.jobs.JobHistoryViewModel.line(fw)).contains("firmware d2 DONE in 0:0")
                .endsWith(", 4 of 4 steps").doesNotContain("tracks", " B,");
    }

    /**
     * The plan's volume badge is the one the tree and the volume page show: a volume being restored
     * to a snapshot is OPTIMAL to the engine, and the plan said "prod ✓ OPTIMAL" beside the tree's
     * "prod ⟳ RESTORING" (and Start's "volume prod is being restored …").
     */
    @Test
    void theVolumesBadgeSaysRestoringAsTheTreeDoes() {
        call(pool -> {
            String a = pool.admin().addDrive(0);
            String b = pool.admin().addDrive(0);
            pool.admin().createVolume("snaps", org.splitpoint.engine.pool.Layout.RAID1, java.util.List.of(a, b), 0);
            pool.snapshots().setSaveArea("snaps");
            pool.snapshots().create("prod", "s1");
            pool.device("prod").write(0, ByteBuffer.wrap(new byte[1 << 20]));
            return pool.snapshots().restore("prod", "s1", false, 1000); // 1 kB/s: it outlives the test
        });
        plan("d2", OfflineReason.RESET, LogMode.POINTERS, 1);
        refresh();
        assertThat(vm.volumeLookProperty().get().word()).isEqualTo("RESTORING");
    }

    @Test
    void startSaysWhyNotTheWayTheEngineWould() {
        plan("d2", OfflineReason.RESET, LogMode.DATA, 1);
        call(pool -> pool.service().offline("d3", OfflineReason.DIAGNOSTICS, LogMode.POINTERS));
        refresh();

        assertThat(vm.form().startBlockedProperty().get())
                .isEqualTo("volume prod already has a drive in a service window; bring it back first");
        vm.form().driveProperty().set("d3");
        assertThat(vm.form().startBlockedProperty().get()).isEqualTo("drive d3 is already OFFLINE (diagnostics);"
                + " bring it back with 'Bring online' in the drive bay");
        vm.form().volumeProperty().set("prod-bcv");
        vm.form().writesForProperty().set(0);
        assertThat(vm.form().startBlockedProperty().get()).isEqualTo("the writes last 1 to 600 s, not 0 s");
        vm.form().writesForProperty().set(3);
        assertThat(vm.form().startBlockedProperty().get()).isEmpty();
        assertThat(vm.driveLookProperty().get().word()).as("the volume with the window shows its drive").isNotNull();
    }

    /**
     * A volume with a drive in a service window proposes that drive, so Start names it and what to do
     * next; the form proposed d1 and said only "bring it back first". A drive the administrator picked stays.
     */
    @Test
    void theFormProposesTheDriveAlreadyInAServiceWindow() {
        DrillPlanForm f = vm.form();
        assertThat(f.driveProperty().get()).as("no window: the first drive a drill can take").isEqualTo("d1");
        call(pool -> pool.service().offline("d2", OfflineReason.DIAGNOSTICS, LogMode.POINTERS));
        refresh();

        assertThat(f.driveProperty().get()).as("the window opened while d1 was only proposed").isEqualTo("d2");
        assertThat(f.startBlockedProperty().get())
                .isEqualTo("drive d2 is already OFFLINE (diagnostics); bring it back with 'Bring online' in the drive bay");
        f.volumeProperty().set("prod-bcv");
        assertThat(f.driveProperty().get()).isEqualTo("d4");
        f.volumeProperty().set("prod");
        assertThat(f.driveProperty().get()).as("prod chosen again").isEqualTo("d2");

        f.driveProperty().set("d1");
        refresh();
        assertThat(f.driveProperty().get()).as("the administrator's choice").isEqualTo("d1");
        assertThat(f.startBlockedProperty().get())
                .isEqualTo("volume prod already has a drive in a service window; bring it back first");
        assertThat(vm.driveNameProperty().get()).as("the drive shown is the one out").isEqualTo("d2");
    }

    @Test
    void theWindowMapShowsTheDeltaGrowingAndThenDrainedWhenTheDriveComesBack() throws Exception {
        plan("d2", OfflineReason.REPLACEMENT, LogMode.POINTERS, 1);
        call(pool -> pool.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS));
        call(pool -> { // a host writes 5 tracks' worth, one 4 KiB write per track
            for (int t = 0; t < 5; t++) {
                pool.device("prod").write(t * 3L * 64 * 1024, ByteBuffer.allocate(4096));
            }
            return null;
        });
        refresh();
        vm.map().sampleNow();
        ui.drain();
        DrillSample window = vm.map().sampleProperty().get();
        assertThat(window.phase()).isEqualTo("window");
        long delta = call(pool -> pool.snapshot().drive("d2").service().deltaTracks());
        assertThat(window.owed()).isEqualTo(delta).isPositive();
        assertThat(vm.map().lineProperty().get()).endsWith(delta + " tracks owed to d2 (the delta)");
        assertThat(vm.driveLineProperty().get()).isEqualTo("reset · pointers · " + delta + " tracks");

        Job resync = call(pool -> {
            Job steps = pool.jobs().stream().filter(j -> j.kind().equals("reset")).findFirst().orElse(null);
            if (steps != null) {
                steps.await(10_000);
            }
            return pool.service().online("d2");
        });
        assertThat(resync.await(20_000)).isTrue();
        vm.map().sampleNow();
        ui.drain();
        DrillSample after = vm.map().sampleProperty().get();
        assertThat(after.phase()).isEqualTo("done");
        assertThat(after.owed()).isZero();
        assertThat(after.drained()).isEqualTo(delta);
        assertThat(vm.map().lineProperty().get()).endsWith("window over: " + delta + " tracks written back to d2");
    }

    /** The snapshots' save area takes no host writes: a drill with test data there would only count refusals. */
    @Test
    void aDrillWritingTestDataIsNotOfferedOnTheSaveArea() {
        String a = call(pool -> pool.admin().addDrive(0));
        String b = call(pool -> pool.admin().addDrive(0));
        call(pool -> {
            pool.admin().createVolume("snaps", org.splitpoint.engine.pool.Layout.RAID1, java.util.List.of(a, b), 0);
            return pool.snapshots().setSaveArea("snaps");
        });
        refresh();
        DrillPlanForm f = vm.form();
        f.volumeProperty().set("snaps");
        f.testDataProperty().set(true);
        assertThat(f.startBlockedProperty().get())
                .isEqualTo("volume snaps is the snapshots' save area and takes no host writes: untick Write test data");
        f.testDataProperty().set(false);
        assertThat(f.startBlockedProperty().get()).as("a rehearsal with the hosts' writes only").isEmpty();
    }

    /** The confirmation of a drill writing test data says what it does to a pair's copy (it only said "overwritten"). */
    @Test
    void theTestDataConfirmationNamesThePairsCopyItChanges() {
        DrillPlanForm f = vm.form();
        f.volumeProperty().set("prod");
        assertThat(String.join(" ", f.testDataConfirmation().sentences()))
                .contains("prod is the STD of pair prod-pair, which mirrors every write: the test data goes to prod-bcv too.");
        call(pool -> {
            pool.pairs().split(java.util.List.of("prod-pair"));
            return null;
        });
        refresh();
        f.volumeProperty().set("prod-bcv");
        assertThat(String.join(" ", f.testDataConfirmation().sentences()))
                .contains("prod-bcv is the BCV of pair prod-pair (Split): the copy of prod it holds is changed where the drill writes.");
    }

    /**
     * A past drill names the drive it was run on: once its drive was replaced by a spare, the form
     * proposed the volume's first member and the header showed that drive ("d1 ONLINE") beside the
     * title "Drill on prod/d2 (firmware, pointers) — PASSED".
     */
    @Test
    void aPastDrillsHeaderKeepsItsDriveAfterTheDriveWasReplacedByASpare() throws Exception {
        plan("d2", OfflineReason.FIRMWARE, LogMode.POINTERS, 1);
        vm.start();
        ui.drain();
        assertThat(vm.titleProperty().get()).isEqualTo("Drill on prod/d2 (firmware, pointers) — PASSED");
        String spare = call(pool -> pool.admin().addDrive(0)); // a new SPARE, as an administrator adds one
        Job rebuild = call(pool -> {
            pool.admin().failDrive("d2");
            return pool.admin().replaceWithSpare("d2", spare, 0);
        });
        assertThat(rebuild.await(60_000)).isTrue();
        refresh();
        assertThat(call(pool -> pool.snapshot()).volume("prod").drives()).contains(spare).doesNotContain("d2");

        assertThat(vm.titleProperty().get()).isEqualTo("Drill on prod/d2 (firmware, pointers) — PASSED");
        assertThat(vm.driveNameProperty().get()).as("the drive the drill ran on").isEqualTo("d2");
        assertThat(vm.driveLookProperty().get().word()).isEqualTo("FAILED");
        assertThat(vm.volumeNameProperty().get()).isEqualTo("prod");
    }
}
