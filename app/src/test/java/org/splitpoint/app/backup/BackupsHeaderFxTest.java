package org.splitpoint.app.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.FxPools;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Backups view's header over a store with a long path (as the demo's
 * ~/.local/share/splitpoint/demo-backups), at 1024x700: "Images in <path>" and the store's summary
 * ("2 images · 16 MiB") both show in full. The summary stood beside the title, which kept its whole
 * width, and read "2 images · ..." (seen by hand, dark and light alike); it goes under the title now.
 */
@ExtendWith(ApplicationExtension.class)
class BackupsHeaderFxTest {

    @TempDir
    static Path tmp;
    private FxPools fx;

    @Start
    void start(Stage stage) throws Exception {
        // "Images in /tmp/junit-<19 digits>/t<nanos>/demo/store": about as long as the demo's title
        Path dir = tmp.resolve("t" + System.nanoTime()).resolve("demo");
        BackupPools.Made made = BackupPools.withChain(dir);
        fx = FxPools.open(stage, made.pool(), List.of(made.store()));
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static String drawn(Label l) {
        javafx.scene.text.Text t = (javafx.scene.text.Text) l.lookup(".text");
        return t == null ? "" : t.getText();
    }

    @Test
    void at1024x700TheStoresSummaryShowsInFullBesideALongPath(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-backups").tryQuery().isPresent());
        robot.clickOn("#nav-backups");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !onFx(() -> robot.lookup("#storeSummary")
                .queryAs(Label.class).getText()).isEmpty());
        fx.resize(robot, 1024, 700);
        try {
            WaitForAsyncUtils.waitForFxEvents(5);
            Label summary = robot.lookup("#storeSummary").queryAs(Label.class);
            Label title = robot.lookup("#imagesTitle").queryAs(Label.class);
            assertThat(onFx(summary::getText)).startsWith("2 images · ").endsWith(" MiB");
            assertThat(onFx(() -> drawn(summary))).as("the summary as drawn").isEqualTo(onFx(summary::getText));
            assertThat(onFx(() -> drawn(title))).as("the title as drawn").isEqualTo(onFx(title::getText));
        } finally {
            fx.resize(robot, 1260, 780);
        }
    }
}
