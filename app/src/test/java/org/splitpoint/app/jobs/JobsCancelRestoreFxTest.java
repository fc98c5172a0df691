package org.splitpoint.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Jobs panel's typed confirmation of an instant restore's cancel, open when the restore ends,
 * says so and cancels nothing: it went on asking to cancel a finished restore, its action enabled
 * (h126, by hand, in this panel). 43f29293 fixed it here and in the restore view, and tested only
 * the restore view's dialog; the panel's dialog follows its row leaving the list.
 */
@ExtendWith(ApplicationExtension.class)
class JobsCancelRestoreFxTest {

    @TempDir
    static Path tmp;
    private FxPools fx;
    private BackupPools.Made made;

    @Start
    void start(Stage stage) throws Exception {
        made = BackupPools.failed(tmp.resolve("t" + System.nanoTime()));
        fx = FxPools.open(stage, made.pool(), List.of(made.store()));
    }

    @AfterEach
    void close() {
        fx.close();
    }

    /** The Cancel button of the Jobs panel's row of the instant restore, if it shows. */
    private static java.util.Optional<Button> rowCancel(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup(".job-cell").queryAll().stream()
                .filter(cell -> cell.isVisible() && cell.lookupAll(".label").stream()
                        .anyMatch(l -> ((Label) l).getText() != null && ((Label) l).getText().contains("data")))
                .flatMap(cell -> cell.lookupAll(".job-button").stream())
                .map(Button.class::cast).filter(b -> "Cancel".equals(b.getText()) && b.isVisible() && !b.isDisabled())
                .findFirst());
    }

    private static boolean said(FxRobot robot, String part) throws Exception {
        return onFx(() -> robot.lookup(".confirm-dialog").lookup(".label").queryAll().stream()
                .map(n -> ((Label) n).getText()).anyMatch(t -> t != null && t.contains(part)));
    }

    @Test
    void theJobsPanelsCancelDialogOfARestoreThatEndsMeanwhileSaysSoAndCancelsNothing(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> pool.instantRestores().restore("data", made.store(), made.image(), false,
                200_000)); // 200 kB/s: about 80 s for the volume, unless the test lifts the limit
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> rowCancel(robot).isPresent());
        robot.clickOn(rowCancel(robot).orElseThrow());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        assertThat(said(robot, "ended")).as("the dialog of a running restore").isFalse();
        Button action = robot.lookup("#confirmAction").queryAs(Button.class);
        robot.clickOn("#confirmName").write("data");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !action.isDisabled());

        TestPools.call(fx.bridge, pool -> { // the restore ends while the dialog is open
            pool.jobs().forEach(j -> j.setThrottle(0));
            return null;
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> action.isDisabled());
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> said(robot, "The restore of data ended: there is nothing"
                + " left to cancel."));
        robot.clickOn("#confirmCancel");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isEmpty());
        // nothing cancelled: the volume is whole, OPTIMAL (a cancel would leave it partly restored)
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "OPTIMAL".equals(TestPools.call(fx.bridge,
                pool -> String.valueOf(pool.snapshot().volume("data").state()))));
    }
}
