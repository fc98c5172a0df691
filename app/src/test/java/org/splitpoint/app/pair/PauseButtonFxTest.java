package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The console's Pause button, once the copy is paused, reads "Resume" in full: it was 70 px wide,
 * room for "Pause", and read "Resu...". The instant restore's and the snapshot card's had the same width.
 */
class PauseButtonFxTest extends PairConsoleWindowFxTest {

    @Test
    void aPausedCopysButtonReadsResumeInFull(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        TestPools.call(fx.bridge, pool -> { // a full establish at 1 MB/s: it runs for a minute
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().establish("prod-pair", true, 1_000_000);
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> {
            Button b = (Button) fx.view.consoleProperty().get().lookup("#pauseCopy");
            return !b.isDisabled() && "Pause".equals(b.getText());
        }));
        robot.clickOn("#pauseCopy");
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() ->
                "Resume".equals(((Button) fx.view.consoleProperty().get().lookup("#pauseCopy")).getText())));
        WaitForAsyncUtils.waitForFxEvents(5);
        String shown = onFx(() -> ((Text) fx.view.consoleProperty().get().lookup("#pauseCopy").lookup(".text")).getText());
        assertThat(shown).isEqualTo("Resume");
    }

    /** A double-click on Pause pauses: its second click hit the button, now Resume, and resumed the copy. */
    @Test
    void aDoubleClickOnPauseLeavesTheCopyPaused(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        var job = TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().establish("prod-pair", true, 1_000_000);
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> {
            Button b = (Button) fx.view.consoleProperty().get().lookup("#pauseCopy");
            return !b.isDisabled() && "Pause".equals(b.getText());
        }));
        robot.doubleClickOn("#pauseCopy");
        WaitForAsyncUtils.waitForFxEvents(5);
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() ->
                "Resume".equals(((Button) fx.view.consoleProperty().get().lookup("#pauseCopy")).getText())));
        assertThat(job.state()).isEqualTo(org.splitpoint.engine.job.JobState.PAUSED);
        robot.moveBy(300, 300); // a click after this one, here, would count as a third
    }
}
