package org.splitpoint.app.testing;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.splitpoint.app.bridge.BackgroundTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.pool.PoolView;
import org.splitpoint.app.pool.PoolViewModel;
import org.testfx.util.WaitForAsyncUtils;

/** The main window on a temporary demo pool, for TestFX tests: build it in {@code @Start}, close it after. */
public final class FxPools {

    public final PoolBridge bridge;
    public final PoolViewModel vm;
    public final PoolView view;

    private FxPools(PoolBridge bridge, java.util.List<Path> stores) {
        this.bridge = bridge;
        this.vm = new PoolViewModel(bridge, org.splitpoint.app.backup.KnownStores.Memory.inMemory(stores));
        this.view = new PoolView();
    }

    /** Opens a fresh demo pool under {@code tmp} and shows the main window on {@code stage}. */
    public static FxPools show(Stage stage, Path tmp) throws Exception {
        return show(stage, tmp, TestPools.DRIVE_SIZE);
    }

    /** As {@link #show(Stage, Path)}, with drives of {@code driveSize} bytes. */
    public static FxPools show(Stage stage, Path tmp, long driveSize) throws Exception {
        Path dir = TestPools.demo(tmp.resolve("t" + System.nanoTime()), driveSize);
        return open(stage, dir, java.util.List.of());
    }

    /** Shows the main window on the pool in {@code dir}, with {@code stores} as the known backup stores. */
    public static FxPools open(Stage stage, Path dir, java.util.List<Path> stores) throws Exception {
        FxPools f = new FxPools(PoolBridge.open(dir, new BackgroundTaskExecutor(), Platform::runLater), stores);
        f.view.bind(f.vm);
        stage.setScene(new Scene(f.view, 1260, 780)); // within the headless screen (1440x900, app/pom.xml)
        // TestFX hands every test the same stage, which keeps the size a test before gave it: after
        // StatusBarShareFxTest's 1440x900 a window of the screen's size, not at its corner, reached past
        // it (Monocle's painter threw BufferOverflowException), and a click on a button beyond the screen
        // went nowhere (BackupsFxTest's Back up, twice in CI today). Each test starts at the scene's size.
        stage.sizeToScene();
        stage.setX(0);
        stage.setY(0);
        stage.show();
        f.vm.start();
        return f;
    }

    /** Runs {@code c} on the FX thread and returns its result. */
    public static <T> T onFx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(5, TimeUnit.SECONDS);
    }

    /** Resizes the window showing the pool to {@code w} x {@code h} and lets layout settle. */
    public void resize(org.testfx.api.FxRobot robot, double w, double h) {
        robot.interact(() -> {
            javafx.stage.Window window = view.getScene().getWindow();
            window.setWidth(w);
            window.setHeight(h);
        });
        WaitForAsyncUtils.waitForFxEvents(5);
    }

    public void close() {
        vm.close();
    }
}
