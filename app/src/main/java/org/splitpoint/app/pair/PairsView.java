package org.splitpoint.app.pair;

import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.BadgeCell;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/** The pool's pairs; double-click (or Enter) opens a pair's console; New pair… makes one. FXML: PairsView.fxml. */
public final class PairsView extends VBox {

    @FXML private TableView<PairView> pairsTable;
    @FXML private TableColumn<PairView, String> nameColumn;
    @FXML private TableColumn<PairView, String> stdColumn;
    @FXML private TableColumn<PairView, String> bcvColumn;
    @FXML private TableColumn<PairView, StateLook> stateColumn; // PairLook: a FAILED side over a mirroring state
    @FXML private TableColumn<PairView, String> invalidColumn;
    @FXML private TableColumn<PairView, String> progressColumn;
    @FXML private Button newPair;
    @FXML private StackPane newPairWrap;
    private PairsViewModel model;

    public PairsView() {
        Fxml.load(this, "PairsView");
    }

    /** {@code open} shows the console of the named pair. */
    public void bind(PairsViewModel vm, Consumer<String> open) {
        this.model = vm;
        pairsTable.setItems(vm.pairs());
        nameColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
        stdColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().std()));
        bcvColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().bcv()));
        stateColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(PairLook.of(c.getValue())));
        stateColumn.setCellFactory(c -> new BadgeCell<>(look -> look));
        invalidColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(Format.count(c.getValue().stdInvalidTracks())
                + " / " + Format.count(c.getValue().bcvInvalidTracks())));
        progressColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().job() == null ? ""
                : c.getValue().job().kind() + " " + Format.percent(c.getValue().job().fraction())));
        pairsTable.setRowFactory(t -> {
            TableRow<PairView> row = new TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && row.getItem() != null) {
                    open.accept(row.getItem().name());
                }
            });
            return row;
        });
        pairsTable.setOnKeyPressed(e -> {
            PairView p = pairsTable.getSelectionModel().getSelectedItem();
            if (e.getCode() == javafx.scene.input.KeyCode.ENTER && p != null) {
                open.accept(p.name());
            }
        });
    }

    private Runnable newPairAction = () -> { };

    /**
     * What New pair… does: the lifecycle's New pair dialog (STD and a BCV of its size), enabled by
     * the lifecycle's own rule ({@code blocked}, why not), so the button and the dialog agree.
     */
    public void onNewPair(Runnable action, javafx.beans.value.ObservableStringValue blocked) {
        this.newPairAction = action;
        Actions.bind(newPair, newPairWrap, blocked, "Make a pair of two volumes of the same size: a STD and its BCV.");
    }

    @FXML
    private void newPair() {
        newPairAction.run();
    }
}
