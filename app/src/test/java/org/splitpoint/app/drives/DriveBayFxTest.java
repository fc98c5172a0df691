package org.splitpoint.app.drives;

import org.splitpoint.app.testing.ServiceStepScale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.splitpoint.engine.pool.VolumeState;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;


/** The drive bay against a real pool: fail a drive, see DEGRADED; replace it, watch the rebuild % run to OPTIMAL. */
class DriveBayFxTest extends PoolWindowFxTest {

    private static ServiceStepScale steps;

    @org.junit.jupiter.api.BeforeAll
    static void fastSteps() {
        steps = ServiceStepScale.set("0");
    }

    @org.junit.jupiter.api.AfterAll
    static void restoreSteps() {
        steps.close();
    }

    private String slotState(String drive) throws Exception {
        return onFx(() -> fx.view.drives().shownState(drive));
    }

    private String volumeReason(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup("#stateReason").tryQueryAs(Label.class).map(Label::getText).orElse(""));
    }

    @Test
    void failingADriveShowsDegradedAndReplacingItRebuildsToOptimal(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "ONLINE".equals(slotState("d3")));
        assertThat(robot.lookup("#failDrive").queryAs(Button.class).isDisabled()).isTrue(); // nothing selected

        robot.clickOn("#slot-d3");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !robot.lookup("#failDrive").queryAs(Button.class).isDisabled());
        robot.clickOn("#failDrive"); // asks first, naming what it costs; Enter cancels
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isPresent());
        assertThat(org.splitpoint.app.testing.Dialogs.stopDialogText(robot)).contains("Fail drive d3 of volume prod?")
                .contains("Volume prod (raid5) becomes DEGRADED").contains("Replace drive…");
        robot.type(javafx.scene.input.KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(slotState("d3")).as("Enter keeps the drive").isEqualTo("ONLINE");
        robot.clickOn("#failDrive");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
        robot.clickOn("#stopAction");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "FAILED".equals(slotState("d3")));

        robot.interact(() -> fx.vm.nav().selectedProperty().set(NavItem.volume("prod")));
        // the header's badge says DEGRADED; the line beside it only why (83079cb)
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "d3 FAILED".equals(volumeReason(robot))
                && fx.vm.volume("prod").lookProperty().get().word().equals("DEGRADED"));
        List<VolumeState> states = new CopyOnWriteArrayList<>();
        robot.interact(() -> fx.vm.volume("prod").stateProperty().addListener((o, was, now) -> states.add(now)));

        robot.interact(() -> fx.vm.nav().selectedProperty().set(NavItem.DRIVES));
        robot.clickOn("#slot-d3").clickOn("#replaceDrive");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        // the rebuild's own limit from its start (1 MB/s for 4 MiB), so its percent can be watched
        robot.clickOn("#rebuildThrottle").clickOn("1 MB/s");
        assertThat(robot.lookup("#confirmAction").queryAs(Button.class).isDisabled()).isTrue();
        robot.clickOn("#confirmName").write("d3");
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#confirmAction");

        List<String> percents = new CopyOnWriteArrayList<>();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> {
            String p = onFx(() -> robot.lookup("#rebuild-d3").queryAs(Label.class).getText());
            if (!p.isEmpty() && (percents.isEmpty() || !percents.get(percents.size() - 1).equals(p))) {
                percents.add(p);
            }
            return "ONLINE".equals(slotState("d3"));
        });
        robot.interact(() -> fx.vm.nav().selectedProperty().set(NavItem.volume("prod")));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> volumeReason(robot).isEmpty()
                && fx.vm.volume("prod").lookProperty().get().word().equals("OPTIMAL"));

        assertThat(percents).as("rebuild percents seen").hasSizeGreaterThanOrEqualTo(2)
                .allMatch(p -> p.matches("\\d{1,3}%"));
        List<Integer> numbers = percents.stream().map(p -> Integer.parseInt(p.replace("%", ""))).toList();
        assertThat(numbers).isSorted();
        assertThat(states).containsSubsequence(VolumeState.REBUILDING, VolumeState.OPTIMAL);
    }

    private String label(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).tryQueryAs(Label.class).map(l -> l.isVisible() ? l.getText() : "").orElse(""));
    }

    @Test
    void aDriveTakenOfflineFromItsMenuShowsItsReasonAndModeAndARefusalStaysInTheDialog(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "ONLINE".equals(slotState("d2")));
        robot.rightClickOn("#slot-d2");
        robot.clickOn("Take offline…");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#offlineMode").tryQuery().isPresent());
        robot.clickOn("#offlineMode").clickOn("data");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> label(robot, "#offlineModeLine")
                .startsWith("The bytes the drive misses go to a delta file in meta/"));
        assertThat(label(robot, "#offlineReasonLine")).startsWith("A firmware update:");

        // meanwhile, from a shell, another drive of prod goes out: the engine refuses, the dialog stays
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> pool.service().offline("d3",
                org.splitpoint.engine.pool.OfflineReason.REPLACEMENT, org.splitpoint.engine.pool.LogMode.POINTERS));
        robot.clickOn("#offlineTake");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> label(robot, "#offlineRefused")
                .equals("volume prod already has a drive in a service window; bring it back first"));
        assertThat(robot.lookup("#offlineTake").tryQuery()).as("the dialog is still open").isPresent();

        org.splitpoint.engine.job.Job back = org.splitpoint.app.testing.TestPools.call(fx.bridge,
                pool -> pool.service().online("d3"));
        assertThat(back.await(10_000)).isTrue();
        robot.clickOn("#offlineTake");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "OFFLINE".equals(slotState("d2")));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> robot.lookup("#offlineTake").tryQuery()
                .map(n -> n.getScene().getWindow().isShowing()).orElse(false)) == Boolean.FALSE); // the dialog closed
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> "firmware".equals(label(robot, "#reason-d2"))
                && "data · 0 tracks".equals(label(robot, "#service-d2")));

        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#bringOnline").queryAs(Button.class)
                .isDisabled()); // once the firmware steps are done
        robot.clickOn("#bringOnline");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "ONLINE".equals(slotState("d2")));
        assertThat(label(robot, "#reason-d2")).isEmpty();
    }

    @Test
    void takeOfflineCancelledChangesNothingThenTheBaysButtonsTakeTheDriveOutAndBringItBack(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "ONLINE".equals(slotState("d2")));
        robot.clickOn("#slot-d2");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !robot.lookup("#takeOffline").queryAs(Button.class).isDisabled());
        assertThat(robot.lookup("#bringOnline").queryAs(Button.class).isDisabled()).as("d2 is not offline").isTrue();

        robot.clickOn("#takeOffline");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#offlineMode").tryQuery().isPresent());
        robot.clickOn("#offlineCancel");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#offlineMode").tryQuery().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(slotState("d2")).isEqualTo("ONLINE");
        org.splitpoint.engine.pool.DriveState d2 = org.splitpoint.app.testing.TestPools.call(fx.bridge,
                pool -> pool.snapshot().drive("d2").state());
        assertThat(d2).isEqualTo(org.splitpoint.engine.pool.DriveState.ONLINE);

        robot.clickOn("#takeOffline");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#offlineTake").tryQuery().isPresent());
        robot.clickOn("#offlineTake");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "OFFLINE".equals(slotState("d2")));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#bringOnline").queryAs(Button.class)
                .isDisabled());
        robot.clickOn("#bringOnline");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "ONLINE".equals(slotState("d2")));
        assertThat(label(robot, "#reason-d2")).isEmpty();
    }
}
