package org.splitpoint.app.nav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.paint.Color;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The selected entry of the navigation tree keeps its state word readable once the focus moves to
 * the page it opened: the selection bar then turns light grey (the light theme), and the word, made
 * white for the focused dark blue bar, read white on light grey ("prod-pair ▮▮ Split", "prod ✓
 * OPTIMAL", seen by hand). White only while the tree has the focus; else the state's own colour.
 */
class NavSelectedBadgeFxTest extends PoolWindowFxTest {

    private Color wordColour() throws Exception {
        return onFx(() -> {
            Node cell = stage.getScene().lookup("#navTree").lookup("#nav-pair-prod-pair");
            return (Color) ((Labeled) cell.lookup(".state-word")).getTextFill();
        });
    }

    @Test
    void theSelectedEntrysStateWordIsWhiteOnlyOnTheFocusedBar(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-pair-prod-pair").tryQuery().isPresent());
        robot.clickOn("#nav-pair-prod-pair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> stage.getScene().lookup("#navTree").isFocused()));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(wordColour()).as("on the focused (dark blue) bar").isEqualTo(Color.WHITE);

        robot.interact(() -> stage.getScene().lookup("#eventsList").requestFocus()); // the focus leaves the tree
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(onFx(() -> stage.getScene().lookup("#navTree").isFocused())).isFalse();
        assertThat(wordColour()).as("on the unfocused (light grey) bar").isNotEqualTo(Color.WHITE);
    }
}
