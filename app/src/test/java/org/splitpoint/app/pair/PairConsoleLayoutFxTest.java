package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.ScrollPane;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;


/**
 * Defect 5: at 1024x700 the pair console needs no horizontal scrolling: the BCV box, the throttle
 * and the on-demand counter are inside the window, and after growing the window and shrinking it
 * back the console fits again (a link sized from its container's width kept it wide before).
 */
class PairConsoleLayoutFxTest extends PairConsoleWindowFxTest {

    /** The controls named, each within the scroll pane's viewport horizontally; the content no wider than it. */
    private void assertFitsAcross(FxRobot robot, String when) throws Exception {
        List<String> outside = onFx(() -> {
            PairConsoleView console = (PairConsoleView) fx.view.consoleProperty().get();
            ScrollPane sp = (ScrollPane) console.getParent().getParent().getParent(); // viewport content, viewport, pane
            Bounds port = sp.localToScene(sp.getBoundsInLocal());
            List<String> out = new java.util.ArrayList<>();
            if (console.getWidth() > sp.getViewportBounds().getWidth() + 1) {
                out.add("the console (" + console.getWidth() + " wide in " + sp.getViewportBounds().getWidth() + ")");
            }
            for (String sel : List.of(".pair-bcv", ".pair-std", "#pairState", "#throttle", "#throttleText", "#onDemand",
                    "#restorePair", "#cancelCopy", "#protectBcv")) {
                Node n = console.lookup(sel);
                Bounds b = n.localToScene(n.getBoundsInLocal());
                if (b.getMinX() < port.getMinX() - 1 || b.getMaxX() > port.getMaxX() + 1) {
                    out.add(sel + " " + b.getMinX() + ".." + b.getMaxX() + " outside " + port.getMinX() + ".." + port.getMaxX());
                }
            }
            return out;
        });
        assertThat(outside).as(when).isEmpty();
    }

    @Test
    void atTheSmallestSupportedSizeThePairConsoleFitsAcross(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        fx.resize(robot, 1024, 700);
        assertFitsAcross(robot, "at 1024x700");
        fx.resize(robot, 1270, 790);
        fx.resize(robot, 1024, 700);
        assertFitsAcross(robot, "at 1024x700 after growing the window and shrinking it back");
    }
}
