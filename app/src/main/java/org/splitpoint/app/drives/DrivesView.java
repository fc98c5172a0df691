package org.splitpoint.app.drives;

import java.util.HashMap;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.TypedConfirmDialog;
import org.splitpoint.engine.pool.FailPlan;

/**
 * The drive bay: the pool's drives as slots, coloured, with glyph and word by state; click (or the
 * arrow keys) to select, then Fail / Replace / Take offline / Bring online / Add spare from the
 * buttons or the context menu. A
 * refused action says why in its tooltip (menu items: in their text). FXML: DrivesView.fxml.
 */
public final class DrivesView extends VBox {

    @FXML private FlowPane bay;
    @FXML private javafx.scene.control.ScrollPane bayScroll;
    @FXML private FlowPane header;
    /** The theme's least height of a section header (Theme.css .section-header), which the binding below keeps. */
    private static final double HEADER_MIN = 30;
    @FXML private Label bayHint;
    @FXML private Button failDrive;
    @FXML private Button replaceDrive;
    @FXML private Button addSpare;
    @FXML private StackPane failWrap;
    @FXML private StackPane replaceWrap;
    @FXML private StackPane addWrap;
    @FXML private Button takeOffline;
    @FXML private Button bringOnline;
    @FXML private StackPane offlineWrap;
    @FXML private StackPane onlineWrap;
    private final Map<String, DriveSlot> slots = new HashMap<>();
    private final ContextMenu menu = new ContextMenu();
    private DrivesViewModel model;

