package org.splitpoint.app;

import java.io.InputStream;
import java.util.List;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.splitpoint.app.bridge.BackgroundTaskExecutor;
import org.splitpoint.app.bridge.DemoPool;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.bridge.PoolLocation;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.pool.PoolView;
import org.splitpoint.app.pool.PoolViewModel;

/**
 * The Splitpoint desktop app: opens one pool (a path argument, {@code -Dsplitpoint.pool}, or the demo
 * pool, created on first run) and shows it live. The window appears at once; creating and opening
 * the pool (recovery may take a while) run on a background thread, never on the FX thread. The pool
 * is closed when the app exits, or on SIGTERM through a shutdown hook.
 */
public final class SplitpointApp extends Application {

    private volatile PoolBridge bridge;

    @Override
    public void start(Stage stage) {
        addIcons(stage);
        PoolLocation location = PoolLocation.resolve(getParameters().getRaw(), System::getProperty, System::getenv);
        Label opening = new Label((location.demo() ? "Opening the demo pool " : "Opening pool ") + location.dir() + " …");
        StackPane loading = new StackPane(opening);
        Scene scene = new Scene(loading, 1280, 780);
        scene.getStylesheets().add(Fxml.resource("Theme.css").toExternalForm());
        stage.setScene(scene);
        stage.setTitle("Splitpoint — " + location.dir());
        stage.setMinWidth(900);
        stage.setMinHeight(560);
        stage.show();

        Thread opener = new Thread(() -> open(stage, location, opening), "splitpoint-open");
        opener.setDaemon(true);
        opener.start();
    }

    /** Runs on the opener thread: creates the demo pool if needed, opens the pool, then shows it. */
    private void open(Stage stage, PoolLocation location, Label progress) {
        String doing = "open the pool";
        try {
            if (location.demo() && !DemoPool.exists(location.dir())) {
                doing = "create the demo pool";
                Platform.runLater(() -> progress.setText("Creating the demo pool in " + location.dir() + " …"));
                DemoPool.ensure(location.dir());
                doing = "open the pool";
            }
            PoolBridge opened = PoolBridge.open(location.dir(), new BackgroundTaskExecutor(), Platform::runLater);
            bridge = opened;
            Runtime.getRuntime().addShutdownHook(new Thread(opened::close, "splitpoint-close"));
            Platform.runLater(() -> show(stage, opened));
        } catch (Exception e) {
            String what = "Cannot " + doing + " " + location.dir();
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            Platform.runLater(() -> {
                progress.setText(what + ": " + why);
                fail(what, why);
            });
        }
    }

    private static void show(Stage stage, PoolBridge bridge) {
        PoolViewModel vm = new PoolViewModel(bridge);
        PoolView view = new PoolView();
        view.bind(vm);
        stage.getScene().getStylesheets().clear();
        stage.getScene().setRoot(view);
        stage.titleProperty().bind(vm.titleProperty());
        view.focusDrives();
        vm.start();
    }

    private static void fail(String what, String why) {
        Alert alert = new Alert(Alert.AlertType.ERROR);
        alert.setTitle("Splitpoint");
        alert.setHeaderText(what);
        alert.setContentText(why);
        alert.showAndWait();
        Platform.exit();
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
        PoolBridge b = bridge;
        if (b != null) {
            b.close();
        }
    }

    public static void main(String[] args) {
        launch(SplitpointApp.class, args);
    }
}
