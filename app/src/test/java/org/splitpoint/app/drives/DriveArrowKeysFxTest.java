package org.splitpoint.app.drives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.ScrollPane;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The drive bay by keyboard alone (Help → Keyboard shortcuts: "Arrow keys: move between drive slots"). Seen by
 * hand under Xvfb with the demo's twelve drives (three rows, two in view): Down on d1 scrolled the bay's scroll
 * pane by a few pixels instead of moving to the drive below, Up and Down never moved; Right from d10 moved the
 * focus and the selection to d11, in the third row, out of view, where the administrator could not see which
 * drive Fail drive would fail. And a click on a drive left the focus on the bay's scroll pane, not on the drive,
 * so the arrow keys after a click scrolled the bay.
 */
class DriveArrowKeysFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.DRIVES;
    }

    private String selected() throws Exception {
        return onFx(() -> fx.vm.drives().selectedDriveProperty().get());
    }

    private String focused() throws Exception {
        return onFx(() -> {
            Node n = stage.getScene().getFocusOwner();
            return n == null ? "(none)" : String.valueOf(n.getId());
        });
    }

    private double[] place(String id) throws Exception {
        return onFx(() -> {
            Node n = stage.getScene().lookup(id);
            return new double[] {n.getLayoutX(), n.getLayoutY()};
        });
    }

    /** What of {@code id} lies outside the bay's viewport, in pixels (0: all in view). */
    private double outOfView(String id) throws Exception {
        return onFx(() -> {
            ScrollPane sp = (ScrollPane) stage.getScene().lookup(".bay-scroll");
            Node n = stage.getScene().lookup(id);
            Bounds view = sp.localToScene(sp.getLayoutBounds());
            Bounds b = n.localToScene(n.getLayoutBounds());
            return Math.max(0, view.getMinY() - b.getMinY()) + Math.max(0, b.getMaxY() - view.getMaxY());
        });
    }

    private void press(FxRobot robot, KeyCode... k) {
        robot.push(k);
        WaitForAsyncUtils.waitForFxEvents(5);
        WaitForAsyncUtils.sleep(150, TimeUnit.MILLISECONDS); // a reveal may wait for a pulse's layout
        WaitForAsyncUtils.waitForFxEvents(5);
    }

    /** The bay is one stop of Tab: from the selected drive Tab leaves the bay, Shift+Tab comes back to that drive. */
    @Test
    void theBayIsOneTabStop(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() ->
                stage.getScene().getRoot().lookupAll(".drive-slot").size() >= 3));
        robot.clickOn("#slot-d2");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> "d2".equals(selected()));
        press(robot, KeyCode.TAB);
        assertThat(focused()).as("Tab from d2").doesNotStartWith("slot-");
        press(robot, KeyCode.SHIFT, KeyCode.TAB);
        assertThat(focused()).as("Shift+Tab back").isEqualTo("slot-d2");
        press(robot, KeyCode.RIGHT);
        press(robot, KeyCode.SHIFT, KeyCode.TAB);
        assertThat(focused()).as("Shift+Tab from d3, the drive moved to").doesNotStartWith("slot-");
        press(robot, KeyCode.TAB);
        assertThat(focused()).as("Tab back into the bay").isEqualTo("slot-d3");
    }

    /** The hint under the bay names the keys, and shows in full at 1024x700 (it ended in "for…" there). */
    @Test
    void theBaysHintNamesTheKeysInFullAt1024x700(FxRobot robot) throws Exception {
        fx.resize(robot, 1024, 700 - 26);
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> !fx.vm.drives().rows().isEmpty()));
        WaitForAsyncUtils.waitForFxEvents(5);
        java.util.List<String> hint = onFx(() -> {
            javafx.scene.control.Label l = (javafx.scene.control.Label) stage.getScene().lookup("#bayHint");
            String shown = l.getChildrenUnmodifiable().stream().filter(c -> c instanceof javafx.scene.text.Text)
                    .map(c -> ((javafx.scene.text.Text) c).getText()).findFirst().orElse("");
            return java.util.List.of(l.getText(), shown);
        });
        assertThat(hint.get(0)).contains("arrow keys").contains("Shift+F10");
        assertThat(hint.get(1).replace("\n", " ")).as("the hint as shown").isEqualTo(hint.get(0));
    }

    @Test
    void theArrowKeysMoveByRowsAndTheDriveMovedToIsInView(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> !fx.vm.drives().rows().isEmpty()));
        int drives = onFx(() -> fx.vm.drives().rows().size());
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> { // twelve drives, as the app's demo pool has
            for (int i = drives; i < 12; i++) {
                pool.admin().addDrive(0);
            }
            return null;
        });
        fx.resize(robot, 1024, 700 - 26); // the smallest supported window, less the app's menu bar
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() ->
                stage.getScene().getRoot().lookupAll(".drive-slot").size() == 12));
        robot.clickOn("#slot-d1");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> "d1".equals(selected()));
        assertThat(focused()).as("the focus after a click on d1").isEqualTo("slot-d1");
        double[] d1 = place("#slot-d1");

        press(robot, KeyCode.DOWN);
        String below = selected();
        assertThat(below).as("Down from d1").isNotEqualTo("d1");
        assertThat(focused()).isEqualTo("slot-" + below);
        double[] b = place("#slot-" + below);
        assertThat(b[1]).as("the drive below d1 is in the next row").isGreaterThan(d1[1]);
        assertThat(b[0]).as("straight below").isEqualTo(d1[0]);
        assertThat(outOfView("#slot-" + below)).as("the drive moved to, in view").isZero();

        press(robot, KeyCode.UP);
        assertThat(selected()).as("Up goes back").isEqualTo("d1");
        assertThat(outOfView("#slot-d1")).as("d1 in view again").isZero();

        press(robot, KeyCode.END);
        String last = selected();
        assertThat(last).as("End: the last drive").isEqualTo(onFx(() -> fx.vm.drives().rows()
                .get(fx.vm.drives().rows().size() - 1).name()));
        assertThat(outOfView("#slot-" + last)).as("the last drive, in view").isZero();
        press(robot, KeyCode.HOME);
        assertThat(selected()).isEqualTo("d1");
        assertThat(outOfView("#slot-d1")).isZero();
    }
}
