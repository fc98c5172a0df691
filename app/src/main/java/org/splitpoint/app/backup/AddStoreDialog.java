package org.splitpoint.app.backup;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.FieldMarks;
import org.splitpoint.app.common.PathCheck;

/**
 * Add store…: a directory typed (or pasted) or chosen with Browse…; an existing store, or a new or
 * empty directory that becomes one with its first backup. Ids: {@code #storePath},
 * {@code #storeBrowse}, {@code #storeAdd}.
 */
public final class AddStoreDialog {

    private AddStoreDialog() {
    }

    /**
     * Asks for the directory; the text as typed, or empty when cancelled. {@code judge} says why a
     * directory cannot be a store ("" when it can), asked as the path is typed or chosen: the field is
     * marked, the sentence is under it (id {@code #storeProblem}) and Add store is disabled until the
     * path can be one; asked again at the click (the directory may have changed meanwhile), the dialog
     * then stays open with the path as typed, instead of closing into a refusal in the status bar.
     * {@code judge} looks at the path in the background and answers on the UI thread (a look at a hung
     * network path froze the window at each key); an answer for a text since changed is dropped, and one
     * that is late is said to be ({@link PathCheck}).
     */
    public static Optional<String> ask(Window owner, String title, Path suggested,
                                       BiConsumer<String, Consumer<String>> judge) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle(title);
        d.setHeaderText("A backup store is a directory outside the pool");
        TextField path = new TextField(suggested == null ? "" : suggested.toString());
        path.setId("storePath");
        path.setPrefColumnCount(36);
        Button browse = new Button("Browse…");
        browse.setId("storeBrowse");
        browse.setOnAction(e -> {
            DirectoryChooser c = new DirectoryChooser();
            c.setTitle(title);
            File start = path.getText().isBlank() ? null : new File(path.getText().trim());
            if (start != null && start.isDirectory()) {
                c.setInitialDirectory(start);
            }
            File f = c.showDialog(d.getDialogPane().getScene().getWindow());
            if (f != null) {
                path.setText(f.getAbsolutePath());
            }
        });
        HBox row = new HBox(6, path, browse);
        HBox.setHgrow(path, Priority.ALWAYS);
        Label note = new Label("An existing store is listed with its images; a directory that does not exist yet, or is"
                + " empty, becomes a store when the first backup goes there.");
        note.setWrapText(true);
        note.setMaxWidth(520);
        note.setMinHeight(Label.USE_PREF_SIZE); // wrapped whole, not cut to one line with "..."
        Label problem = new Label();
        problem.setId("storeProblem");
        problem.getStyleClass().add("form-error");
        problem.setWrapText(true);
        problem.setMaxWidth(520);
        problem.setMinHeight(Label.USE_PREF_SIZE);
        // the path looked at in the background (a blank field is not looked at); its answer under the field,
        // or after a moment without one, that the file system has not answered
        PathCheck check = new PathCheck(path.textProperty(),
                (t, answer) -> {
                    if (t == null || t.isBlank()) {
                        answer.accept("");
                    } else {
                        judge.accept(t, answer);
                    }
                });
        problem.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> check.slowProperty().get()
                .isEmpty() ? check.problemProperty().get() : check.slowProperty().get(), check.problemProperty(),
                check.slowProperty()));
        // judged as it is typed or chosen (check, above), as the New pool dialog judges its directory: a
        // read-only directory passed the typing and was refused only at the first backup. Its line is kept while
        // the path is right, so the buttons do not move as the sentence comes and goes; a longer one fits the dialog
        javafx.scene.Node problemRoom = org.splitpoint.app.common.DialogLook.problemLine(problem, d);
        VBox body = new VBox(8, row, note, problemRoom);
        FieldMarks marks = new FieldMarks().mark(path, check.problemProperty());
        d.getDialogPane().setContent(marks.layer(body));
        ButtonType add = new ButtonType("Add store", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(add, ButtonType.CANCEL);
        Button ok = (Button) d.getDialogPane().lookupButton(add);
        ok.setId("storeAdd");
        ok.setDefaultButton(true);
        ok.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(
                () -> path.getText().isBlank() || !problem.getText().isEmpty(), path.textProperty(), problem.textProperty()));
        ok.addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            e.consume(); // closed by the answer, if the path can be a store
            check.recheck(why -> { // asked again: the directory may have changed meanwhile
                if (why.isEmpty() && d.isShowing()) {
                    d.setResult(add);
                    d.close();
                } // else the dialog stays open, grown to show the sentence whole
            });
        });
        Platform.runLater(path::requestFocus);
        return d.showAndWait().filter(b -> b == add).map(b -> path.getText());
    }
}
