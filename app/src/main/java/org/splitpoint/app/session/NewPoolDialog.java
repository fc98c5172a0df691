package org.splitpoint.app.session;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.ObjectBinding;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;

/**
 * File → New pool…: directory, number of drives, drive size, track size, and whether to add the
 * demo's volumes and pair; the first problem shows under the fields and Create stays disabled
 * until there is none ({@link NewPoolForm}).
 */
public final class NewPoolDialog {

    private NewPoolDialog() {
    }

    public static Optional<NewPoolForm> ask(Window owner, Path suggested) {
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("New pool");
        d.setHeaderText("Create a pool of blank drive images");
        if (owner != null && owner.getScene() != null) {
            d.getDialogPane().getStylesheets().setAll(owner.getScene().getRoot().getStylesheets());
            d.getDialogPane().getStyleClass().addAll(owner.getScene().getRoot().getStyleClass());
        }
        TextField dir = new TextField(suggested == null ? "" : suggested.toString());
        dir.setId("newPoolDir");
        dir.setPrefColumnCount(32);
        Button browse = new Button("Browse…");
        browse.setOnAction(e -> {
            DirectoryChooser c = new DirectoryChooser();
            c.setTitle("Directory for the new pool (new or empty)");
            File f = c.showDialog(d.getDialogPane().getScene().getWindow());
            if (f != null) {
                dir.setText(f.getAbsolutePath());
            }
        });
        HBox dirRow = new HBox(6, dir, browse);
        HBox.setHgrow(dir, Priority.ALWAYS);
        Spinner<Integer> drives = new Spinner<>(1, 256, 6);
        drives.setEditable(true);
        org.splitpoint.app.common.WholeNumberSpinner.digitsOnly(drives);
        drives.setId("newPoolDrives");
        TextField size = new TextField("64M");
        size.setId("newPoolDriveSize");
        ComboBox<String> track = new ComboBox<>();
        track.getItems().setAll("4K", "16K", "64K", "256K", "1M");
        track.setValue("64K");
        CheckBox demo = new CheckBox("Add the demo's volumes and pair (prod, prod-bcv, prod-pair)");
        Label why = new Label();
        why.getStyleClass().add("form-error");
        why.setWrapText(true);

        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(8);
        g.addRow(0, new Label("Directory"), dirRow);
        g.addRow(1, new Label("Drives"), drives);
        g.addRow(2, new Label("Drive size"), size);
        g.addRow(3, new Label("Track size"), track);
        g.add(demo, 1, 4);
        g.add(why, 0, 5, 2, 1);
        d.getDialogPane().setContent(g);

        ObjectBinding<NewPoolForm> form = Bindings.createObjectBinding(() -> new NewPoolForm(dir.getText(),
                drives.getValue() == null ? 0 : drives.getValue(), size.getText(), track.getValue(), demo.isSelected()),
                dir.textProperty(), drives.valueProperty(), size.textProperty(), track.valueProperty(), demo.selectedProperty());
        why.textProperty().bind(Bindings.createStringBinding(() -> form.get().problem(), form));
        ButtonType create = new ButtonType("Create pool", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(create, ButtonType.CANCEL);
        d.getDialogPane().lookupButton(create).disableProperty().bind(Bindings.isNotEmpty(why.textProperty()));
        return d.showAndWait().filter(b -> b == create).map(b -> form.get());
    }
}
