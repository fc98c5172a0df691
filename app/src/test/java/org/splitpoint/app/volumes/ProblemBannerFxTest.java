package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.Corruption;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;


/**
 * A verify done outside the page (as `volume verify` forwarded from a shell) finds mismatches: the
 * volume's page shows the problem with Repair, the status bar names it; a click on Repair clears both.
 */
class ProblemBannerFxTest extends PoolWindowFxTest {

    private static boolean showing(FxRobot robot, String id) {
        Node n = robot.lookup(id).tryQuery().orElse(null);
        if (n == null || n.getScene() == null) {
            return false;
        }
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private static String text(FxRobot robot, String selector) throws Exception {
        return onFx(() -> robot.lookup(selector).queryAs(Label.class).getText());
    }

    @Test
    void repairClearsTheProblemTheVerifyFound(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-prod").tryQuery().isPresent());
        robot.clickOn("#nav-volume-prod");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#repairProblem").tryQuery().isPresent());
        assertThat(showing(robot, "#repairProblem")).as("no problem yet").isFalse();

        long found = TestPools.call(fx.bridge, pool -> {
            Corruption.scribble(pool, "prod", "d1");
            return pool.admin().verify("prod", false, null);
        });
        assertThat(found).isPositive();
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> showing(robot, "#repairProblem"));
        assertThat(text(robot, "#volumeProblem")).contains("mismatched sectors in volume prod");
        assertThat(text(robot, ".status-bar .problems")).contains("mismatched sectors in volume prod");

        robot.clickOn("#repairProblem");

        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !showing(robot, "#repairProblem"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> text(robot, ".status-bar .problems").isEmpty());
        long after = TestPools.call(fx.bridge, pool -> pool.admin().verify("prod", false, null));
        assertThat(after).isZero();
    }
}
