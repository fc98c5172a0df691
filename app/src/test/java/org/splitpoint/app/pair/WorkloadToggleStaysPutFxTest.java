package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The pair console's Start/Stop of the STD's workload stays where it was clicked. It came after the
 * workload's counters, so the click on Start made it Stop somewhere else: the counters grew ("not
 * running", then reads and writes per second) and moved it right, then wrapped it to a line of its
 * own (seen by hand at 1440x900, and again at each change of the counters' width).
 */
class WorkloadToggleStaysPutFxTest extends PairConsoleWindowFxTest {

    private Bounds at(FxRobot robot) throws Exception {
        return onFx(() -> {
            Node n = robot.lookup("#workloadToggle").query();
            return n.localToScene(n.getLayoutBounds()); // not the focus ring, which the click adds
        });
    }

    @Test
    void startAndStopStayUnderTheMouseWhileTheCountersChange(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        Bounds before = at(robot);
        robot.clickOn("#workloadToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Stop".equals(onFx(() ->
                robot.lookup("#workloadToggle").queryAs(Button.class).getText())));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() ->
                robot.lookup("#workloadIo").queryAs(Label.class).getText()).matches("R .* MB/s · W .* MB/s · .*"));
        WaitForAsyncUtils.waitForFxEvents();
        Bounds running = at(robot);
        robot.clickOn("#workloadToggle"); // stops it: the click lands on the button it aimed at
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Start".equals(onFx(() ->
                robot.lookup("#workloadToggle").queryAs(Button.class).getText())));

        assertThat(running.getMinX()).as("x once running").isEqualTo(before.getMinX());
        assertThat(running.getMinY()).as("y once running").isEqualTo(before.getMinY());
    }
}
