package org.splitpoint.app.testing;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A TestFX test of the main window on a demo pool: before each test the window shows a new demo
 * pool with drives of {@link #driveSize()} bytes, at the view {@link #view()} names; after it the
 * pool is closed. Subclasses use {@link #fx} (the bridge, view model and view), {@link #stage} and
 * {@link #tmp}.
 */
@ExtendWith(ApplicationExtension.class)
public abstract class PoolWindowFxTest {

    @TempDir
    protected static Path tmp;
    protected FxPools fx;
    protected Stage stage;

    /** The demo pool's drive size ({@link TestPools#DRIVE_SIZE} unless overridden). */
    protected long driveSize() {
        return TestPools.DRIVE_SIZE;
    }

    /** The navigation key selected once the window shows; null: the view the window opens at. */
    protected String view() {
        return null;
    }

    /**
     * On the FX thread, as a test's own {@code @Start} would run (TestFX looks for {@code @Start} in
     * the test's class only, not in a superclass): after the extension set the application up.
     */
    @BeforeEach
    void showPool() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
        // FxPools.onFx waits 5 s: building a demo pool with a pair can take longer on a busy CI machine
        fx = WaitForAsyncUtils.asyncFx(() -> {
            FxPools shown = FxPools.show(stage, tmp, driveSize());
            if (view() != null) {
                shown.vm.nav().selectedProperty().set(view());
            }
            return shown;
        }).get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void closePool() {
        if (fx != null) {
            fx.close();
        }
    }
}
