package org.splitpoint.app.drives;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.DriveState;

/** Drive actions against a real pool, no toolkit: when each is allowed (and why not), and what it does. */
class DrivesViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private PoolBridge bridge;
    private DrivesViewModel vm;

    @BeforeEach
    void open() throws Exception {
        bridge = PoolBridge.open(TestPools.demo(tmp), new CurrentThreadTaskExecutor(), ui);
        vm = new DrivesViewModel(bridge, status);
        bridge.onSnapshot(vm::apply);
        bridge.onSnapshot(s -> status.jobs(s.jobs())); // as the pool window does
        bridge.refresh();
        ui.drain();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private DriveRow row(String name) {
        return vm.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** True once the status bar's line is gone (the drive may show ONLINE a moment before its job ends). */
    private boolean lineGoes() throws Exception {
        return TestPools.await(Duration.ofSeconds(10), () -> {
            bridge.refresh();
            ui.drain();
        }, () -> status.messageProperty().get().isEmpty());
    }

    private void failByCommand(String drive) {
        vm.selectedDriveProperty().set(drive);
        vm.fail();
        ui.drain();
    }

    @Test
    void rowsShowEveryDriveWithItsState() {
        assertThat(vm.rows()).extracting(DriveRow::name).containsExactly("d1", "d2", "d3", "d4", "d5", "d6");
        assertThat(row("d3").getState()).isEqualTo(DriveState.ONLINE);
        assertThat(row("d3").volumeProperty().get()).isEqualTo("prod");
    }

    @Test
    void failSaysToSelectADriveFirst() {
        assertThat(vm.failBlockedProperty().get()).isEqualTo("select a drive first");
        vm.selectedDriveProperty().set("d3");
        assertThat(vm.failBlockedProperty().get()).isEmpty();
    }

    @Test
    void failingTheSelectedDriveMarksItFailedAndReportsTheVolume() {
        DriveRow d3 = row("d3");
        failByCommand("d3");

        assertThat(d3.getState()).isEqualTo(DriveState.FAILED);
        assertThat(status.kindProperty().get()).isEqualTo(ActionStatus.Kind.DONE);
        assertThat(status.messageProperty().get()).endsWith("Drive d3 is FAILED; volume prod is DEGRADED");
        assertThat(vm.failBlockedProperty().get()).isEqualTo("drive d3 is already FAILED");
    }

    @Test
    void replaceIsOnlyOfferedForAFailedDrive() {
        vm.selectedDriveProperty().set("d3");
        assertThat(vm.replaceBlockedProperty().get())
                .isEqualTo("drive d3 is ONLINE; only a FAILED or MISSING drive is replaced (fail it first with 'Fail drive' in the drive bay)");
        failByCommand("d3");
        assertThat(vm.replaceBlockedProperty().get()).isEmpty();
    }

    @Test
    void failingASecondDriveOfADegradedRaid5IsBlockedWithTheReason() {
        failByCommand("d3");
        vm.selectedDriveProperty().set("d1");

        assertThat(vm.failBlockedProperty().get())
                .isEqualTo("failing d1 would make volume prod FAILED and lose its data: it already has d3 FAILED, and only a backup"
                        + " would bring the data back; no confirmation overrides this: replace that first");
        assertThat(row("d1").getState()).isEqualTo(DriveState.ONLINE);
    }

    @Test
    void everyActionWaitsWhileAnotherRuns() {
        vm.selectedDriveProperty().set("d3");
        status.started("something slow");

        assertThat(vm.failBlockedProperty().get()).contains("another action is still running");
        assertThat(vm.addBlockedProperty().get()).contains("another action is still running");
    }

    @Test
    void theReplacePlanSaysWhatIsOverwrittenAndWhereTheDataComesFrom() {
        failByCommand("d3");
        ReplacePlan plan = vm.replacePlan();

        assertThat(plan.image()).isEqualTo(Path.of("drives", "d3.img").toString());
        assertThat(plan.keptAs()).isEqualTo("d3.img.replaced-<date and time>");
        assertThat(plan.sources()).containsExactly("d1", "d2");
        assertThat(String.join(" ", plan.sentences())).contains("is set aside as d3.img.replaced-<date and time>")
                .contains("writes all of it from d1, d2");
        assertThat(plan.confirmation().target()).isEqualTo("d3");
        assertThat(plan.confirmation().accepts(" d3 ")).isTrue();
        assertThat(plan.confirmation().accepts("d2")).isFalse();
    }

    @Test
    void replacingAFailedDriveRebuildsItUntilItIsOnline() throws Exception {
        failByCommand("d3");
        vm.replace();
        ui.drain();
        assertThat(row("d3").getState()).isIn(DriveState.REBUILDING, DriveState.ONLINE);

        boolean online = TestPools.await(Duration.ofSeconds(20), () -> {
            bridge.refresh();
            ui.drain();
        }, () -> row("d3").getState() == DriveState.ONLINE);
        assertThat(online).isTrue();
        assertThat(row("d3").rebuildProperty().get()).isEqualTo(-1);
        // "...; rebuilding; volume prod is REBUILDING" stayed in the status bar while the pool was HEALTHY
        assertThat(lineGoes()).as("the rebuild's line goes when its job ends").isTrue();
    }

    /** Defect 11: a paused rebuild's card says PAUSED beside its percentage, and stops saying it once resumed. */
    @Test
    void aPausedRebuildIsShownPaused() throws Exception {
        failByCommand("d3");
        bridge.run(pool -> pool.admin().replaceDrive("d3", 1), job -> { }, why -> { throw new AssertionError(why); });
        ui.drain();
        bridge.run(pool -> {
            for (org.splitpoint.engine.job.Job j : pool.jobs()) {
                if (j.kind().equals("rebuild")) {
                    j.pause();
                }
            }
            return null;
        }, ok -> { }, why -> { throw new AssertionError(why); });
        bridge.refresh();
        ui.drain();
        assertThat(row("d3").getState()).isEqualTo(DriveState.REBUILDING);
        assertThat(row("d3").rebuildPausedProperty().get()).isTrue();
        bridge.run(pool -> {
            pool.jobs().forEach(j -> {
                j.setThrottle(0);
                j.resume();
            });
            return null;
        }, ok -> { }, why -> { throw new AssertionError(why); });
        bridge.refresh();
        ui.drain();
        assertThat(row("d3").rebuildPausedProperty().get()).isFalse();
    }

    @Test
    void addSpareAddsABlankSpareDrive() {
        vm.addSpare();
        ui.drain();

        assertThat(row("d7").getState()).isEqualTo(DriveState.SPARE);
        assertThat(status.messageProperty().get()).endsWith("Added drive d7 as a SPARE");
    }

    @Test
    void takeOfflineGoesThroughTheDialogsModelAndTheSlotShowsTheReasonAndTheDelta() {
        vm.selectedDriveProperty().set("d2");
        assertThat(vm.offlineBlockedProperty().get()).isEmpty();
        assertThat(vm.onlineBlockedProperty().get()).isEqualTo("drive d2 is ONLINE; only an OFFLINE drive is brought online");
        TakeOfflineForm form = vm.offlineForm();
        form.reasonProperty().set(org.splitpoint.engine.pool.OfflineReason.REPLACEMENT);
        form.modeProperty().set(org.splitpoint.engine.pool.LogMode.REPOSITORY);
        assertThat(form.modeNoteProperty().get()).endsWith("Here: a file in meta/ (no SPARE is free).");
        boolean[] closed = {false};
        form.take(() -> closed[0] = true);
        ui.drain();

        assertThat(closed[0]).isTrue();
        assertThat(row("d2").getState()).isEqualTo(DriveState.OFFLINE);
        assertThat(row("d2").noteProperty().get()).isEqualTo("replacement");
        assertThat(row("d2").serviceProperty().get()).isEqualTo("repository · 0 tracks");
        assertThat(row("d2").serviceTipProperty().get()).contains("writes go to a repository on a file in meta/");
        assertThat(status.messageProperty().get()).endsWith("Drive d2 is OFFLINE (replacement); volume prod is in SERVICE,"
                + " writes kept as repository");
        assertThat(vm.onlineBlockedProperty().get()).isEmpty();
        vm.selectedDriveProperty().set("d1");
        assertThat(vm.offlineBlockedProperty().get())
                .isEqualTo("volume prod already has a drive in a service window; bring it back first");
    }

    @Test
    void aRefusalTheRulesDidNotForeseeStaysInTheDialogInTheEnginesWords() {
        vm.selectedDriveProperty().set("d1");
        TakeOfflineForm form = vm.offlineForm();
        bridge.run(pool -> pool.service().offline("d3", org.splitpoint.engine.pool.OfflineReason.REPLACEMENT,
                org.splitpoint.engine.pool.LogMode.POINTERS), j -> { }, why -> {
                    throw new AssertionError(why);
                }); // meanwhile, from a shell
        boolean[] closed = {false};
        form.take(() -> closed[0] = true);
        ui.drain();

        assertThat(closed[0]).isFalse();
        assertThat(form.refusedProperty().get())
                .isEqualTo("volume prod already has a drive in a service window; bring it back first");
        assertThat(row("d1").getState()).isEqualTo(DriveState.ONLINE);
    }

    @Test
    void bringOnlineWaitsForTheFirmwareStepsThenWritesTheDeltaBackUntilTheDriveIsOnline() throws Exception {
        vm.selectedDriveProperty().set("d2");
        try (var steps = org.splitpoint.app.testing.ServiceStepScale.set("0.25")) { // the firmware steps take a second
            vm.offlineForm().take(() -> { }); // firmware, pointers: the defaults
            ui.drain();
        }
        assertThat(vm.onlineBlockedProperty().get()).startsWith("drive d2's firmware steps are still running (job ");
        assertThat(TestPools.await(Duration.ofSeconds(10), () -> {
            bridge.refresh();
            ui.drain();
        }, () -> vm.onlineBlockedProperty().get().isEmpty())).as("the steps end").isTrue();
        bridge.run(pool -> {
            pool.device("prod").write(64 * 1024, java.nio.ByteBuffer.allocate(8192)); // d2's strip of stripe 0
            return null;
        }, x -> { }, why -> {
            throw new AssertionError(why);
        });
        bridge.refresh();
        ui.drain();
        assertThat(row("d2").serviceProperty().get()).isEqualTo("pointers · 1 track");

        vm.bringOnline();
        ui.drain();
        assertThat(status.messageProperty().get()).contains("Drive d2 is coming back: its delta of 1 track is being"
                + " written to it");
        boolean online = TestPools.await(Duration.ofSeconds(20), () -> {
            bridge.refresh();
            ui.drain();
        }, () -> row("d2").getState() == DriveState.ONLINE);
        assertThat(online).isTrue();
        assertThat(row("d2").noteProperty().get()).isEmpty();
        assertThat(row("d2").serviceProperty().get()).isEmpty();
        assertThat(lineGoes()).as("the return's line goes when its job ends").isTrue();
    }
}
