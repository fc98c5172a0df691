package org.splitpoint.app.session;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.binding.StringBinding;
import javafx.css.PseudoClass;
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
 * {@code #newPoolTrackSize}, {@code #newPoolProvisioning} (the drives' total against the free space of the
 * file system, asked in the background like the directory), {@code #newPoolThin} ("I know the drives
 * are thin", shown and asked only when the drives can outgrow that space), {@code #newPoolProblem}.
 */
public final class NewPoolDialog {

    private NewPoolDialog() {
    }

    public static Optional<NewPoolForm> ask(Window owner, Path suggested) {
        return ask(owner, suggested, NewPoolForm::directoryProblem, NewPoolForm::freeSpace);
    }

    static Optional<NewPoolForm> ask(Window owner, Path suggested, UnaryOperator<String> look) {
        return ask(owner, suggested, look, NewPoolForm::freeSpace);
    }

    /**
     * As {@link #ask(Window, Path)}, the directory judged by {@code look} (the engine's rule; a test's
     * stand-in that hangs). The look runs on a thread of its own at each change of the directory, never on
     * the FX thread: it was asked there at every key typed in any field, and a directory on an
     * automounted or hung network path froze the window meanwhile. Create waits for the answer about the
     * directory shown; one that has not come after {@link PathCheck#SLOW} says so under the fields.
     */
    static Optional<NewPoolForm> ask(Window owner, Path suggested, UnaryOperator<String> look, UnaryOperator<String> freeLook) {
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
        Label provisioning = new Label();
        provisioning.setId("newPoolProvisioning");
        provisioning.setWrapText(true);
        provisioning.setMinHeight(Label.USE_PREF_SIZE);
        provisioning.setMaxWidth(520);
        provisioning.getStyleClass().add("form-note");
        CheckBox thin = new CheckBox("I know the drives are thin");
        thin.setId("newPoolThin");
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
        g.add(provisioning, 1, 5);
        g.add(thin, 1, 6);
        g.add(whyRoom, 0, 7, 2, 1);

        ObjectBinding<NewPoolForm> form = Bindings.createObjectBinding(() -> new NewPoolForm(dir.getText(),
                drives.getValue() == null ? 0 : drives.getValue(), size.getText(), track.getValue(), demo.isSelected()),
                dir.textProperty(), drives.valueProperty(), size.textProperty(), track.valueProperty(), demo.selectedProperty());
        PathCheck dirLook = new PathCheck(dir.textProperty(), PathCheck.onOwnThread(look, "splitpoint-new-pool-look"));
        // the free space of the file system the pool would be on: a statfs, asked in the background as the directory is
        PathCheck freeCheck = new PathCheck(dir.textProperty(), PathCheck.onOwnThread(freeLook, "splitpoint-new-pool-free"));
        javafx.beans.binding.LongBinding free = Bindings.createLongBinding(() -> {
            try {
                return freeCheck.lookingProperty().get() ? -1 : Long.parseLong(freeCheck.problemProperty().get());
            } catch (NumberFormatException e) {
                return -1L;
            }
        }, freeCheck.problemProperty(), freeCheck.lookingProperty());
        provisioning.textProperty().bind(Bindings.createStringBinding(() -> form.get().provisioning(free.get()), form, free));
        javafx.beans.binding.BooleanBinding thinNow = Bindings.createBooleanBinding(() -> form.get().thin(free.get()), form, free);
        PseudoClass thinLook = PseudoClass.getPseudoClass("thin");
        thinNow.addListener((o, was, now) -> {
            provisioning.pseudoClassStateChanged(thinLook, now);
            thin.setSelected(false); // a tick given for one total is no answer for another
        });
        thin.visibleProperty().bind(thinNow); // its row's room kept while hidden: shown, it moved the fields above
        form.addListener((o, was, now) -> {
            if (was != null && now != null && (was.drives() != now.drives() || !was.driveSize().equals(now.driveSize()))) {
                thin.setSelected(false);
            }
        });
        ObjectBinding<NewPoolForm.Problem> problem = Bindings.createObjectBinding(
                () -> form.get().checkWith(dirLook.problemProperty().get(), free.get(), thin.isSelected()), form,
                dirLook.problemProperty(), free, thin.selectedProperty());
        why.textProperty().bind(Bindings.createStringBinding(() -> dirLook.slowProperty().get().isEmpty()
                ? problem.get().sentence() : dirLook.slowProperty().get(), problem, dirLook.slowProperty()));
        // the spinner's own text field carries the mark, as an editable combo box's does (EnableJournalDialog)
        FieldMarks marks = new FieldMarks().mark(dir, about(problem, NewPoolForm.Field.DIRECTORY))
                .mark(drives.getEditor(), about(problem, NewPoolForm.Field.DRIVES))
                .mark(size, about(problem, NewPoolForm.Field.DRIVE_SIZE))
                .mark(track, about(problem, NewPoolForm.Field.TRACK_SIZE))
                .mark(thin, about(problem, NewPoolForm.Field.THIN));
        d.getDialogPane().setContent(marks.layer(g));
        ButtonType create = new ButtonType("Create pool", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(create, ButtonType.CANCEL);
        d.getDialogPane().lookupButton(create).disableProperty().bind(Bindings.isNotEmpty(why.textProperty())
                .or(dirLook.lookingProperty()).or(freeCheck.lookingProperty()));
        return d.showAndWait().filter(b -> b == create).map(b -> form.get());
    }

    /** The problem's sentence while it is about {@code field}, else "". */
    private static StringBinding about(ObjectBinding<NewPoolForm.Problem> problem, NewPoolForm.Field field) {
        return Bindings.createStringBinding(() -> problem.get().field() == field ? problem.get().sentence() : "", problem);
    }
}