    public DrivesView() {
        Fxml.load(this, "DrivesView");
        // as tall as the slots need (rows wrap when drives are added), up to two rows, then it scrolls
        bayScroll.prefViewportHeightProperty().bind(javafx.beans.binding.Bindings.min(356,
                javafx.beans.binding.Bindings.max(172, bay.heightProperty())));
        // the header is never shorter than its rows: squeezed to one row's height (the theme's min) by a bay of two
        // rows of drives at 1024x700, it centred its two rows in it and the title row slid 12 px up under the view's
        // top edge (the page looked scrolled by a few pixels); the bay's scroll pane gives the room instead. Bound, so
        // the theme's min height does not replace it
        header.minHeightProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
                () -> Math.max(HEADER_MIN, header.prefHeight(header.getWidth() > 0 ? header.getWidth() : -1)),
                header.widthProperty()));
        // at 1024x700 the bay's least height showed one row of drives and the top edge of the next: smaller tiles
        // there show two whole rows. By the scene's height, not the bay's, which the tiles' size itself changes
        compactBay.addListener((o, was, now) -> pseudoClassStateChanged(COMPACT, now));
        javafx.beans.value.ChangeListener<Number> compact = (o, was, now) ->
                compactBay.set(now.doubleValue() > 0 && now.doubleValue() < COMPACT_BELOW);
        sceneProperty().addListener((o, was, now) -> {
            if (was != null) {
                was.heightProperty().removeListener(compact);
            }
            if (now != null) {
                now.heightProperty().addListener(compact);
                compact.changed(null, null, now.getHeight());
            }
        });
    }

    /** Below this height of the window's scene the bay's tiles are compact (DrivesView.css, :compact). */
    static final double COMPACT_BELOW = 800;
    private static final javafx.css.PseudoClass COMPACT = javafx.css.PseudoClass.getPseudoClass("compact");
    private final javafx.beans.property.BooleanProperty compactBay = new javafx.beans.property.SimpleBooleanProperty();

    /** Puts the keyboard focus on the selected slot (or the first, unselected: a choice is the user's). */
    public void focusBay() {
        DriveSlot s = model == null ? null : slots.get(model.selectedDriveProperty().get());
        if (s == null && !bay.getChildren().isEmpty()) {
            s = (DriveSlot) bay.getChildren().get(0);
        }
        if (s != null) {
            s.requestFocus();
        }
    }

    public void bind(DrivesViewModel vm) {
        this.model = vm;
        vm.rows().addListener((ListChangeListener<DriveRow>) c -> syncSlots());
        syncSlots();
        vm.selectedDriveProperty().addListener((o, was, now) -> {
            slots.forEach((n, s) -> s.select(n.equals(now)));
            oneTabStop();
        });

        Actions.bind(failDrive, failWrap, vm.failBlockedProperty(),
                "Mark the selected drive FAILED, as if it had died: its volume keeps serving, DEGRADED. (Ctrl+Shift+F)");
        Actions.bind(replaceDrive, replaceWrap, vm.replaceBlockedProperty(),
                "Swap a blank drive in for the selected FAILED drive and rebuild it from the others. (Ctrl+Shift+R)");
        Actions.bind(addSpare, addWrap, vm.addBlockedProperty(), "Add a blank SPARE drive to the pool. (Ctrl+Shift+A)");
        Actions.bind(takeOffline, offlineWrap, vm.offlineBlockedProperty(), "Take the selected drive out for service"
                + " (firmware, diagnostics, replacement, reset): its volume keeps serving and what is written meanwhile"
                + " is kept as a delta. (Ctrl+Shift+O)");
        Actions.bind(bringOnline, onlineWrap, vm.onlineBlockedProperty(), "Bring the selected OFFLINE drive back: only"
                + " what was written while it was out is copied to it. (Ctrl+Shift+N)");
        // a verb's button that its own action disables (Fail drive once the drive is FAILED, Bring online once it
        // is back) would hand the focus to the next node in the scene at the next pulse, the bay's first slot:
        // after failing d8 the focus ring sat on d1. It goes back to the drive acted on, still the selected one
        // (the scene's focus owner, not isFocused(): that is false while the window itself is not focused, as just
        // after the confirmation dialog closed, and the focus then still went to d1 once the window was back)
        for (Button b : java.util.List.of(failDrive, replaceDrive, takeOffline, bringOnline, addSpare)) {
            b.disabledProperty().addListener((o, was, now) -> {
                if (now && b.getScene() != null && b.getScene().getFocusOwner() == b) {
                    focusBay();
                }
            });
        }

        MenuItem fail = new MenuItem();
        fail.setOnAction(e -> fail());
        Actions.bind(fail, vm.failBlockedProperty(), "Fail drive");
        MenuItem replace = new MenuItem();
        replace.setOnAction(e -> replace());
        Actions.bind(replace, vm.replaceBlockedProperty(), "Replace drive…");
        MenuItem add = new MenuItem();
        add.setOnAction(e -> addSpare());
        Actions.bind(add, vm.addBlockedProperty(), "Add spare");
        MenuItem offline = new MenuItem();
        offline.setOnAction(e -> takeOffline());
        Actions.bind(offline, vm.offlineBlockedProperty(), "Take offline…");
        MenuItem online = new MenuItem();
        online.setOnAction(e -> bringOnline());
        Actions.bind(online, vm.onlineBlockedProperty(), "Bring online");
        menu.getItems().setAll(fail, replace, new SeparatorMenuItem(), offline, online, new SeparatorMenuItem(), add);
    }

    /** Actions of other features at the end of a slot's context menu. */
    public void addActions(java.util.List<MenuItem> items) {
        menu.getItems().add(new SeparatorMenuItem());
        menu.getItems().addAll(items);
    }

    private void syncSlots() {
        Map<String, DriveSlot> keep = new HashMap<>();
        bay.getChildren().clear();
        for (DriveRow r : model.rows()) {
            DriveSlot s = slots.remove(r.name());
            if (s == null || s.row() != r) {
                if (s != null) {
                    s.unbind();
                }
                s = newSlot(r);
            }
            keep.put(r.name(), s);
            bay.getChildren().add(s);
        }
        slots.values().forEach(DriveSlot::unbind);
        slots.clear();
        slots.putAll(keep);
        String sel = model.selectedDriveProperty().get();
        slots.forEach((n, s) -> s.select(n.equals(sel)));
        oneTabStop();
        bayHint.setText(slots.isEmpty() ? "No drives in this pool"
                : "Select a drive by a click or the arrow keys; its actions: right-click or Shift+F10.");
    }

    private DriveSlot newSlot(DriveRow r) {
        DriveSlot s = new DriveSlot(r);
        s.compact.bind(compactBay);
        s.setOnMousePressed(e -> {
            model.selectedDriveProperty().set(r.name());
            s.requestFocus();
            if (e.getButton() == MouseButton.SECONDARY) {
                menu.show(s, e.getScreenX(), e.getScreenY());
            }
            // the press stops here: passed on, the bay's scroll pane took the focus from the slot just clicked,
            // and the arrow keys then scrolled the bay instead of moving between drives
            e.consume();
        });
        // the slot with the focus is in view: the arrow keys moved the focus and the selection to d11, in the bay's
        // third row, below its scroll pane's two, where neither could be seen
        s.focusedProperty().addListener((o, was, now) -> {
            if (now) {
                org.splitpoint.app.common.Reveal.reveal(s);
            }
        });
        // selection follows clicks and arrow keys, not focus: focus also moves when a button disables itself.
        // Every arrow key is the bay's, even at its edge: Down scrolled the bay's scroll pane instead of moving to
        // the row below (the slot with the focus went half out of view), Up and Down moved nothing
        s.setOnKeyPressed(e -> {
            int i = bay.getChildren().indexOf(s);
            if (e.getCode() == KeyCode.RIGHT || e.getCode() == KeyCode.LEFT) {
                int to = i + (e.getCode() == KeyCode.RIGHT ? 1 : -1);
                if (to >= 0 && to < bay.getChildren().size()) {
                    selectAndFocus((DriveSlot) bay.getChildren().get(to));
                }
            } else if (e.getCode() == KeyCode.DOWN || e.getCode() == KeyCode.UP) {
                DriveSlot to = inNextRow(s, e.getCode() == KeyCode.DOWN);
                if (to != null) {
                    selectAndFocus(to);
                }
            } else if (e.getCode() == KeyCode.HOME || e.getCode() == KeyCode.END) {
                if (!bay.getChildren().isEmpty()) {
                    selectAndFocus((DriveSlot) bay.getChildren().get(e.getCode() == KeyCode.HOME ? 0 : bay.getChildren().size() - 1));
                }
            } else if (e.getCode() == KeyCode.SPACE || e.getCode() == KeyCode.ENTER) {
                model.selectedDriveProperty().set(r.name());
            } else if (e.getCode() == KeyCode.CONTEXT_MENU || (e.getCode() == KeyCode.F10 && e.isShiftDown())) {
                menu.show(s, javafx.geometry.Side.BOTTOM, 0, 0);
            } else {
                return;
            }
            e.consume();
        });
        return s;
    }

    /**
     * The slot in the row below {@code s} (above, when {@code down} is false) nearest to it across, or null in
     * the last (first) row. Rows as the bay wraps them at its width now, so a narrower window changes none of it.
     */
    private DriveSlot inNextRow(DriveSlot s, boolean down) {
        double y = s.getLayoutY();
        double x = s.getLayoutX() + s.getWidth() / 2;
        Double row = null;
        for (javafx.scene.Node n : bay.getChildren()) { // the nearest row's top beyond this one's
            double ny = n.getLayoutY();
            if (down ? ny > y + 1 && (row == null || ny < row) : ny < y - 1 && (row == null || ny > row)) {
                row = ny;
            }
        }
        DriveSlot best = null;
        for (javafx.scene.Node n : bay.getChildren()) {
            if (row != null && Math.abs(n.getLayoutY() - row) <= 1 && (best == null
                    || Math.abs(n.getLayoutX() + ((DriveSlot) n).getWidth() / 2 - x) < Math.abs(best.getLayoutX() + best.getWidth() / 2 - x))) {
                best = (DriveSlot) n;
            }
        }
        return best;
    }

    /**
     * The bay is one stop of Tab, as a list is: the selected drive's slot (the first without a selection); the
     * arrow keys move within it. Each of the twelve slots was a stop of its own, twelve Tabs from the bay's verbs
     * to the buttons under it.
     */
    private void oneTabStop() {
        String sel = model.selectedDriveProperty().get();
        DriveSlot stop = sel == null ? null : slots.get(sel);
        if (stop == null && !bay.getChildren().isEmpty()) {
            stop = (DriveSlot) bay.getChildren().get(0);
        }
        for (javafx.scene.Node n : bay.getChildren()) {
            n.setFocusTraversable(n == stop);
        }
    }

    private void selectAndFocus(DriveSlot s) {
        model.selectedDriveProperty().set(s.row().name());
        s.requestFocus();
    }

    /** The state word the slot of {@code drive} shows, or "" (tests and accessibility). */
    public String shownState(String drive) {
        DriveSlot s = slots.get(drive);
        return s == null ? "" : s.stateText();
    }

    /** Failing a drive is a drill with consequences: they are named first, and Cancel is the default. */
    @FXML
    public void fail() {
        FailPlan plan = model.failPlan();
        if (plan != null && model.failBlockedProperty().get().isEmpty()
                && org.splitpoint.app.common.StopConfirmDialog.ask(getScene().getWindow(), "Fail drive " + plan.drive(),
                        plan.header(), plan.sentences(), "Fail " + plan.drive(), "Cancel")) {
            model.fail();
        }
    }

    @FXML
    public void replace() {
        ReplacePlan plan = model.replacePlan();
        if (plan == null || !model.replaceBlockedProperty().get().isEmpty()) {
            return;
        }
        // the rebuild's own limit from its start (its Jobs row changes it later); there is no limit for all jobs
        javafx.beans.property.LongProperty limit = new javafx.beans.property.SimpleLongProperty(0);
        var choice = new org.splitpoint.app.restore.ThrottleChoice(limit);
        choice.setId("rebuildThrottle");
        Label key = new Label("Rebuild at");
        key.setMinWidth(Label.USE_PREF_SIZE);
        var row = new javafx.scene.layout.HBox(8, key, choice);
        row.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        if (TypedConfirmDialog.ask(getScene().getWindow(), plan.confirmation(), row, null)) {
            model.replace(limit.get());
        }
    }

    @FXML
    public void addSpare() {
        model.addSpare();
    }

    @FXML
    public void takeOffline() {
        TakeOfflineForm form = model.offlineForm();
        if (form != null) {
            TakeOfflineDialog.ask(getScene().getWindow(), form);
        }
    }

    @FXML
    public void bringOnline() {
        model.bringOnline();
    }
}
