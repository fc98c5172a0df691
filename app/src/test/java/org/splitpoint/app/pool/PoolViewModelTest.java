package org.splitpoint.app.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.jobs.JobRow;
import org.splitpoint.app.notify.Notice;
import org.splitpoint.app.notify.NoticeFeed;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pool.PoolSnapshot.Health;
import org.splitpoint.engine.pool.VolumeState;

/** Main window model against a real pool, no toolkit: title, health, summary, jobs, event history. */
class PoolViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private PoolViewModel vm;
    private Path dir;

    @BeforeEach
    void open() throws Exception {
        dir = TestPools.demo(tmp);
        vm = new PoolViewModel(PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui));
        vm.start();
        ui.drain();
    }

    @AfterEach
    void close() {
        vm.close();
    }

    /**
     * A drill ends with a verify of its volume (mirrors or parity): the volume's page counts it,
     * whether the page was open during the drill or opened after a verify; it said "not verified
     * since the window opened" because only its own Verify button was heard.
     */
    @Test
    void aDrillsVerifyAndAnyOtherVerifyAreTheVolumePagesLastVerify() throws Exception {
        org.splitpoint.app.volumes.VolumeViewModel prod = vm.volume("prod");
        // not "since the window opened": on a volume's page a window is a drive's service window
        assertThat(prod.verifyResultProperty().get()).isEqualTo("not verified since the pool was opened");
        try (var fast = org.splitpoint.app.testing.ServiceStepScale.set("0")) {
            var f = vm.drills().form();
            f.volumeProperty().set("prod");
            f.driveProperty().set("d2");
            f.reasonProperty().set(org.splitpoint.engine.pool.OfflineReason.RESET);
            f.modeProperty().set(org.splitpoint.engine.pool.LogMode.POINTERS);
            f.writesForProperty().set(1);
            assertThat(f.startBlockedProperty().get()).isEmpty();
            vm.drills().start(); // on this thread: CurrentThreadTaskExecutor
            ui.drain();
        }
        assertThat(vm.drills().resultProperty().get()).as("the drill's result; " + vm.drills().stoppedProperty().get()).isNotNull();
        awaitUi(() -> !prod.verifyResultProperty().get().startsWith("not verified"));
        assertThat(prod.verifyResultProperty().get()).matches("0 mismatched sectors \\(verified \\d\\d:\\d\\d:\\d\\d\\)");

        // a verify run elsewhere (a shell's 'volume verify' forwarded here) before the page was first shown
        vm.bridge().run(pool -> pool.admin().verify("prod-bcv", false, null), n -> { }, why -> { });
        awaitUi(() -> vm.events().events().stream().anyMatch(e -> e.type().equals("VERIFY") && e.source().equals("prod-bcv")));
        assertThat(vm.volume("prod-bcv").verifyResultProperty().get()).startsWith("0 mismatched sectors (verified ");
    }

    /**
     * A drill that writes test data over prod, with prod's workload stopped as the form asks: the
     * workload, started again, counted every block the test data replaced as a lost write (seen
     * under Xvfb: "the verifying workload found 180 blocks of volume prod not holding what it
     * wrote", the pool CRITICAL). The drill's start makes the workloads forget what they expected of it.
     */
    @Test
    void aWorkloadStartedAfterADrillsTestDataCountsNoLostWrites() throws Exception {
        var expectations = vm.workloads().expectations();
        org.splitpoint.app.workload.WorkloadSettings write = new org.splitpoint.app.workload.WorkloadSettings(0, 1 << 20, 0,
                false, true);
        org.splitpoint.app.workload.WorkloadSettings read = new org.splitpoint.app.workload.WorkloadSettings(100, 1 << 20, 0,
                false, true);
        long size = call(pool -> pool.device("prod").size());
        call(pool -> { // the workload writes every block of prod, then stops
            var w = new org.splitpoint.app.workload.Workload("prod", pool::device, expectations, write);
            for (long at = 0; at < size; at += 1 << 20) {
                w.step();
            }
            return null;
        });
        try (var fast = org.splitpoint.app.testing.ServiceStepScale.set("0")) {
            var f = vm.drills().form();
            f.volumeProperty().set("prod");
            f.driveProperty().set("d2");
            f.reasonProperty().set(org.splitpoint.engine.pool.OfflineReason.RESET);
            f.modeProperty().set(org.splitpoint.engine.pool.LogMode.POINTERS);
            f.writesForProperty().set(1);
            f.testDataProperty().set(true);
            assertThat(f.startBlockedProperty().get()).isEmpty();
            vm.drills().start(); // on this thread: CurrentThreadTaskExecutor
            ui.drain();
        }
        assertThat(vm.drills().resultProperty().get()).as("the drill's result; " + vm.drills().stoppedProperty().get()).isNotNull();
        assertThat(vm.drills().resultProperty().get().writes()).as("the drill wrote test data").isPositive();
        long errors = call(pool -> { // started again: it reads every block of prod back
            var w = new org.splitpoint.app.workload.Workload("prod", pool::device, expectations, read);
            for (long at = 0; at < size; at += 1 << 20) {
                w.step();
            }
            return w.stats().errors();
        });
        assertThat(errors).as("blocks the drill's test data replaced, counted as lost writes").isZero();
    }

    private <T> T call(org.splitpoint.app.bridge.EngineCall<T> c) {
        java.util.concurrent.atomic.AtomicReference<T> out = new java.util.concurrent.atomic.AtomicReference<>();
        vm.bridge().run(c, out::set, why -> {
            throw new AssertionError(why);
        });
        ui.drain();
        return out.get();
    }

    /** The events reach the UI through the event bus's thread: polls the UI queue until {@code done}. */
    private void awaitUi(java.util.function.BooleanSupplier done) throws InterruptedException {
        TestPools.await(java.time.Duration.ofSeconds(10), ui::drain, done);
    }

    /**
     * The critical events already in the pool's event log are its history: opening the pool shows
     * them in the event log but does not pop them up again as notifications; a new one does.
     */
    @Test
    void criticalEventsOfTheLogAreNotNotifiedAgainWhenThePoolOpens() throws Exception {
        vm.close();
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(dir)) {
            pool.events().publish(Event.critical("DRIVE_STATE", "d2", "drive d2 FAILED: read error (old)"));
            pool.events().drain();
        }
        PoolBridge bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        vm = new PoolViewModel(bridge);
        List<Notice> shown = new ArrayList<>();
        vm.notices().onNotice(shown::add);
        vm.start();
        ui.drain();
        assertThat(vm.events().events()).extracting(Event::message).contains("drive d2 FAILED: read error (old)");
        Thread.sleep(NoticeFeed.BURST.toMillis() + 700);
        ui.drain();
        assertThat(shown).as("notices at open").isEmpty();

        bridge.run(pool -> {
            pool.events().publish(Event.critical("DRIVE_STATE", "d3", "drive d3 FAILED: read error (new)"));
            return null;
        }, x -> { }, e -> { });
        long until = System.currentTimeMillis() + 20_000;
        while (shown.isEmpty() && System.currentTimeMillis() < until) {
            Thread.sleep(50);
            ui.drain();
        }
        assertThat(shown).singleElement().satisfies(n -> assertThat(n.text()).contains("d3 FAILED"));
    }

    /**
     * A drill that writes random test data over a volume whose built-in workload verifies it would
     * read back, to the workload, as thousands of lost writes and mark the volume with a problem:
     * the drill's Start says why instead, until the workload stops or the test data is unticked.
     */
    @Test
    void aDrillWritingTestDataIsRefusedWhileTheVolumesVerifiedWorkloadRuns() {
        var form = vm.drills().form();
        form.volumeProperty().set("prod");
        form.testDataProperty().set(true);
        ui.drain();
        assertThat(form.startBlockedProperty().get()).doesNotContain("workload");

        var workload = vm.workloads().of("prod");
        workload.verifyProperty().set(true);
        workload.start();
        ui.drain();
        assertThat(form.startBlockedProperty().get()).isEqualTo("the built-in workload verifies prod and would count the"
                + " drill's test writes as lost writes: stop it first, or untick Write test data");
        form.testDataProperty().set(false);
        assertThat(form.startBlockedProperty().get()).doesNotContain("workload");
        form.testDataProperty().set(true);
        workload.stop();
        ui.drain();
        assertThat(form.startBlockedProperty().get()).doesNotContain("workload");
    }

    @Test
    void theTitleNamesThePool() {
        assertThat(vm.titleProperty().get()).isEqualTo("Splitpoint — " + dir);
    }

    @Test
    void healthAndSummaryFollowThePool() {
        assertThat(vm.healthProperty().get()).isEqualTo(Health.HEALTHY);
        assertThat(vm.summaryProperty().get()).isEqualTo("6 drives · 2 volumes · 1 pair · no jobs running");

        vm.drives().selectedDriveProperty().set("d5");
        vm.drives().fail();
        ui.drain();

        assertThat(vm.healthProperty().get()).isEqualTo(Health.WARNING);
        assertThat(vm.volumes().row("prod-bcv").getState()).isEqualTo(VolumeState.DEGRADED);
        assertThat(vm.volumes().row("prod-bcv").reasonProperty().get()).isEqualTo("DEGRADED: d5 FAILED");
    }

    /**
     * The Quit dialog names a job with its percentage as the Jobs list shows it, and follows it while
     * open: it said "establish (2%)" beside the list's 4.2% (whole percent, taken once when it opened).
     */
    @Test
    void theWorkThatLeavingWouldStopGivesEachJobsPercentAsItsRowDoesAndFollowsIt() throws Exception {
        vm.drives().selectedDriveProperty().set("d3");
        vm.drives().fail();
        ui.drain();
        vm.drives().replace(500_000); // slow enough to be sampled part way (it moves a megabyte at a time)
        ui.drain();
        JobRow job = vm.jobs().rows().get(0);
        var live = RunningWork.live(vm);
        java.util.List<java.util.List<String>> seen = new java.util.ArrayList<>();
        live.addListener((o, was, now) -> seen.add(now));
        seen.add(live.get());
        awaitUi(() -> seen.size() >= 2 && job.fractionProperty().get() > 0);
        String percent = job.lineProperty().get().substring(0, job.lineProperty().get().indexOf(' '));
        assertThat(percent).matches("\\d+\\.\\d%");
        assertThat(RunningWork.of(vm)).containsExactly("rebuild d3 of prod (" + percent + ")");
        assertThat(seen).as("the lines follow the job while observed").hasSizeGreaterThanOrEqualTo(2)
                .doesNotHaveDuplicates();
        assertThat(live.get()).isEqualTo(RunningWork.of(vm));
    }

    @Test
    void aRebuildStartsUnderTheChosenSpeedLimitAndShowsAsAJob() {
        vm.drives().selectedDriveProperty().set("d3");
        vm.drives().fail();
        ui.drain();
        vm.drives().replace(1_000_000);
        ui.drain();

        assertThat(vm.volumes().row("prod").getState()).isEqualTo(VolumeState.REBUILDING);
        assertThat(vm.jobs().rows()).hasSize(1);
        JobRow job = vm.jobs().rows().get(0);
        assertThat(job.titleProperty().get()).isEqualTo("rebuild d3 of prod");
        assertThat(job.limitProperty().get()).as("the job's own limit, shown in its row").isEqualTo(1_000_000);
        assertThat(vm.summaryProperty().get()).endsWith("1 job running");
    }

    /** A paused job is not said to run: the status bar said "1 job running" while the only job was paused (h126, by hand). */
    @Test
    void aPausedJobIsCountedAsPausedNotRunning() throws Exception {
        vm.drives().selectedDriveProperty().set("d3");
        vm.drives().fail();
        ui.drain();
        vm.drives().replace(500_000);
        ui.drain();
        vm.jobs().pauseOrResume(vm.jobs().rows().get(0));
        awaitUi(() -> vm.summaryProperty().get().endsWith("1 job paused"));
        assertThat(vm.summaryProperty().get()).isEqualTo("6 drives · 2 volumes · 1 pair · 1 job paused");
        vm.jobs().pauseOrResume(vm.jobs().rows().get(0));
        awaitUi(() -> vm.summaryProperty().get().endsWith("1 job running"));
    }

    @Test
    void theEventLogListsTheVolumesCreation() {
        assertThat(vm.events().events()).extracting(e -> e.message())
                .contains("volume prod-bcv created: raid5 over d4,d5,d6, 8 MiB");
    }

    /**
     * A journal enabled from a shell (or before this app ran) ships into a store the Backups view
     * did not list: it said "No backup store yet" while the volume's journal and its base image were
     * there. The stores the pool's journals use are listed as known stores.
     */
    @Test
    void theStoreOfAJournalEnabledFromAShellIsAKnownBackupStore() throws Exception {
        vm.close();
        org.splitpoint.app.testing.JournalPools.Made m = org.splitpoint.app.testing.JournalPools.fresh(tmp.resolve("j"));
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(m.pool())) {
            assertThat(pool.journals().enable(org.splitpoint.app.testing.JournalPools.VOLUME, List.of("d6", "d7"),
                    m.store(), 0, 0).await(30_000)).isTrue();
        }
        vm = new PoolViewModel(PoolBridge.open(m.pool(), new CurrentThreadTaskExecutor(), ui));
        vm.start();
        ui.drain();
        long until = System.currentTimeMillis() + 10_000;
        while (vm.backups().stores().isEmpty() && System.currentTimeMillis() < until) {
            Thread.sleep(50);
            ui.drain();
        }
        assertThat(vm.backups().stores()).containsExactly(m.store().toAbsolutePath().normalize());
    }
}
