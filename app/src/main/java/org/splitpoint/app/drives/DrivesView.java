package org.splitpoint.app.drives;

import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.css.PseudoClass;
import javafx.fxml.FXML;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.BadgeCell;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.DriveState;

/** The drives table with the drive actions (toolbar buttons and a context menu). FXML: DrivesView.fxml. */
public final class DrivesView extends VBox {

    private static final PseudoClass FAILED = PseudoClass.getPseudoClass("failed");
    private static final PseudoClass REBUILDING = PseudoClass.getPseudoClass("rebuilding");

    @FXML private TableView<DriveRow> drivesTable;
    @FXML private TableColumn<DriveRow, String> nameColumn;
    @FXML private TableColumn<DriveRow, DriveState> stateColumn;
    @FXML private TableColumn<DriveRow, String> volumeColumn;
    @FXML private TableColumn<DriveRow, String> sizeColumn;
    @FXML private TableColumn<DriveRow, Number> rebuildColumn;
    @FXML private Button failDrive;
    @FXML private Button replaceDrive;
    @FXML private Button addSpare;
    @FXML private StackPane failWrap;
    @FXML private StackPane replaceWrap;
    @FXML private StackPane addWrap;
    private DrivesViewModel model;

    public DrivesView() {
        Fxml.load(this, "DrivesView");
    }

    /** Focuses the table, once it is in the scene (a SplitPane adds its items on its first layout). */
    public void focusTable() {
        if (drivesTable.getScene() != null) {
            drivesTable.requestFocus();
            return;
        }
        drivesTable.sceneProperty().addListener(new ChangeListener<Scene>() {
            @Override
            public void changed(ObservableValue<? extends Scene> o, Scene was, Scene now) {
                if (now != null) {
                    drivesTable.sceneProperty().removeListener(this);
                    Platform.runLater(drivesTable::requestFocus);
                }
            }
        });
    }

    public void bind(DrivesViewModel vm) {
        this.model = vm;
        drivesTable.setItems(vm.rows());
        nameColumn.setCellValueFactory(c -> Bindings.createStringBinding(() -> c.getValue().name()));
        stateColumn.setCellValueFactory(c -> c.getValue().stateProperty());
        stateColumn.setCellFactory(c -> new BadgeCell<>(StateLook::of));
        volumeColumn.setCellValueFactory(c -> c.getValue().volumeProperty());
        sizeColumn.setCellValueFactory(c -> c.getValue().sizeProperty());
        rebuildColumn.setCellValueFactory(c -> c.getValue().rebuildProperty());
        rebuildColumn.setCellFactory(c -> new RebuildCell());
        drivesTable.setRowFactory(t -> new DriveTableRow());
        vm.selectedDriveProperty().bind(Bindings.createStringBinding(() -> {
            DriveRow r = drivesTable.getSelectionModel().getSelectedItem();
            return r == null ? null : r.name();
        }, drivesTable.getSelectionModel().selectedItemProperty()));

        Actions.bind(failDrive, failWrap, vm.failBlockedProperty(),
                "Mark the selected drive FAILED, as if it had died: its volume keeps serving, DEGRADED.");
        Actions.bind(replaceDrive, replaceWrap, vm.replaceBlockedProperty(),
                "Swap a blank drive in for the selected FAILED drive and rebuild it from the others.");
        Actions.bind(addSpare, addWrap, vm.addBlockedProperty(), "Add a blank SPARE drive to the pool.");

        MenuItem fail = new MenuItem();
        fail.setOnAction(e -> fail());
        Actions.bind(fail, vm.failBlockedProperty(), "Fail drive");
        MenuItem replace = new MenuItem();
        replace.setOnAction(e -> replace());
        Actions.bind(replace, vm.replaceBlockedProperty(), "Replace drive…");
        MenuItem add = new MenuItem();
        add.setOnAction(e -> addSpare());
        Actions.bind(add, vm.addBlockedProperty(), "Add spare");
        drivesTable.setContextMenu(new ContextMenu(fail, replace, new SeparatorMenuItem(), add));
    }

    @FXML
    private void fail() {
        model.fail();
    }

    @FXML
    private void replace() {
        ReplacePlan plan = model.replacePlan();
        if (plan != null && ReplaceDriveDialog.confirm(getScene().getWindow(), plan)) {
            model.replace();
        }
    }

    @FXML
    private void addSpare() {
        model.addSpare();
    }

    /** Tints FAILED and REBUILDING rows (the state cell carries word and glyph). */
    private static final class DriveTableRow extends TableRow<DriveRow> {
        private final ChangeListener<DriveState> onState = (o, was, now) -> mark(now);

        @Override
        protected void updateItem(DriveRow item, boolean empty) {
            DriveRow old = getItem();
            if (old != null) {
                old.stateProperty().removeListener(onState);
            }
            super.updateItem(item, empty);
            if (item != null && !empty) {
                item.stateProperty().addListener(onState);
                mark(item.getState());
            } else {
                mark(null);
            }
        }

        private void mark(DriveState s) {
            pseudoClassStateChanged(FAILED, s == DriveState.FAILED || s == DriveState.MISSING);
            pseudoClassStateChanged(REBUILDING, s == DriveState.REBUILDING);
        }
    }

    /** Progress bar and percent while a drive rebuilds; empty otherwise. */
    private static final class RebuildCell extends TableCell<DriveRow, Number> {
        private final ProgressBar bar = new ProgressBar();
        private final Label pct = new Label();
        private final HBox box = new HBox(6, bar, pct);

        RebuildCell() {
            box.getStyleClass().add("rebuild-cell");
            bar.setMaxWidth(Double.MAX_VALUE);
            HBox.setHgrow(bar, javafx.scene.layout.Priority.ALWAYS);
            setContentDisplay(ContentDisplay.GRAPHIC_ONLY);
        }

        @Override
        protected void updateItem(Number value, boolean empty) {
            super.updateItem(value, empty);
            if (empty || value == null || value.doubleValue() < 0) {
                setGraphic(null);
                setText(null);
            } else {
                bar.setProgress(value.doubleValue());
                pct.setText(String.format("%.0f%%", value.doubleValue() * 100));
                setText(pct.getText());
                setGraphic(box);
            }
        }
    }
}
