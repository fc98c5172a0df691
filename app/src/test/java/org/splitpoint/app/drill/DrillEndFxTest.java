package org.splitpoint.app.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.ServiceStepScale;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A drill of two minutes started by keyboard: the focus stays in the Drills view (on End drill now,
 * which appears beside Start; it went to Jobs → History when Start disabled itself), the writes'
 * step says how far into the window it is and how long is left, and End drill now, after its
 * question, ends the window at once: the drive comes back with its delta, the result card says the
 * window was ended early, and the focus returns to Start. Before, no control ended a drill.
 */
@ExtendWith(ApplicationExtension.class)
class DrillEndFxTest {

    private static ServiceStepScale steps;

    @TempDir
    static Path tmp;
    private FxPools fx;

    @BeforeAll
    static void fastSteps() {
        steps = ServiceStepScale.set("0");
    }

    @AfterAll
    static void restoreSteps() {
        steps.close();
    }

    @Start
    void start(Stage stage) throws Exception {
        fx = FxPools.open(stage, TestPools.plain(tmp.resolve("t" + System.nanoTime()), 16L << 20), List.of());
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static List<DrillTimeline.Row> timeline(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup(".step-line").queryAll().stream().map(n -> ((StepLine) n).row()).toList());
    }

    private static Node focusOwner(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup("#startDrill").query().getScene().getFocusOwner());
    }

    private static boolean inDrills(Node n) {
        for (Node p = n; p != null; p = p.getParent()) {
            if (p instanceof DrillView) {
                return true;
            }
        }
        return false;
    }

    /** Start by keyboard: the focus stays in the Drills view as Start disables itself (it went to Jobs → History). */
    @Test
    void startByKeyboardLeavesTheFocusInTheDrillsView(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-drills").tryQuery().isPresent());
        robot.clickOn("#nav-drills");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "prod".equals(
                onFx(() -> robot.lookup("#drillVolume").<ComboBox<String>>query().getValue())));
        onFx(() -> {
            DrillPlanForm f = fx.vm.drills().form();
            f.testDataProperty().set(false);
            f.writesForProperty().set(3);
            robot.lookup("#startDrill").query().requestFocus();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.type(KeyCode.SPACE);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.drills().runningProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
        Node owner = focusOwner(robot);
        assertThat(inDrills(owner)).as("the focus stays in the Drills view, not on " + owner).isTrue();
        WaitForAsyncUtils.waitFor(40, TimeUnit.SECONDS, () -> !onFx(() -> fx.vm.drills().runningProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
        owner = focusOwner(robot);
        assertThat(inDrills(owner)).as("at the drill's end too, not on " + owner).isTrue();
    }

    @Test
    void aDrillStartedByKeyboardKeepsTheFocusAndEndsEarlyOnRequest(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-drills").tryQuery().isPresent());
        robot.clickOn("#nav-drills");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "prod".equals(
                onFx(() -> robot.lookup("#drillVolume").<ComboBox<String>>query().getValue())));
        onFx(() -> {
            DrillPlanForm f = fx.vm.drills().form();
            f.testDataProperty().set(false); // the hosts' writes only: Start asks nothing
            f.writesForProperty().set(120);
            robot.lookup("#startDrill").query().requestFocus();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.type(KeyCode.SPACE);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.drills().runningProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
        Node owner = focusOwner(robot);
        assertThat(inDrills(owner)).as("the focus stays in the Drills view, not on " + owner).isTrue();
        assertThat(owner).isSameAs(robot.lookup("#endDrill").query());

        // the writes step says where the window is: "3 s of 2 min in the window · 1 min 57 s left"
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> timeline(robot).stream().anyMatch(r ->
                r.name().equals("writes") && r.state() == DrillTimeline.StepState.RUNNING && r.live().contains("left")));
        DrillTimeline.Row writes = timeline(robot).stream().filter(r -> r.name().equals("writes")).findFirst().orElseThrow();
        assertThat(writes.live()).matches("\\d+ s of 2 min in the window · (2 min|1 min( \\d+ s)?) left");

        // the bay's Bring online is not for d1 meanwhile: it stopped the drill without its resync's figures or verify
        String online = onFx(() -> {
            fx.vm.drives().selectedDriveProperty().set("d1");
            return fx.vm.drives().onlineBlockedProperty().get();
        });
        assertThat(online).isEqualTo("drive d1 is in the drill running in Drills; End drill now there brings it back,"
                + " resyncs its delta and verifies the volume");
        onFx(() -> {
            robot.lookup("#endDrill").query().requestFocus();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.type(KeyCode.SPACE); // End drill now, focused: it asks first
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
        String said = onFx(() -> String.join(" ", robot.lookup(".confirm-dialog").lookup(".label").queryAll().stream()
                .map(n -> ((Label) n).getText()).toList()));
        assertThat(said).contains("End the drill on prod/d1 (firmware, pointers) now?")
                .contains("The window closes now instead of 120 s after d1 went OFFLINE.")
                .contains("d1 comes back ONLINE and only its delta is resynced; then the volume is verified, as at the"
                        + " window's planned end.");
        assertThat(onFx(() -> robot.lookup("#stopKeep").queryAs(Button.class).isDefaultButton()))
                .as("Enter keeps the drill running").isTrue();
        long asked = System.nanoTime();
        robot.clickOn("#stopAction");
        // End drill now disables itself once asked: the focus goes to the drill's timeline, not out of the view
        WaitForAsyncUtils.waitForFxEvents();
        if (onFx(() -> fx.vm.drills().runningProperty().get())) {
            Node during = focusOwner(robot);
            assertThat(inDrills(during)).as("the focus stays in the Drills view, not on " + during).isTrue();
        }
        WaitForAsyncUtils.waitFor(40, TimeUnit.SECONDS, () -> !onFx(() -> fx.vm.drills().runningProperty().get()));
        assertThat((System.nanoTime() - asked) / 1e9).as("ended long before its 2 minutes").isLessThan(40);
        var result = onFx(() -> fx.vm.drills().resultProperty().get());
        assertThat(result).as("the drill reached its result: " + onFx(() -> fx.vm.drills().stoppedProperty().get()))
                .isNotNull();
        assertThat(result.endedEarly()).isTrue();
        assertThat(result.tracksResynced()).isEqualTo(result.deltaTracks());
        assertThat(result.verifyMismatches()).isZero();
        assertThat(timeline(robot)).extracting(DrillTimeline.Row::name).contains(org.splitpoint.engine.pool.Drill.ENDED_EARLY);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(onFx(() -> robot.lookup("#figWindow").queryAs(Label.class).getText()))
                .startsWith("Ended at the administrator's request ").endsWith(" after d1 went OFFLINE (120 s planned)");
        assertThat(onFx(() -> robot.lookup("#endDrill").query().getParent().isVisible())).as("End drill now is gone").isFalse();
        assertThat(focusOwner(robot)).as("back on Start").isSameAs(robot.lookup("#startDrill").query());
        assertThat(onFx(() -> fx.view.drives().shownState("d1"))).isEqualTo("ONLINE");
        assertThat(onFx(() -> fx.vm.drives().onlineBlockedProperty().get())).as("the drill is over")
                .doesNotContain("is in the drill");
    }
}
