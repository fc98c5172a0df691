package org.splitpoint.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.geometry.Rectangle2D;
import javafx.stage.Screen;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.PoolLocation;
import org.splitpoint.app.session.AppPrefs;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The window opens within the screen (1440x900 headless, app/pom.xml) when its saved bounds run past
 * it, as they do after a larger screen or a window dragged half off: opened at the saved place, the
 * jobs panel and the status bar were off the screen (seen at 1024x700 under Xvfb after a run at 1440x900).
 */
@ExtendWith(ApplicationExtension.class)
class WindowWithinScreenFxTest {

    @TempDir
    static Path tmp;
    private AppWindow window;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path dir = Files.createDirectories(tmp.resolve("t" + System.nanoTime()));
        AppPrefs prefs = new AppPrefs(dir.resolve("config/splitpoint/app.properties"));
        prefs.saveBounds(new AppPrefs.Bounds(300, 200, 1360, 860, false)); // 220 px past the right edge, 160 past the bottom
        window = new AppWindow(stage, prefs, () -> { });
        window.show(new PoolLocation(Files.createDirectories(dir.resolve("no-pool")), false)); // its open fails: no pool needed
    }

    @AfterEach
    void close() {
        window.closePool();
    }

    @Test
    void savedBoundsPastTheScreensEdgesOpenWithinIt() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        double[] b = onFx(() -> new double[] {stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight()});
        Rectangle2D screen = onFx(() -> Screen.getPrimary().getVisualBounds());

        assertThat(b[0] + b[2]).as("the window's right edge, x %s width %s", b[0], b[2]).isLessThanOrEqualTo(screen.getMaxX());
        assertThat(b[1] + b[3]).as("the window's bottom edge, y %s height %s", b[1], b[3]).isLessThanOrEqualTo(screen.getMaxY());
        assertThat(b[2]).as("its saved width kept, the screen having room").isEqualTo(1360);
    }
}
