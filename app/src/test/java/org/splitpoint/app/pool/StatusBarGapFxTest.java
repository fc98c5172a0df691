package org.splitpoint.app.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The status bar keeps a gap between the host I/O on its left and a long last message on its right:
 * the bar's grid has none, and "W 0.0 MB/s" ran into the message's time ("W 0.0 MB/s20:39:45").
 */
class StatusBarGapFxTest extends PoolWindowFxTest {

    @Test
    void aLongMessageDoesNotRunIntoTheHostIo(FxRobot robot) throws Exception {
        robot.interact(() -> fx.vm.status().succeeded("Spare drive d9 takes the place of d2 in volume prod; rebuilding at up to"
                + " 2.0 MB/s; d2 stays FAILED in the bay, to be pulled or replaced, and this sentence goes on and on"));
        WaitForAsyncUtils.waitForFxEvents(5);
        double[] x = onFx(() -> {
            Node io = stage.getScene().getRoot().lookup(".status-bar .host-io");
            Node message = stage.getScene().getRoot().lookup(".status-bar .status-message");
            Bounds a = io.localToScene(io.getLayoutBounds());
            Bounds b = message.localToScene(message.getLayoutBounds());
            return new double[] {a.getMaxX(), b.getMinX()};
        });
        assertThat(x[1] - x[0]).as("the gap between the host I/O and the message").isGreaterThanOrEqualTo(10);
    }
}
