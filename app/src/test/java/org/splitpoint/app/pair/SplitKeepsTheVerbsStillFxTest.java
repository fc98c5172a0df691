package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A split leaves the pair console's verbs where they were. The line under the diagram ("BCV image
 * taken …") was laid out only while the BCV held an image, so the click on Split pushed Establish,
 * Split and Restore down ~21 px, and the next click landed above them (seen by hand at 1440x900).
 */
class SplitKeepsTheVerbsStillFxTest extends PairConsoleWindowFxTest {

    private String shownState() throws Exception {
        return onFx(() -> ((PairConsoleView) fx.view.consoleProperty().get()).shownState());
    }

    private double sceneY(FxRobot robot, String id) throws Exception {
        return onFx(() -> {
            Node n = robot.lookup(id).query();
            Bounds b = n.localToScene(n.getBoundsInLocal());
            return b.getMinY();
        });
    }

    @Test
    void theVerbsStayPutWhenTheSplitTakesTheBcvsImage(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null
                && "Synchronized".equals(shownState()));
        WaitForAsyncUtils.waitForFxEvents();
        double before = sceneY(robot, "#splitPair");
        double copyRowBefore = sceneY(robot, "#copyProgress");
        String noImage = onFx(() -> robot.lookup(".point-in-time").queryAs(Label.class).getText());
        assertThat(noImage).as("the line says there is no image yet").startsWith("No point-in-time image on the BCV");

        robot.clickOn("#splitPair");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Split".equals(shownState()));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> robot.lookup(".point-in-time")
                .queryAs(Label.class).getText()).startsWith("BCV image taken "));
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(sceneY(robot, "#splitPair")).as("Split's row after the split").isEqualTo(before);
        assertThat(sceneY(robot, "#copyProgress")).as("the copy row after the split").isEqualTo(copyRowBefore);
    }
}
