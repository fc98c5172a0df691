package org.splitpoint.app.session;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.binding.StringBinding;
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
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.FieldMarks;
import org.splitpoint.app.common.PathCheck;

/**
 * File → New pool…: directory, number of drives, drive size, track size, and whether to add the
 * demo's volumes and pair; the first problem shows under the fields, the field it is about is marked
 * ({@link FieldMarks}: red, the sentence on its mark), and Create stays disabled until there is none
 * ({@link NewPoolForm}; the directory looked at in the background, {@link PathCheck}). Ids:
 * {@code #newPoolDir}, {@code #newPoolDrives}, {@code #newPoolDriveSize},
 * {@code #newPoolTrackSize}, {@code #newPoolProblem}.
 */
public final class NewPoolDialog {

    private NewPoolDialog() {
    }

    public static Optional<NewPoolForm> ask(Window owner, Path suggested) {
        return ask(owner, suggested, NewPoolForm::directoryProblem);
    }

    /**
     * As {@link #ask(Window, Path)}, the directory judged by {@code look} (the engine's rule; a test's
     * stand-in that hangs). The look runs on a thread of its own at each change of the directory, never on
     * the FX thread: it was asked there at every key typed in any field, and a directory on an
     * automounted or hung network path froze the window meanwhile. Create waits for the answer about the
     * directory shown; one that has not come after {@link PathCheck#SLOW} says so under the fields.
     */
    static Optional<NewPoolForm> ask(Window owner, Path suggested, UnaryOperator<String> look) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle("New pool");
        d.setHeaderText("Create a pool of blank drive images");
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
        org.splitpoint.app.common.WholeNumberSpinner.digitsOnly(drives, "drives");
        drives.setId("newPoolDrives");
        TextField size = new TextField("64M");
        size.setId("newPoolDriveSize");
        ComboBox<String> track = new ComboBox<>();
        track.getItems().setAll("4K", "16K", "64K", "256K", "1M");
        track.setValue("64K");
        track.setId("newPoolTrackSize");
        CheckBox demo = new CheckBox("Add the demo's volumes and pair (prod, prod-bcv, prod-pair)");
        Label why = new Label();
        why.setId("newPoolProblem");
        why.getStyleClass().add("form-error");
        javafx.scene.Node whyRoom = DialogLook.problemLine(why, d); // the sentence shows in full, its line kept while the form is right

        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(8);
        g.addRow(0, new Label("Directory"), dirRow);
        g.addRow(1, new Label("Drives"), drives);
        g.addRow(2, new Label("Drive size"), size);
        g.addRow(3, new Label("Track size"), track);
        g.add(demo, 1, 4);
        g.add(whyRoom, 0, 5, 2, 1);

        ObjectBinding<NewPoolForm> form = Bindings.createObjectBinding(() -> new NewPoolForm(dir.getText(),
                drives.getValue() == null ? 0 : drives.getValue(), size.getText(), track.getValue(), demo.isSelected()),
                dir.textProperty(), drives.valueProperty(), size.textProperty(), track.valueProperty(), demo.selectedProperty());
        PathCheck dirLook = new PathCheck(dir.textProperty(), PathCheck.onOwnThread(look, "splitpoint-new-pool-look"));
        ObjectBinding<NewPoolForm.Problem> problem = Bindings.createObjectBinding(
                () -> form.get().checkWith(dirLook.problemProperty().get()), form, dirLook.problemProperty());
        why.textProperty().bind(Bindings.createStringBinding(() -> dirLook.slowProperty().get().isEmpty()
                ? problem.get().sentence() : dirLook.slowProperty().get(), problem, dirLook.slowProperty()));
        // the spinner's own text field carries the mark, as an editable combo box's does (EnableJournalDialog)
        FieldMarks marks = new FieldMarks().mark(dir, about(problem, NewPoolForm.Field.DIRECTORY))
                .mark(drives.getEditor(), about(problem, NewPoolForm.Field.DRIVES))
                .mark(size, about(problem, NewPoolForm.Field.DRIVE_SIZE))
                .mark(track, about(problem, NewPoolForm.Field.TRACK_SIZE));
        d.getDialogPane().setContent(marks.layer(g));
        ButtonType create = new ButtonType("Create pool", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(create, ButtonType.CANCEL);
        d.getDialogPane().lookupButton(create).disableProperty().bind(Bindings.isNotEmpty(why.textProperty())
                .or(dirLook.lookingProperty()));
        return d.showAndWait().filter(b -> b == create).map(b -> form.get());
    }

    /** The problem's sentence while it is about {@code field}, else "". */
    private static StringBinding about(ObjectBinding<NewPoolForm.Problem> problem, NewPoolForm.Field field) {
        return Bindings.createStringBinding(() -> problem.get().field() == field ? problem.get().sentence() : "", problem);
    }
}
