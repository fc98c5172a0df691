package org.splitpoint.app;

import java.nio.file.Path;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
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
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.common.StopConfirmDialog;
import org.splitpoint.app.pool.PoolView;
import org.splitpoint.app.pool.PoolViewModel;
import org.splitpoint.app.pool.RunningWork;
import org.splitpoint.app.session.AppPrefs;
import org.splitpoint.app.session.NewPoolDialog;
import org.splitpoint.app.session.NewPoolForm;
import org.splitpoint.app.session.OpenProblem;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Pool;

/**
 * The application window: the menu bar over one open pool (or a start page when none could be
 * opened). Opening, creating and closing pools run on background threads. Another pool is opened
 * before the current one is closed: only once it opened does the window swap to it and close the old
 * one, so a failed open keeps the pool on display and says why in a sentence for the app
 * ({@link OpenProblem}). Quit, closing the window and opening another pool first ask when a workload,
 * a job or an NBD client would be stopped ({@link RunningWork}), naming them. Remembers its bounds
 * (opening within the screen, {@link org.splitpoint.app.session.WindowPlacement}), the last pool, recent pools, the theme and whether the demo pool runs its workload.
 */
final class AppWindow {

    private final Stage stage;
    private final AppPrefs prefs;
    private final BorderPane root = new BorderPane();
    private final ReadOnlyObjectWrapper<PoolView> view = new ReadOnlyObjectWrapper<>();
    private final MainMenu menu;
    private final Runnable exit;
    private final Label opening = new Label();
    private volatile PoolViewModel current;
    private PoolLocation currentLocation;
    private boolean openInProgress;
    private final java.util.List<Thread> closers = new java.util.concurrent.CopyOnWriteArrayList<>();

    AppWindow(Stage stage, AppPrefs prefs) {
        this(stage, prefs, Platform::exit);
    }

    /** {@code exit} ends the app after Quit (tests pass their own: the toolkit must live on). */
    AppWindow(Stage stage, AppPrefs prefs, Runnable exit) {
        this.stage = stage;
        this.prefs = prefs;
        this.exit = exit;
        opening.setId("openingPool");
        opening.getStyleClass().add("placeholder");
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
        // within the screen, whatever screen the bounds were saved on (a first run's size too: on a
        // 1024x700 screen 1360x860 opened partly off it)
        java.util.List<Screen> holding = b == null ? java.util.List.of() : Screen.getScreensForRectangle(b.x(), b.y(), 40, 40);
        org.splitpoint.app.session.WindowPlacement place = org.splitpoint.app.session.WindowPlacement.of(b,
                holding.isEmpty() ? null : holding.get(0).getVisualBounds(), Screen.getPrimary().getVisualBounds());
        Scene scene = new Scene(root, place.width(), place.height());
        stage.setScene(scene);
        // the saved bounds are the stage's (saveBounds): a stage sized before keeps its size under a new scene
        stage.setWidth(place.width());
        stage.setHeight(place.height());
        if (place.positioned()) {
            stage.setX(place.x());
            stage.setY(place.y());
        }
        stage.setMaximized(b != null && b.maximized());
        stage.setMinWidth(960);
        stage.setMinHeight(600);
        stage.setOnCloseRequest(e -> {
            if (mayLeave("Close Splitpoint", "Close")) {
                saveBounds();
            } else {
                e.consume();
            }
        });
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

    /**
     * Opens {@code location} in the background (creating the demo pool on first run), then shows it
     * and only then closes the pool shown before; on failure that pool stays. Asks first when work
     * runs in the current pool.
     */
    void open(PoolLocation location) {
        open(location, false);
    }

    /** {@code again}: open it even when it is the pool on display (an attached view whose holder went away). */
    private void open(PoolLocation location, boolean again) {
        PoolViewModel previous = current;
        if (openInProgress) {
            return; // one open at a time: the first one's answer decides what shows
        }
        if (!again && previous != null && location.dir().equals(Path.of(previous.poolPathProperty().get()))) {
            return; // already the pool on display
        }
        if (previous != null && !mayLeave("Open another pool", "Open " + location.dir().getFileName())) {
            return;
        }
        openInProgress = true;
        String doing = (location.demo() ? "Opening the demo pool " : "Opening pool ") + location.dir() + " …";
        if (previous == null) {
            stage.titleProperty().unbind();
            stage.setTitle("Splitpoint — " + location.dir());
            setContent(message(doing));
        } else {
            opening.setText(doing);
            root.setBottom(opening);
        }
        Thread opener = new Thread(() -> openNow(location), "splitpoint-open");
        opener.setDaemon(true);
        opener.start();
    }

    private void openNow(PoolLocation location) {
        try {
            if (location.demo() && !DemoPool.exists(location.dir())) {
                Platform.runLater(() -> progress("Creating the demo pool in " + location.dir()
                        + " (prod ⇄ prod-bcv, a save area, db backed up to " + DemoPool.STORE + ", two spares) …"));
                try {
                    DemoPool.ensure(location.dir());
                } catch (Exception e) {
                    String why = e.getMessage() == null ? e.toString() : e.getMessage();
                    Platform.runLater(() -> openFailed("Splitpoint could not create the demo pool in " + location.dir()
                            + ": " + why));
                    return;
                }
            }
            PoolBridge bridge = PoolBridge.open(location.dir(), new BackgroundTaskExecutor(), Platform::runLater);
            Platform.runLater(() -> {
                openInProgress = false;
                root.setBottom(null);
                PoolViewModel previous = current;
                install(bridge, location);
                if (previous != null) { // closing waits for jobs to checkpoint: never on the FX thread
                    Thread closer = new Thread(previous::close, "splitpoint-close-previous");
                    closer.setDaemon(true);
                    closers.add(closer);
                    closer.start();
                }
            });
        } catch (Exception e) {
            String sentence = OpenProblem.sentence(location.dir(), e, StorageFactory.real());
            Platform.runLater(() -> openFailed(sentence));
        }
    }

    /** Says what is being done: over the start page, or under the pool on display (which stays until the new one opened). */
    private void progress(String text) {
        if (current == null) {
            setContent(message(text));
        } else {
            opening.setText(text);
            root.setBottom(opening);
        }
    }

    /** The open failed: the pool on display stays and the reason shows over it; with none, the start page says it. */
    private void openFailed(String sentence) {
        openInProgress = false;
        root.setBottom(null);
        if (current == null) {
            setContent(startPage(sentence));
            return;
        }
        Alert a = new Alert(Alert.AlertType.ERROR);
        DialogLook.apply(a, stage);
        a.setTitle("Cannot open the pool");
        a.setHeaderText(Path.of(current.poolPathProperty().get()).getFileName() + " stays open.");
        Label text = new Label(sentence);
        text.setId("openProblem");
        text.setWrapText(true);
        text.setPrefWidth(520);
        text.setMinHeight(Label.USE_PREF_SIZE);
        a.getDialogPane().setContent(text);
        a.show();
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
        // the demo pool opened by its path (recent pools, the command line) is the demo pool too
        boolean demo = location.demo() || location.dir().equals(demoLocation().dir());
        currentLocation = new PoolLocation(location.dir(), demo);
        setContent(v);
        view.set(v);
        stage.titleProperty().bind(vm.titleProperty());
        bridge.onHolderGone(why -> holderGone(vm, location, why));
        prefs.opened(location.dir());
        menu.refreshRecent();
        vm.start();
        if (demo) {
            vm.startDemo(prefs.demoWorkload());
        }
        Platform.runLater(v::focusDetail);
    }

    /** The File menu's "Run the demo workload": remembered, and applied at once when the demo pool shows. */
    void setDemoWorkload(boolean run) {
        prefs.setDemoWorkload(run);
        PoolViewModel vm = current;
        if (vm != null && currentLocation != null && currentLocation.demo()) {
            var load = vm.workloads().of(DemoPool.STD);
            if (run && !load.runningProperty().get()) {
                load.start();
            } else if (!run && load.runningProperty().get()) {
                load.stop();
            }
        }
    }

    boolean demoWorkload() {
        return prefs.demoWorkload();
    }

    // ---- leaving a pool with work running

    /**
     * True when the pool on display may be left: nothing runs in it, or the administrator confirmed
     * after reading what runs (keeping it is the default: Enter and Escape keep it).
     */
    boolean mayLeave(String title, String action) {
        PoolViewModel vm = current;
        java.util.List<String> running = vm == null ? java.util.List.of() : RunningWork.of(vm);
        if (running.isEmpty()) {
            return true;
        }
        String where = "Running in " + Path.of(vm.poolPathProperty().get()).getFileName() + ":";
        javafx.beans.binding.ObjectBinding<java.util.List<String>> now = RunningWork.live(vm);
        try { // the jobs' percentages go on while the dialog is open
            return StopConfirmDialog.ask(stage, title, title + " while work is running?",
                    javafx.beans.binding.Bindings.createObjectBinding(() -> sentences(where, now.get()), now), action,
                    "Keep running");
        } finally {
            now.dispose();
        }
    }

    private static java.util.List<String> sentences(String where, java.util.List<String> running) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        lines.add(where);
        running.forEach(r -> lines.add("• " + r));
        lines.add(RunningWork.consequence(running));
        return lines;
    }

