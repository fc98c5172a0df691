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

    /** The Size field's place on the screen, the dialog's height and the problem line's height. */
    private double[] sizeField(FxRobot robot) throws Exception {
        return onFx(() -> {
            Node size = robot.lookup("#newVolumeSize").query();
            Bounds b = size.localToScreen(size.getLayoutBounds());
            Label problem = robot.lookup("#newVolumeProblem").queryAs(Label.class);
            return new double[] {b.getMinY(), size.getScene().getWindow().getHeight(), problem.getHeight()};
        });
    }

    /**
     * By hand under Xvfb at 1024x700: with two drives ticked, "9G" typed into Size made the problem
     * line two lines ("the size 9 GiB is larger than ... / for all of it, or tick more drives") and the
     * dialog grew 16 px at its top, so every field moved up under the mouse: the next click meant for
     * Size landed on its note. A one-line and a two-line problem now take the same room.
     */
    @Test
    void theFieldsStayStillWhenTheProblemLineWrapsToTwoLines(FxRobot robot) throws Exception {
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> { // two SPARE drives, as the first-run demo has
            pool.admin().addDrive(org.splitpoint.app.testing.TestPools.DRIVE_SIZE);
            return pool.admin().addDrive(org.splitpoint.app.testing.TestPools.DRIVE_SIZE);
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#newVolume").tryQuery()
                .map(n -> n.isVisible() && !n.isDisabled()).orElse(false));
        robot.clickOn("#newVolume");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#newVolumeGo").tryQuery().isPresent());
        settle();
        assertThat(onFx(() -> robot.lookup("#newVolumeProblem").queryAs(Label.class).getText()))
                .as("one line at first").contains("needs at least");
        double[] oneLine = sizeField(robot);
        robot.interact(() -> robot.lookup(n -> n.getId() != null && n.getId().startsWith("newVolumeDrive-"))
                .queryAllAs(javafx.scene.control.CheckBox.class).forEach(c -> c.setSelected(true)));
        settle();
        assertThat(onFx(() -> robot.lookup("#newVolumeProblem").queryAs(Label.class).getText())).isEmpty();
        double[] none = sizeField(robot);

        robot.interact(() -> robot.lookup("#newVolumeSize").queryAs(TextField.class).setText("9G"));
        settle();
        assertThat(onFx(() -> robot.lookup("#newVolumeProblem").queryAs(Label.class).getText())).contains("9 GiB");
        double[] twoLines = sizeField(robot);
        double lineHeight = onFx(() -> robot.lookup("#newVolumeProblem").queryAs(Label.class).getFont().getSize());
        robot.type(KeyCode.ESCAPE);

        assertThat(twoLines[2]).as("the sentence takes two lines").isGreaterThan(oneLine[2] - 1).isGreaterThan(lineHeight * 1.8);
        assertThat(none[0]).as("Size's top, no problem").isCloseTo(oneLine[0], org.assertj.core.data.Offset.offset(1.0));
        assertThat(twoLines[0]).as("Size's top, a two-line problem").isCloseTo(oneLine[0], org.assertj.core.data.Offset.offset(1.0));
        assertThat(twoLines[1]).as("the dialog's height, a two-line problem").isCloseTo(oneLine[1], org.assertj.core.data.Offset.offset(1.0));
    }
}
