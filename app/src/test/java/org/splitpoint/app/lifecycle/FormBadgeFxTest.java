package org.splitpoint.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A form dialog's header glyph is green only when its action can go: "New volume" showed a green
 * check beside its problem in the error style (seen by hand), which read as "all is well".
 */
class FormBadgeFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.VOLUMES;
    }

    private String tone(FxRobot robot) throws Exception {
        return onFx(() -> {
            // the header's glyph (looked up by its place: it had no id)
            Node badge = robot.lookup("#newVolumeGo").query().getScene().getRoot().lookup(".header-panel .state-badge");
            return badge.getStyleClass().stream().filter(c -> c.startsWith("tone-")).findFirst().orElse("none");
        });
    }

    private String problem(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup("#newVolumeProblem").queryAs(Label.class).getText());
    }

    @Test
    void theNewVolumeHeaderIsGreenOnlyWhileTheFormIsRight(FxRobot robot) throws Exception {
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> { // two SPARE drives to make it from
            pool.admin().addDrive(org.splitpoint.app.testing.TestPools.DRIVE_SIZE);
            return pool.admin().addDrive(org.splitpoint.app.testing.TestPools.DRIVE_SIZE);
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup(".volumes-view #newVolume").tryQuery()
                .map(n -> n.isVisible() && !n.isDisabled()).orElse(false));
        robot.clickOn(".volumes-view #newVolume");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#newVolumeGo").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(problem(robot)).as("an empty form").isNotEmpty();
        assertThat(tone(robot)).as("the header's glyph beside '" + problem(robot) + "'").isEqualTo("tone-idle");

        robot.interact(() -> robot.lookup("#newVolumeName").queryAs(TextField.class).setText("scratch"));
        for (String d : onFx(() -> robot.lookup(n -> n.getId() != null && n.getId().startsWith("newVolumeDrive-"))
                .queryAll().stream().map(Node::getId).toList())) {
            robot.interact(() -> ((javafx.scene.control.CheckBox) robot.lookup("#" + d).query()).setSelected(true));
        }
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> problem(robot).isEmpty());
        assertThat(tone(robot)).as("the form is right").isEqualTo("tone-ok");

        robot.interact(() -> robot.lookup("#newVolumeSize").queryAs(TextField.class).setText("abc"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !problem(robot).isEmpty());
        assertThat(tone(robot)).as("the header's glyph beside '" + problem(robot) + "'").isEqualTo("tone-idle");
        robot.type(KeyCode.ESCAPE);
    }
}
