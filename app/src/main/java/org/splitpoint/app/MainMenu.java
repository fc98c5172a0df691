package org.splitpoint.app;

import java.nio.file.Path;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableStringValue;
import javafx.beans.value.ObservableValue;
import javafx.scene.control.Alert;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.input.KeyCombination;
import org.splitpoint.app.bridge.PoolLocation;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.pair.PairConsoleView;
import org.splitpoint.app.pool.PoolView;
import org.splitpoint.app.session.AppPrefs;

/**
 * The menu bar and its keyboard accelerators: File (new, open, recent, demo, quit), View (go to
 * drives, volumes, pairs, backups, drills; dark theme), Pair (establish, split, restore on the pair
 * console shown), Drive (fail, replace, add spare, take offline, bring online on the drive bay),
 * Help. Pair and Drive items are enabled by the same "why not" bindings as the buttons, and say why
 * in their text when disabled.
 */
final class MainMenu {

    private final AppWindow window;
    private final AppPrefs prefs;
    private final MenuBar bar = new MenuBar();
    private final Menu recent = new Menu("Open _recent");

    MainMenu(AppWindow window, AppPrefs prefs) {
        this.window = window;
        this.prefs = prefs;
        bar.getMenus().addAll(file(), view(), volume(), pair(), drive(), help());
        refreshRecent();
    }

    MenuBar bar() {
        return bar;
    }

    private static MenuItem item(String text, String keys, Runnable action) {
        MenuItem i = new MenuItem(text);
        if (keys != null) {
            i.setAccelerator(KeyCombination.keyCombination(keys));
        }
        i.setOnAction(e -> action.run());
        return i;
    }

    private Menu file() {
        Menu m = new Menu("_File");
        m.setOnShowing(e -> refreshRecent()); // pools made or removed meanwhile (by the CLI too) show as they are
        m.getItems().addAll(item("_New pool…", "Shortcut+N", window::createPool),
                item("_Open pool…", "Shortcut+O", window::chooseAndOpen), recent,
                item("Open the _demo pool", null, window::openDemo), demoWorkload(), new SeparatorMenuItem(),
                item("_Quit", "Shortcut+Q", window::quit));
        return m;
    }

    /** Whether the demo pool runs its verified workload: off until chosen, then remembered. */
    private CheckMenuItem demoWorkload() {
        CheckMenuItem run = new CheckMenuItem("Run the demo _workload");
        run.setId("demoWorkload");
        run.setSelected(window.demoWorkload());
        run.selectedProperty().addListener((o, was, now) -> window.setDemoWorkload(now));
        return run;
    }

    void refreshRecent() {
        recent.getItems().clear();
        for (Path p : prefs.recentPools()) {
            recent.getItems().add(item(p.toString(), null, () -> window.open(new PoolLocation(p, false))));
        }
        recent.setDisable(recent.getItems().isEmpty());
    }

    private Menu view() {
        Menu m = new Menu("_View");
        CheckMenuItem dark = new CheckMenuItem("_Dark theme");
        dark.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+D"));
        dark.setSelected(org.splitpoint.app.common.Palette.dark().get());
        dark.selectedProperty().addListener((o, was, now) -> window.setDark(now));
        m.getItems().addAll(item("Drive _bay", "Shortcut+1", () -> go(NavItem.DRIVES)),
                item("_Volumes", "Shortcut+2", () -> go(NavItem.VOLUMES)),
                item("_Pairs", "Shortcut+3", () -> go(NavItem.PAIRS)),
                item("_Backups", "Shortcut+4", () -> go(NavItem.BACKUPS)),
                item("D_rills", "Shortcut+5", () -> go(NavItem.DRILLS)),
                item("_Serving (NBD)", "Shortcut+6", () -> go(NavItem.SERVE)), new SeparatorMenuItem(), dark);
        return m;
    }

    /** Shows section {@code key} and puts the focus on its first control (the drive bay: its selected slot). */
    private void go(String key) {
        if (window.model() != null) {
            window.model().nav().selectedProperty().set(key);
            if (window.viewProperty().get() != null) {
                window.viewProperty().get().focusDetail();
            }
        }
    }

