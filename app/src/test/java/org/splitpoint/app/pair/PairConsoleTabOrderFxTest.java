package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A keyboard user tabbing into the pair console reaches its copy actions first. The header's
 * "Delete pair…" came first in the scene, so Tab from the tree stopped on the one destructive
 * action before Establish and Split (seen by hand). It stays on the Pair menu (Alt+P), and is
 * clicked where it is; Tab passes it by.
 */
class PairConsoleTabOrderFxTest extends PairConsoleWindowFxTest {

    @Test
    void tabFromTheTreeReachesTheCopyActionsBeforeDeletePair(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> {
            Node split = fx.view.consoleProperty().get().lookup("#splitPair");
            return split != null && !split.isDisabled();
        }));
        onFx(() -> {
            stage.getScene().lookup(".tree-view").requestFocus();
            return null;
        });
        List<String> stops = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            robot.type(KeyCode.TAB);
            WaitForAsyncUtils.waitForFxEvents();
            String id = onFx(() -> {
                Node owner = stage.getScene().getFocusOwner();
                return owner == null ? "none" : owner.getId() == null ? owner.getClass().getSimpleName() : owner.getId();
            });
            stops.add(id);
            if ("splitPair".equals(id) || "deletePair".equals(id)) {
                break;
            }
        }
        assertThat(stops).as("Tab stops from the tree").contains("splitPair").doesNotContain("deletePair");
    }
}
