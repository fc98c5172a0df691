package org.splitpoint.app.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.TreeTableCell;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Backups view's Tracks held column shows its counts whole: under X a full image of a volume of
 * 32,768 tracks read "24,000 of 32…" in the column's 104 px. Here an image of 16,384 tracks of 4 KiB,
 * every one held ("16,384 of 16,384"), is listed, and its cell's text is drawn as it is.
 */
@ExtendWith(ApplicationExtension.class)
class BackupsColumnsFxTest {

    @TempDir
    static Path tmp;
    private FxPools fx;

    @Start
    void start(Stage stage) throws Exception {
        Path dir = tmp.resolve("t" + System.nanoTime());
        Path pool = org.splitpoint.engine.TestPools.create(dir.resolve("pool"), Layout.RAID1, 2, 64 << 20, 4096);
        Path store = dir.resolve("store");
        try (Pool p = Pool.open(pool)) {
            byte[] all = new byte[(int) p.volume("v").size()];
            new Random(3).nextBytes(all); // no track all zeros: every one is held
            p.device("v").write(0, ByteBuffer.wrap(all));
            assertThat(p.backups().backup("v", store, true, 0).await(60_000)).isTrue();
        }
        fx = FxPools.open(stage, pool, List.of(store));
    }

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void theTracksHeldColumnShowsTheCountsWhole(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-backups").tryQuery().isPresent());
        robot.clickOn("#nav-backups");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> heldCell(robot) != null));
        WaitForAsyncUtils.waitForFxEvents(5);
        List<String> shown = onFx(() -> {
            TreeTableCell<?, ?> c = heldCell(robot);
            String drawn = c.getChildrenUnmodifiable().stream().filter(n -> n instanceof javafx.scene.text.Text)
                    .map(n -> ((javafx.scene.text.Text) n).getText()).findFirst().orElse("");
            return List.of(c.getText(), drawn);
        });
        assertThat(shown).isEqualTo(List.of("16,384 of 16,384", "16,384 of 16,384"));
    }

    /** The Tracks held cell of the image (null until listed). */
    private static TreeTableCell<?, ?> heldCell(FxRobot robot) {
        return robot.lookup((Node n) -> n instanceof TreeTableCell<?, ?> c && "16,384 of 16,384".equals(c.getText())
                && c.isVisible()).tryQuery().map(n -> (TreeTableCell<?, ?>) n).orElse(null);
    }
}
