package org.splitpoint.app;

import java.nio.file.Path;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Screen;
import javafx.stage.Stage;
import org.splitpoint.app.bridge.BackgroundTaskExecutor;
import org.splitpoint.app.bridge.DemoPool;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.bridge.PoolLocation;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.pool.PoolView;
import org.splitpoint.app.pool.PoolViewModel;
import org.splitpoint.app.session.AppPrefs;
import org.splitpoint.app.session.NewPoolDialog;
import org.splitpoint.app.session.NewPoolForm;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Pool;

/**
 * The application window: the menu bar over one open pool (or a start page when none could be
 * opened). Opening, creating and closing pools run on background threads; the window swaps its
 * content when the pool is ready. Remembers its bounds, the last pool, recent pools and the theme.
 */
final class AppWindow {

    private final Stage stage;
    private final AppPrefs prefs;
    private final BorderPane root = new BorderPane();
    private final ReadOnlyObjectWrapper<PoolView> view = new ReadOnlyObjectWrapper<>();
    private final MainMenu menu;
    private volatile PoolViewModel current;

    AppWindow(Stage stage, AppPrefs prefs) {
        this.stage = stage;
        this.prefs = prefs;
        this.menu = new MainMenu(this, prefs);
        root.setTop(menu.bar());
        root.getStylesheets().addAll(Fxml.resource("Theme.css").toExternalForm(), Fxml.resource("PoolView.css").toExternalForm());
        Palette.dark().addListener((o, was, now) -> applyTheme(now));
        Palette.dark().set(prefs.darkTheme());
        applyTheme(Palette.dark().get());
    }

    Stage stage() {
        return stage;
    }

    /** The pool view on display, or null (the menus act on it). */
    ReadOnlyObjectProperty<PoolView> viewProperty() {
        return view.getReadOnlyProperty();
    }

    PoolViewModel model() {
        return current;
    }

    void show(PoolLocation start) {
        AppPrefs.Bounds b = prefs.bounds();
        Scene scene = new Scene(root, b == null ? 1360 : b.width(), b == null ? 860 : b.height());
        stage.setScene(scene);
        if (b != null && !Screen.getScreensForRectangle(b.x(), b.y(), 40, 40).isEmpty()) {
            stage.setX(b.x());
            stage.setY(b.y());
        }
        stage.setMaximized(b != null && b.maximized());
        stage.setMinWidth(960);
        stage.setMinHeight(600);
        stage.setOnCloseRequest(e -> saveBounds());
        stage.show();
        open(start);
    }

    private void applyTheme(boolean dark) {
        if (dark && !root.getStyleClass().contains("theme-dark")) {
            root.getStyleClass().add("theme-dark");
        } else if (!dark) {
            root.getStyleClass().remove("theme-dark");
        }
    }

    void setDark(boolean dark) {
        Palette.dark().set(dark);
        prefs.setDarkTheme(dark);
    }

    private void saveBounds() {
        if (!stage.isMaximized()) {
            prefs.saveBounds(new AppPrefs.Bounds(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(), false));
        } else {
            AppPrefs.Bounds b = prefs.bounds();
            prefs.saveBounds(b == null ? new AppPrefs.Bounds(0, 0, 1360, 860, true)
                    : new AppPrefs.Bounds(b.x(), b.y(), b.width(), b.height(), true));
        }
    }

    // ---- opening and creating pools

    /** Opens {@code location} in the background (creating the demo pool on first run), then shows it. */
    void open(PoolLocation location) {
        PoolViewModel previous = current;
        current = null;
        view.set(null);
        stage.titleProperty().unbind();
        stage.setTitle("Splitpoint — " + location.dir());
        setContent(message((location.demo() ? "Opening the demo pool " : "Opening pool ") + location.dir() + " …"));
        Thread opener = new Thread(() -> {
            if (previous != null) {
                previous.close(); // waits for jobs to checkpoint: never on the FX thread
            }
            openNow(location);
        }, "splitpoint-open");
        opener.setDaemon(true);
        opener.start();
    }

    private void openNow(PoolLocation location) {
        String doing = "open the pool";
        try {
            if (location.demo() && !DemoPool.exists(location.dir())) {
                doing = "create the demo pool";
                Platform.runLater(() -> setContent(message("Creating the demo pool in " + location.dir()
                        + " (six drives, prod ⇄ prod-bcv) …")));
                DemoPool.ensure(location.dir());
                doing = "open the pool";
            }
            PoolBridge bridge = PoolBridge.open(location.dir(), new BackgroundTaskExecutor(), Platform::runLater);
            Platform.runLater(() -> install(bridge, location));
        } catch (Exception e) {
            String what = "Cannot " + doing + " " + location.dir();
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            Platform.runLater(() -> setContent(startPage(what + ":\n" + why)));
        }
    }

