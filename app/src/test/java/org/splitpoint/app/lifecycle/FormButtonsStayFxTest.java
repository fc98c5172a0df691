package org.splitpoint.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A form dialog's buttons stay where they are while its problem line comes and goes: the line was
 * laid out only while it said something, so the dialog grew by a line under the fields when a typed
 * size was wrong and shrank when it was right, and the buttons moved under the mouse (seen by hand in
 * "New volume": Create volume 23 px up once the second drive was ticked). The line's room is kept,
 * and a sentence longer than it grows the dialog upwards, its buttons' row staying put.
 */
class FormButtonsStayFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.DRIVES;
    }

    /** The Go button's place on the screen and the dialog's height. */
    private double[] where(FxRobot robot) throws Exception {
        return onFx(() -> {
            Node go = robot.lookup("#addDrivesGo").query();
            Bounds b = go.localToScreen(go.getLayoutBounds()); // not its visual bounds, which its focus ring widens
            return new double[] {b.getMinX(), b.getMinY(), go.getScene().getWindow().getHeight()};
        });
    }

    private void settle() {
        WaitForAsyncUtils.waitForFxEvents(5);
        WaitForAsyncUtils.sleep(200, TimeUnit.MILLISECONDS); // the dialog's fit runs later on the UI thread
        WaitForAsyncUtils.waitForFxEvents(5);
    }

    private String problem(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup("#addDrivesProblem").queryAs(Label.class).getText());
    }

    private void type(FxRobot robot, String text) throws Exception {
        robot.interact(() -> robot.lookup("#addDrivesSize").queryAs(TextField.class).setText(text));
        settle();
    }

    @Test
    void theButtonsStayStillWhileTheProblemLineComesAndGoes(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#addDrives").tryQuery()
                .map(n -> n.isVisible() && !n.isDisabled()).orElse(false));
        robot.clickOn("#addDrives");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#addDrivesGo").tryQuery().isPresent());
        settle();
        assertThat(problem(robot)).as("no problem at first").isEmpty();
        double[] first = where(robot);


        type(robot, "abc"); // one line
        assertThat(problem(robot)).contains("abc");
        double[] oneLine = where(robot);
        assertThat(oneLine[1]).as("the Go button's top after a one-line problem").isCloseTo(first[1], org.assertj.core.data.Offset.offset(1.0));
        assertThat(oneLine[2]).as("the dialog's height after a one-line problem").isCloseTo(first[2], org.assertj.core.data.Offset.offset(1.0));

        type(robot, "x".repeat(150)); // a sentence of three lines or so: the dialog grows, upwards
        double[] long_ = where(robot);
        assertThat(long_[2]).as("the dialog grew for the long sentence").isGreaterThan(first[2] + 10);
        assertThat(long_[1]).as("the Go button's top after a long problem").isCloseTo(first[1], org.assertj.core.data.Offset.offset(1.0));

        type(robot, "");
        assertThat(problem(robot)).isEmpty();
        double[] gone = where(robot);
        assertThat(gone[1]).as("the Go button's top once the problem went").isCloseTo(first[1], org.assertj.core.data.Offset.offset(1.0));
        assertThat(gone[0]).as("nor sideways").isCloseTo(first[0], org.assertj.core.data.Offset.offset(1.0));
        robot.type(KeyCode.ESCAPE);
    }
}
