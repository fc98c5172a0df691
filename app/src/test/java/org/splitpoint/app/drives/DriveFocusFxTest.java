package org.splitpoint.app.drives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The keyboard focus stays on the drive acted on: after "Fail drive" on d8 the focus ring sat on d1
 * (seen by hand under Xvfb): the button, disabled by the drive's new state, handed the focus to the
 * next node in the scene, the bay's first slot, and the arrow keys then moved from there.
 */
class DriveFocusFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.DRIVES;
    }

    private String focusedId() throws Exception {
        return onFx(() -> {
            Node n = stage.getScene().getFocusOwner();
            return n == null ? "(none)" : String.valueOf(n.getId());
        });
    }

    @Test
    void theFocusStaysOnTheDriveFailedFromTheBaysButton(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "ONLINE".equals(onFx(() -> fx.view.drives().shownState("d3"))));
        robot.clickOn("#slot-d3");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !robot.lookup("#failDrive").queryAs(Button.class).isDisabled());
        robot.clickOn("#failDrive");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
        robot.clickOn("#stopAction");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "FAILED".equals(onFx(() -> fx.view.drives().shownState("d3")))
                && robot.lookup("#failDrive").queryAs(Button.class).isDisabled());
        WaitForAsyncUtils.sleep(200, TimeUnit.MILLISECONDS); // the scene moves a disabled node's focus at a pulse
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(focusedId()).as("the focus after failing d3").isEqualTo("slot-d3");
    }
}
