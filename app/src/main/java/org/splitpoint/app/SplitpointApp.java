package org.splitpoint.app;

import java.io.InputStream;
import java.util.List;
import javafx.application.Application;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import org.splitpoint.app.bridge.PoolLocation;
import org.splitpoint.app.session.AppPrefs;

/**
 * The Splitpoint desktop app. Opens a pool given on the command line (or {@code -Dsplitpoint.pool}),
 * else the last pool opened, else the demo pool, created on first run. The window appears at once;
 * creating and opening pools (recovery may take a while) run on background threads, never on the FX
 * thread. The pool is closed when the app exits, or on SIGTERM through a shutdown hook.
 */
public final class SplitpointApp extends Application {

    private AppWindow window;

    @Override
    public void start(Stage stage) {
        addIcons(stage);
        AppPrefs prefs = AppPrefs.user();
        PoolLocation location = PoolLocation.resolve(getParameters().getRaw(), System::getProperty, System::getenv);
        if (location.demo() && prefs.lastPool() != null) {
            location = new PoolLocation(prefs.lastPool(), prefs.lastPool().equals(location.dir()));
        }
        window = new AppWindow(stage, prefs);
        Runtime.getRuntime().addShutdownHook(new Thread(window::closePool, "splitpoint-close"));
        window.show(location);
    }

    private static void addIcons(Stage stage) {
        for (String size : List.of("32", "64", "128")) {
            try (InputStream in = SplitpointApp.class.getResourceAsStream("/icons/splitpoint-" + size + ".png")) {
                if (in != null) {
                    stage.getIcons().add(new Image(in));
                }
            } catch (java.io.IOException ignored) {
                // an icon is decoration
            }
        }
    }

    /** Closes the pool after the window closed: jobs stop at a checkpoint and resume on the next open. */
    @Override
    public void stop() {
        if (window != null) {
            window.closePool();
        }
    }

    public static void main(String[] args) {
        launch(SplitpointApp.class, args);
    }
}