    /** File → Quit (Ctrl+Q): asks first when work runs, then closes the window and ends the app. */
    void quit() {
        if (mayLeave("Quit Splitpoint", "Quit")) {
            saveBounds();
            exit.run();
        }
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
                open(new PoolLocation(location.dir(), false), true);
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
        open(demoLocation());
    }

    /** Where the demo pool lives ($XDG_DATA_HOME or $HOME), whatever pool the command line named. */
    private static PoolLocation demoLocation() {
        return PoolLocation.resolve(java.util.List.of(), k -> PoolLocation.PROPERTY.equals(k) ? null : System.getProperty(k),
                System::getenv);
    }

    void createPool() {
        Path home = AppPrefs.home(System::getenv, System::getProperty).resolve("splitpoint-pool");
        NewPoolDialog.ask(stage, home).ifPresent(this::create);
    }

    private void create(NewPoolForm form) {
        progress("Creating pool " + form.dir() + " …");
        Thread t = new Thread(() -> {
            try {
                if (form.withDemo()) {
                    DemoPool.create(form.dir(), form.driveBytes(), form.trackBytes());
                } else {
                    Pool.create(form.dir(), form.drives(), form.driveBytes(), form.trackBytes(), StorageFactory.real());
                }
                Platform.runLater(() -> {
                    root.setBottom(null);
                    open(new PoolLocation(form.dir(), false));
                });
            } catch (Exception e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                Platform.runLater(() -> openFailed("Splitpoint could not create pool " + form.dir() + ": " + why));
            }
        }, "splitpoint-create");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Closes the pool (jobs stop at a checkpoint and resume on the next open), and waits for a pool
     * shown before that is still closing, so the app never exits in the middle of a close.
     */
    void closePool() {
        PoolViewModel vm = current;
        current = null;
        if (vm != null) {
            vm.close();
        }
        for (Thread closer : closers) {
            try {
                closer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        closers.clear();
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
        what.setId("openProblem");
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