    private Menu pair() {
        Menu m = new Menu("_Pair");
        ObservableValue<PairConsoleView> console = window.viewProperty().flatMap(PoolView::consoleProperty);
        MenuItem establish = item("", "Shortcut+E", () -> onConsole(PairConsoleView::establish));
        MenuItem split = item("", "Shortcut+Shift+S", () -> onConsole(PairConsoleView::split));
        MenuItem restore = item("", "Shortcut+R", () -> onConsole(PairConsoleView::restore));
        Actions.bind(establish, why(console.flatMap(c -> c.model().establishBlockedProperty())), "_Establish…");
        Actions.bind(split, why(console.flatMap(c -> c.model().splitBlockedProperty())), "_Split");
        Actions.bind(restore, why(console.flatMap(c -> c.model().restoreBlockedProperty())), "_Restore…");
        m.getItems().addAll(establish, split, restore, new SeparatorMenuItem(),
                lifecycleItem("_New pair…", "Shortcut+Shift+P", vm -> vm.newPairBlockedProperty(), a -> a.newPair()),
                lifecycleItem("_Delete pair…", null, vm -> vm.deletePairBlockedProperty(), a -> a.deletePair()));
        return m;
    }

    /** Volumes: new, verify (with repair), delete; on the volume whose page is shown. */
    private Menu volume() {
        Menu m = new Menu("V_olume");
        m.getItems().addAll(
                lifecycleItem("_New volume…", "Shortcut+Shift+V", vm -> vm.newVolumeBlockedProperty(), a -> a.newVolume()),
                lifecycleItem("_Verify / repair…", null, vm -> vm.verifyBlockedProperty(), a -> a.verify()),
                lifecycleItem("_Delete volume…", null, vm -> vm.deleteVolumeBlockedProperty(), a -> a.deleteVolume()));
        return m;
    }

    /** A lifecycle verb as a menu item, enabled by its "why not" (and saying it in its text). */
    private MenuItem lifecycleItem(String label, String keys,
                                   java.util.function.Function<org.splitpoint.app.lifecycle.LifecycleViewModel,
                                           ObservableValue<String>> blocked,
                                   java.util.function.Consumer<org.splitpoint.app.lifecycle.LifecycleActions> action) {
        ObservableValue<String> why = window.viewProperty().flatMap(v -> blocked.apply(v.lifecycle().model()));
        MenuItem i = item("", keys, () -> {
            PoolView v = window.viewProperty().get();
            if (v != null) {
                action.accept(v.lifecycle());
            }
        });
        Actions.bind(i, Bindings.createStringBinding(() -> why.getValue() == null ? "open a pool first" : why.getValue(),
                why), label);
        return i;
    }

    private static ObservableStringValue why(ObservableValue<String> blocked) {
        return Bindings.createStringBinding(() -> blocked.getValue() == null ? "open a pair's console first"
                : blocked.getValue(), blocked);
    }

    private void onConsole(java.util.function.Consumer<PairConsoleView> action) {
        PoolView v = window.viewProperty().get();
        if (v != null && v.consoleProperty().get() != null) {
            action.accept(v.consoleProperty().get());
        }
    }

    private Menu drive() {
        Menu m = new Menu("_Drive");
        ObservableValue<org.splitpoint.app.drives.DrivesViewModel> drives =
                window.viewProperty().map(v -> window.model() == null ? null : window.model().drives());
        MenuItem fail = item("", "Shortcut+Shift+F", () -> onBay(b -> b.fail()));
        MenuItem replace = item("", "Shortcut+Shift+R", () -> onBay(b -> b.replace()));
        MenuItem add = item("", "Shortcut+Shift+A", () -> onBay(b -> b.addSpare()));
        MenuItem offline = item("", "Shortcut+Shift+O", () -> onBay(b -> b.takeOffline()));
        MenuItem online = item("", "Shortcut+Shift+N", () -> onBay(b -> b.bringOnline()));
        Actions.bind(fail, why(drives.flatMap(d -> d.failBlockedProperty())), "_Fail drive");
        Actions.bind(replace, why(drives.flatMap(d -> d.replaceBlockedProperty())), "_Replace drive…");
        Actions.bind(add, why(drives.flatMap(d -> d.addBlockedProperty())), "_Add spare");
        Actions.bind(offline, why(drives.flatMap(d -> d.offlineBlockedProperty())), "Take _offline…");
        Actions.bind(online, why(drives.flatMap(d -> d.onlineBlockedProperty())), "Bring o_nline");
        m.getItems().addAll(fail, replace,
                lifecycleItem("Replace with _spare…", null, vm -> vm.spareBlockedProperty(), a -> a.replaceWithSpare()),
                add, lifecycleItem("Add _drives…", null, vm -> vm.addDrivesBlockedProperty(), a -> a.addDrives()),
                new SeparatorMenuItem(), offline, online);
        return m;
    }

