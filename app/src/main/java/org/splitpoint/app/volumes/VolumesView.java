package org.splitpoint.app.volumes;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/**
 * The volumes table: layout, state (glyph + word + colour) and why, size, member drives, snapshots
 * (or "save area"); the save area's gauge in the header. FXML: VolumesView.fxml.
 */
public final class VolumesView extends VBox {

    @FXML private TableView<VolumeRow> volumesTable;
    @FXML private TableColumn<VolumeRow, String> nameColumn;
    @FXML private TableColumn<VolumeRow, String> layoutColumn;
    @FXML private TableColumn<VolumeRow, VolumeRow.Status> stateColumn;
    @FXML private TableColumn<VolumeRow, String> sizeColumn;
    @FXML private TableColumn<VolumeRow, String> drivesColumn;
    @FXML private TableColumn<VolumeRow, String> snapshotsColumn;
    @FXML private HBox header;
    @FXML private HBox saveAreaBox;
    @FXML private Label saveAreaName;
    @FXML private org.splitpoint.app.journal.LimitGauge saveAreaGauge;

    public VolumesView() {
        Fxml.load(this, "VolumesView");
    }

    /** Puts {@code actions} (New volume…) at the right of the header, after the save area's gauge. */
    public void addHeaderActions(javafx.scene.Node... actions) {
        header.getChildren().addAll(actions);
    }

    /** {@code open} shows the named volume in detail (double-click or Enter on its row). */
    public void bind(VolumesViewModel vm, java.util.function.Consumer<String> open) {
        volumesTable.setItems(vm.rows());
        volumesTable.setRowFactory(t -> {
            javafx.scene.control.TableRow<VolumeRow> row = new javafx.scene.control.TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && row.getItem() != null) {
                    open.accept(row.getItem().name());
                }
            });
            return row;
        });
        volumesTable.setOnKeyPressed(e -> {
            VolumeRow r = volumesTable.getSelectionModel().getSelectedItem();
            if (e.getCode() == javafx.scene.input.KeyCode.ENTER && r != null) {
                open.accept(r.name());
            }
        });
        nameColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
        layoutColumn.setCellValueFactory(c -> c.getValue().layoutProperty());
        stateColumn.setCellValueFactory(c -> c.getValue().statusProperty());
        stateColumn.setCellFactory(c -> new StatusCell());
        sizeColumn.setCellValueFactory(c -> c.getValue().sizeProperty());
        drivesColumn.setCellValueFactory(c -> c.getValue().drivesProperty());
        drivesColumn.setCellFactory(c -> new DrivesCell());
        snapshotsColumn.setCellValueFactory(c -> c.getValue().snapshotsProperty());
        saveAreaName.textProperty().bind(vm.saveAreaNameProperty());
        javafx.scene.control.Tooltip whole = new javafx.scene.control.Tooltip();
        whole.textProperty().bind(vm.saveAreaNameProperty()); // the key in full when a narrow window cut it
        saveAreaName.setTooltip(whole);
        saveAreaBox.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(vm.saveAreaNameProperty()));
        saveAreaBox.managedProperty().bind(saveAreaBox.visibleProperty());
        vm.saveAreaProperty().addListener((o, was, now) -> saveAreaGauge.show(now));
        saveAreaGauge.show(vm.saveAreaProperty().get());
        javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip();
        tip.textProperty().bind(vm.saveAreaHintProperty());
        tip.setWrapText(true);
        tip.setMaxWidth(420);
        javafx.scene.control.Tooltip.install(saveAreaBox, tip);
        // at 1024x700 the key was cut to "Save ar..." between the title, the gauge and New volume…: where the
        // header is too narrow for everything, the gauge's bar gives way, and the key and the figures show whole
        javafx.beans.InvalidationListener fit = o -> fitHeader();
        header.widthProperty().addListener(fit);
        saveAreaName.textProperty().addListener(fit);
        vm.saveAreaProperty().addListener(fit);
    }

    /** The save area's bar shown only where the header has the room for it besides every word. */
    private void fitHeader() {
        double wanted = header.prefWidth(-1) + (saveAreaGauge.barGivenWay() ? saveAreaGauge.barRoom() : 0);
        saveAreaGauge.giveWayBar(header.getWidth() > 0 && header.getWidth() < wanted);
    }

    /** The widest the drives column grows to show its lists whole; a longer list is cut, whole in its tooltip. */
    static final double DRIVES_MOST = 260;

    /**
     * A volume's member drives, whole: which drives hold a volume is what an administrator reads this
     * column for, and at 1024x700 a raid5's read "d1, d2, ...". The column's minimum follows the
     * widest list shown (up to {@link #DRIVES_MOST}); the state column, whose reason may give way,
     * gives the room.
     */
    private static final class DrivesCell extends TableCell<VolumeRow, String> {
        private final javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip();

        DrivesCell() {
            // the first updateItem comes before the style sheet's font and padding: measured without
            // them, the bay's table still cut "d1, d2, ..." until a row changed
            fontProperty().addListener((o, was, now) -> fitColumn());
            insetsProperty().addListener((o, was, now) -> fitColumn());
        }

        @Override
        protected void updateItem(String drives, boolean empty) {
            super.updateItem(drives, empty);
            setText(empty ? null : drives);
            tip.setText(drives);
            setTooltip(empty || drives == null || drives.isEmpty() ? null : tip);
            fitColumn();
        }

        /** Sets the column's minimum to the widest list among all rows (not only those on screen). */
        private void fitColumn() {
            TableColumn<VolumeRow, String> column = getTableColumn();
            if (column == null || getTableView() == null) {
                return;
            }
            javafx.scene.text.Text probe = new javafx.scene.text.Text();
            probe.setFont(getFont());
            double widest = 0;
            for (VolumeRow r : getTableView().getItems()) {
                probe.setText(r.drivesProperty().get());
                widest = Math.max(widest, probe.getLayoutBounds().getWidth());
            }
            double need = Math.min(DRIVES_MOST, Math.ceil(widest + snappedLeftInset() + snappedRightInset()) + 4);
            if (Math.abs(column.getMinWidth() - Math.max(60, need)) > 0.5) {
                column.setMinWidth(Math.max(60, need));
            }
        }
    }

    /** State badge (glyph + word + colour) followed by the members that make the state, e.g. "d3 FAILED". */
    private static final class StatusCell extends TableCell<VolumeRow, VolumeRow.Status> {
        private final StateBadge badge = new StateBadge();
        private final Label why = new Label();
        private final HBox box = new HBox(8, badge, why);

        StatusCell() {
            why.getStyleClass().add("state-why");
            why.setMinWidth(0);
            // the reason gives way first ("d9 REBUILDING (rebu..."), never the state word ("REBUIL...")
            badge.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            box.setAlignment(Pos.CENTER_LEFT);
            setContentDisplay(ContentDisplay.GRAPHIC_ONLY);
        }

        @Override
        protected void updateItem(VolumeRow.Status s, boolean empty) {
            super.updateItem(s, empty);
            if (empty || s == null) {
                setText(null);
                setGraphic(null);
            } else {
                badge.show(s.look());
                why.setText(s.why());
                setText(s.why().isEmpty() ? s.look().word() : s.look().word() + ": " + s.why()); // for lookups
                setGraphic(box);
            }
        }
    }
}
