package org.splitpoint.app.serve;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StopConfirmDialog;
import org.splitpoint.app.common.WholeTextCell;

/** The serve panel: address, start/stop, connected clients with read/write rates. FXML: ServeView.fxml. */
public final class ServeView extends VBox {

    @FXML private TextField serveAddress;
    @FXML private Button serveToggle;
    @FXML private Label serveStatus;
    @FXML private TableView<ClientRow> serveClients;
    @FXML private TableColumn<ClientRow, String> clientColumn;
    @FXML private TableColumn<ClientRow, String> exportColumn;
    @FXML private TableColumn<ClientRow, String> readColumn;
    @FXML private TableColumn<ClientRow, String> writeColumn;
    @FXML private TableColumn<ClientRow, String> requestsColumn;
    @FXML private TableColumn<ClientRow, String> sinceColumn;

    public ServeView() {
        Fxml.load(this, "ServeView");
    }

    public void bind(ServeViewModel vm) {
        serveAddress.textProperty().bindBidirectional(vm.addressProperty());
        // attached, the holder serves: nothing to start here (the status line says so)
        var heldElsewhere = new javafx.beans.property.ReadOnlyBooleanWrapper(vm.attached());
        serveAddress.disableProperty().bind(vm.servingProperty().or(vm.busyProperty()).or(heldElsewhere));
        serveAddress.setTooltip(new Tooltip("HOST:PORT. Loopback (127.0.0.1) keeps the volumes on this machine;"
                + " NBD has no authentication."));
        serveToggle.textProperty().bind(Bindings.when(vm.servingProperty()).then("Stop serving").otherwise("Start serving"));
        serveToggle.disableProperty().bind(vm.busyProperty().or(heldElsewhere));
        serveToggle.setTooltip(new Tooltip("Export every volume under its name (a split BCV read-write, an established"
                + " one read-only) for qemu-img, nbdcopy, fio or a VM."));
        serveToggle.setOnAction(e -> {
            if (vm.servingProperty().get()) {
                if (mayStop(vm.connectedClients())) {
                    vm.stop();
                }
            } else if (mayExpose(vm.networkExposure())) {
                vm.start();
            }
        });
        // Enter in the address starts serving, as the button does (the field is disabled while serving):
        // typed and Enter, nothing happened, and a wrong address said nothing until the click
        serveAddress.setOnAction(e -> serveToggle.fire());
        serveStatus.textProperty().bind(vm.statusProperty());
        serveStatus.getStyleClass().add("serve-status"); // red while a refusal (PoolView.css)
        vm.refusedProperty().addListener((o, was, now) -> serveStatus.pseudoClassStateChanged(
                javafx.css.PseudoClass.getPseudoClass("error"), now));
        vm.clientsProperty().addListener((o, a, rows) -> serveClients.setItems(FXCollections.observableArrayList(rows)));
        clientColumn.setCellValueFactory(c -> text(c.getValue().remote()));
        exportColumn.setCellValueFactory(c -> text(c.getValue().export() + (c.getValue().readOnly() ? " (ro)" : "")));
        readColumn.setCellValueFactory(c -> text(rate(c.getValue().readBytesPerSecond())));
        writeColumn.setCellValueFactory(c -> text(rate(c.getValue().writeBytesPerSecond())));
        requestsColumn.setCellValueFactory(c -> text(String.valueOf(c.getValue().requests())));
        sinceColumn.setCellValueFactory(c -> text(c.getValue().since()));
        // a snapshot's export ("prod@before-upgrade (ro)") or an IPv6 client outgrows its column
        exportColumn.setCellFactory(WholeTextCell.factory(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS));
        clientColumn.setCellFactory(WholeTextCell.factory(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS));
    }

    /** Stopping disconnects the clients: name them and ask; keeping the server is the default. */
    private boolean mayStop(List<String> clients) {
        if (clients.isEmpty()) {
            return true;
        }
        List<String> lines = new ArrayList<>();
        lines.add((clients.size() == 1 ? "This client is" : "These " + clients.size() + " clients are")
                + " connected and will be disconnected at once:");
        clients.forEach(c -> lines.add("• " + c));
        lines.add("Requests in flight finish and the volumes are flushed, but a VM or a copy using them sees its"
                + " disk go away.");
        return StopConfirmDialog.ask(getScene().getWindow(), "Stop serving",
                "Disconnect " + (clients.size() == 1 ? "1 NBD client" : clients.size() + " NBD clients") + "?",
                lines, "Stop serving", "Keep serving");
    }

    /** Serving beyond loopback exposes the volumes: say so and ask; not serving is the default. */
    private boolean mayExpose(String exposure) {
        return exposure == null || StopConfirmDialog.ask(getScene().getWindow(), "Serve to the network",
                "Serve the volumes to the network?", List.of(exposure,
                        "Serve on 127.0.0.1 to keep them on this machine."), "Serve to the network", "Cancel");
    }

    private static ReadOnlyObjectWrapper<String> text(String s) {
        return new ReadOnlyObjectWrapper<>(s);
    }

    static String rate(double bytesPerSecond) {
        return Format.rate(bytesPerSecond);
    }
}
