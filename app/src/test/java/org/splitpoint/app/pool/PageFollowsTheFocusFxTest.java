package org.splitpoint.app.pool;

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
 * The page shown follows the keyboard focus. Seen by hand at 1024x700 under Xvfb: on the Drills page scrolled
 * down to a drill's result card, Ctrl+5 put the focus on the plan's Volume field, above the view, so no focus
 * showed; Tab from there went on through fields no one could see. A page's scroll pane does not follow the focus
 * by itself.
 */
class PageFollowsTheFocusFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.DRILLS;
    }

    private ScrollPane page() {
        return (ScrollPane) stage.getScene().getRoot().lookup(".detail-scroll");
    }

    /** How far the focus owner lies outside the page's viewport, in pixels; "" and 0 when in view. */
    private String outOfView() throws Exception {
        return onFx(() -> {
            Node f = stage.getScene().getFocusOwner();
            ScrollPane sp = page();
            Bounds view = sp.localToScene(sp.getLayoutBounds());
            Bounds b = f.localToScene(f.getLayoutBounds());
            double out = Math.max(0, view.getMinY() - b.getMinY()) + Math.max(0, b.getMaxY() - view.getMaxY());
            return out == 0 ? "" : f.getId() + " " + out + " px out of view";
        });
    }

    @Test
    void theFirstControlFocusedOnAScrolledPageComesIntoView(FxRobot robot) throws Exception {
        fx.resize(robot, 1024, 700 - 26);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> page().getContent().getBoundsInLocal().getHeight()
                > page().getViewportBounds().getHeight() + 100));
        robot.interact(() -> page().setVvalue(1)); // at its bottom, as after reading a drill's result
        WaitForAsyncUtils.waitForFxEvents(5);
        robot.interact(() -> fx.view.focusDetail()); // what Ctrl+5 does
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(onFx(() -> stage.getScene().getFocusOwner() != null)).isTrue();
        assertThat(outOfView()).as("the control focused by Go to").isEmpty();

        robot.interact(() -> page().setVvalue(0));
        for (int i = 0; i < 12; i++) { // Tab down the page: every control reached is shown
            robot.push(KeyCode.TAB);
            WaitForAsyncUtils.waitForFxEvents(3);
            boolean inPage = onFx(() -> {
                for (Node p = stage.getScene().getFocusOwner(); p != null; p = p.getParent()) {
                    if (p == page()) {
                        return true;
                    }
                }
                return false;
            });
            if (!inPage) {
                break;
            }
            assertThat(outOfView()).as("after Tab %d", i + 1).isEmpty();
        }
    }
}