    private void onBay(java.util.function.Consumer<org.splitpoint.app.drives.DrivesView> action) {
        PoolView v = window.viewProperty().get();
        if (v != null) {
            go(NavItem.DRIVES);
            action.accept(v.drives());
        }
    }

    /** The shortcuts, by area: keys in a column, what they do beside them. */
    static final String[][] SHORTCUTS = {
        {"Pool", null},
        {"Ctrl+N", "New pool…"}, {"Ctrl+O", "Open pool…"}, {"Ctrl+Q", "Quit"},
        {"Go to", null},
        {"Ctrl+1", "Drive bay"}, {"Ctrl+2", "Volumes"}, {"Ctrl+3", "Pairs"}, {"Ctrl+4", "Backups"}, {"Ctrl+5", "Drills"},
        {"Ctrl+6", "Serving (NBD)"},
        {"Pair console", null},
        {"Ctrl+E", "Establish…"}, {"Ctrl+Shift+S", "Split"}, {"Ctrl+R", "Restore…"},
        {"Lifecycle", null},
        {"Ctrl+Shift+V", "New volume…"}, {"Ctrl+Shift+P", "New pair…"},
        {"Drive bay", null},
        {"Ctrl+Shift+F", "Fail drive…"}, {"Ctrl+Shift+R", "Replace drive…"}, {"Ctrl+Shift+A", "Add spare"},
        {"Ctrl+Shift+O", "Take a drive offline…"}, {"Ctrl+Shift+N", "Bring it online"},
        {"Arrow keys", "Move between drive slots"}, {"Shift+F10", "A slot's menu"},
        {"View", null},
        {"Ctrl+Shift+D", "Dark theme"}, {"F1", "This list"},
    };

    static javafx.scene.layout.GridPane shortcutsGrid() {
        javafx.scene.layout.GridPane g = new javafx.scene.layout.GridPane();
        g.setHgap(18);
        g.setVgap(3);
        int row = 0;
        for (String[] s : SHORTCUTS) {
            if (s[1] == null) {
                javafx.scene.control.Label head = new javafx.scene.control.Label(s[0]);
                head.getStyleClass().add("form-key");
                head.setPadding(new javafx.geometry.Insets(row == 0 ? 0 : 8, 0, 2, 0));
                g.add(head, 0, row++, 2, 1);
            } else {
                javafx.scene.control.Label keys = new javafx.scene.control.Label(s[0]);
                keys.getStyleClass().add("shortcut-keys");
                keys.setStyle("-fx-font-family: 'DejaVu Sans Mono', monospace;");
                g.add(keys, 0, row);
                g.add(new javafx.scene.control.Label(s[1]), 1, row++);
            }
        }
        return g;
    }

    private Menu help() {
        Menu m = new Menu("_Help");
        m.getItems().add(item("_Keyboard shortcuts", "F1", () -> showShortcuts(window.stage())));
        return m;
    }

    /** Help → Keyboard shortcuts over {@code owner}, in its theme; waits until it is closed. */
    static void showShortcuts(javafx.stage.Window owner) {
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        org.splitpoint.app.common.DialogLook.apply(a, owner);
        a.setTitle("Keyboard shortcuts");
        a.setHeaderText("Splitpoint keyboard shortcuts");
        a.getDialogPane().setContent(shortcutsGrid());
        a.getDialogPane().setId("shortcutsDialog");
        a.showAndWait();
    }
}
