package org.splitpoint.app.notify;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;


/**
 * A restore started from a shell (an engine call, not the app's buttons) ends: a
 * notification says so, and a click on the Jobs panel's History shows it first in the list.
 */
class NotificationsFxTest extends PoolWindowFxTest {

    private static boolean notificationSays(FxRobot robot, String text) {
        return robot.lookup("#notices .notice-text").queryAllAs(Label.class).stream()
                .anyMatch(l -> l.getText() != null && l.getText().contains(text));
    }

    @Test
    void anEndedJobIsNotifiedAndListedInTheHistory(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#jobHistory").tryQuery().isPresent());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> FxPools.onFx(() -> fx.vm.jobHistory().entries().size() == 1));

        TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().restore("prod-pair", true, true).await(30_000);
        });

        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> notificationSays(robot, "restore prod-pair DONE"));
        robot.clickOn("#jobHistory .title");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#jobHistoryList").tryQuery()
                .map(n -> n.isVisible()).orElse(false));
        @SuppressWarnings("unchecked")
        ListView<org.splitpoint.engine.pool.JobHistory.Entry> list = robot.lookup("#jobHistoryList").queryAs(ListView.class);
        assertThat(FxPools.onFx(() -> list.getItems().get(0).kind())).isEqualTo("restore");
        assertThat(FxPools.onFx(() -> robot.lookup("#jobHistory").queryAs(javafx.scene.control.TitledPane.class).getText()))
                .isEqualTo("History (2)");
    }
}