    private void install(PoolBridge bridge, PoolLocation location) {
        PoolViewModel vm = new PoolViewModel(bridge, new org.splitpoint.app.backup.KnownStores.Memory() {
            @Override
            public java.util.List<Path> load() {
                return prefs.backupStores();
            }

            @Override
            public void save(java.util.List<Path> stores) {
                prefs.saveBackupStores(stores);
            }
        });
        PoolView v = new PoolView();
        v.bind(vm);
        current = vm;
        setContent(v);
        view.set(v);
        stage.titleProperty().bind(vm.titleProperty());
        bridge.onHolderGone(why -> holderGone(vm, location, why));
        prefs.opened(location.dir());
        menu.refreshRecent();
        vm.start();
        if (location.demo()) {
            vm.startDemo();
        }
        Platform.runLater(v::focusDetail);
    }

    /** The process the app was attached to went away: say so, in the title too, and offer to open the pool here. */
    private void holderGone(PoolViewModel vm, PoolLocation location, String why) {
        if (current != vm) {
            return; // another pool is open by now
        }
        stage.titleProperty().unbind();
        stage.setTitle("Splitpoint — " + location.dir() + " (not live: its holder went away)");
        org.splitpoint.app.session.HolderGoneDialog.show(stage, location.dir().toString(), why, () -> {
            if (current == vm) {
                open(new PoolLocation(location.dir(), false));
            }
        });
    }

    void chooseAndOpen() {
        DirectoryChooser c = new DirectoryChooser();
        c.setTitle("Open pool (a directory with pool.json)");
        PoolViewModel vm = current;
        if (vm != null && vm.poolPathProperty().get() != null) {
            Path here = Path.of(vm.poolPathProperty().get()).getParent();
            if (here != null && here.toFile().isDirectory()) {
                c.setInitialDirectory(here.toFile());
            }
        }
        java.io.File f = c.showDialog(stage);
        if (f != null) {
            open(new PoolLocation(f.toPath().toAbsolutePath().normalize(), false));
        }
    }

    void openDemo() {
        open(PoolLocation.resolve(java.util.List.of(), k -> null, System::getenv));
    }

    void createPool() {
        Path home = Path.of(System.getProperty("user.home"), "splitpoint-pool");
        NewPoolDialog.ask(stage, home).ifPresent(this::create);
    }

    private void create(NewPoolForm form) {
        setContent(message("Creating pool " + form.dir() + " …"));
        Thread t = new Thread(() -> {
            try {
                if (form.withDemo()) {
                    DemoPool.create(form.dir(), form.driveBytes(), form.trackBytes());
                } else {
                    Pool.create(form.dir(), form.drives(), form.driveBytes(), form.trackBytes(), StorageFactory.real());
                }
                Platform.runLater(() -> open(new PoolLocation(form.dir(), false)));
            } catch (Exception e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                Platform.runLater(() -> setContent(startPage("Cannot create pool " + form.dir() + ":\n" + why)));
            }
        }, "splitpoint-create");
        t.setDaemon(true);
        t.start();
    }

    /** Closes the pool (jobs stop at a checkpoint and resume on the next open). */
    void closePool() {
        PoolViewModel vm = current;
        current = null;
        if (vm != null) {
            vm.close();
        }
    }

    // ---- content

    private void setContent(Node n) {
        root.setCenter(n);
    }

    private static Node message(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("placeholder");
        VBox box = new VBox(l);
        box.setAlignment(Pos.CENTER);
        return box;
    }

    private Node startPage(String problem) {
        Label what = new Label(problem);
        what.setWrapText(true);
        what.setMaxWidth(640);
        what.getStyleClass().add("form-error");
        Button open = new Button("Open pool…");
        open.setOnAction(e -> chooseAndOpen());
        Button create = new Button("New pool…");
        create.setOnAction(e -> createPool());
        Button demo = new Button("Open the demo pool");
        demo.setOnAction(e -> openDemo());
        HBox buttons = new HBox(10, open, create, demo);
        buttons.setAlignment(Pos.CENTER);
        VBox box = new VBox(16, what, buttons);
        box.setAlignment(Pos.CENTER);
        box.getStyleClass().add("start-page");
        return box;
    }
}
