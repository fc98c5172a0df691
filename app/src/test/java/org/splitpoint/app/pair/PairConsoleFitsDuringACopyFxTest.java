package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ScrollPane;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * At 1024x700, while a copy runs, the pair console's last row (Host workload on prod: Start) is whole in the
 * window, the page unscrolled. Seen by hand under Xvfb during an establish: the copy's line and the legend
 * wrapped to two rows each and the header's sentence too, and the row with Start was cut by the detail's edge.
 */
class PairConsoleFitsDuringACopyFxTest extends PairConsoleWindowFxTest {

    @Test
    void theWorkloadsStartIsWholeAt1024x700DuringACopy(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        TestPools.call(fx.bridge, pool -> { // a full establish at 1 MB/s: it runs for a minute
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().establish("prod-pair", true, 1_000_000);
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() ->
                !((Button) fx.view.consoleProperty().get().lookup("#pauseCopy")).isDisabled()));
        fx.resize(robot, 1024, 700 - 26); // the app's window less its menu bar
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents(5);
        String cut = onFx(() -> {
            ScrollPane page = (ScrollPane) stage.getScene().getRoot().lookup(".detail-scroll");
            Bounds view = page.localToScene(page.getLayoutBounds());
            Node start = fx.view.consoleProperty().get().lookup("#workloadToggle");
            Bounds b = start.localToScene(start.getLayoutBounds());
            return b.getMaxY() <= view.getMaxY() + 0.5 && page.getVvalue() == page.getVmin() ? ""
                    : "Start " + b.getMinY() + ".." + b.getMaxY() + ", the page's view ends at " + view.getMaxY()
                    + ", scrolled " + page.getVvalue();
        });
        assertThat(cut).isEmpty();
    }
}
