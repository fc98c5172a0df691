package org.splitpoint.app.journal;

import java.io.File;
import java.nio.file.Path;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableStringValue;
import javafx.collections.ListChangeListener;
import javafx.css.PseudoClass;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.FieldMarks;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/**
 * "Enable journal": the two SPARE drives (ticked), the store (a known one, typed, or Browse…), the
 * max size and the max age, each with its line saying what is wrong or what it means; Enable stays
 * disabled until nothing is wrong, and a refusal by the engine is shown without closing the dialog
 * ({@link EnableJournalForm}). Ids: {@code #journalDrive-<drive>}, {@code #journalStore},
 * {@code #journalStoreBrowse}, {@code #journalMaxSize}, {@code #journalMaxAge}, the lines under the fields
 * {@code #journalDrivesLine}, {@code #journalStoreLine}, {@code #journalSizeLine}, {@code #journalAgeLine},
 * {@code #journalRefused},
 * {@code #journalEnable}, {@code #journalCancel}.
 */
public final class EnableJournalDialog {

    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");

    private EnableJournalDialog() {
    }

    /** Shows the dialog and waits; true when the journal was enabled. */
    public static boolean ask(Window owner, EnableJournalForm form) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle("Enable the journal of " + form.volume());
        d.setHeaderText("Journal every write of " + form.volume());
        d.setGraphic(new StateBadge(new StateLook("", StateLook.Glyph.INFO, StateLook.Tone.BUSY)));

        Label what = new Label("Every write of " + form.volume() + " also goes to a journal mirrored on two SPARE"
                + " drives, and is acknowledged only when both hold it. The journal ships into the store as an"
                + " incremental image when it reaches its max size or max age, or on Ship now. A backup into the store"
                + " starts at once: the journal builds on it.");
        what.setWrapText(true);
        what.setMinHeight(Label.USE_PREF_SIZE);

        FieldMarks marks = new FieldMarks(); // the field a problem is about, marked where it is
        FlowPane drives = new FlowPane(14, 4);
        for (EnableJournalForm.Spare s : form.spares()) {
            CheckBox c = new CheckBox(s.describe());
            c.setId("journalDrive-" + s.drive());
            c.setSelected(form.chosen().contains(s.drive()));
            c.setOnAction(e -> form.choose(s.drive(), c.isSelected()));
            form.chosen().addListener((ListChangeListener<String>) ch -> c.setSelected(form.chosen().contains(s.drive())));
            drives.getChildren().add(c);
            marks.mark(c, form.drivesProblemProperty());
        }
        if (form.spares().isEmpty()) {
            drives.getChildren().add(new Label("no SPARE drive in the pool"));
        }

        ComboBox<String> store = new ComboBox<>();
        store.setId("journalStore");
        store.setEditable(true);
        store.setMaxWidth(Double.MAX_VALUE);
        form.knownStores().forEach(p -> store.getItems().add(p.toString()));
        store.getEditor().textProperty().bindBidirectional(form.storeProperty());
        store.setPromptText("a directory outside the pool");
        Button browse = new Button("Browse…");
        browse.setId("journalStoreBrowse");
        browse.setMinWidth(Button.USE_PREF_SIZE);
        browse.setOnAction(e -> {
            DirectoryChooser c = new DirectoryChooser();
            c.setTitle("The journal's backup store");
            if (EnableJournalForm.isDirectory(form.storeProperty().get())) {
                c.setInitialDirectory(new File(form.storeProperty().get().trim()));
            }
            File f = c.showDialog(d.getDialogPane().getScene().getWindow());
            if (f != null) {
                form.storeProperty().set(Path.of(f.getAbsolutePath()).toString());
            }
        });
        // an empty store is asked for by its line; a store typed that is not one is marked (on the box's
        // text field: ControlsFX left the editable combo box itself unmarked)
        marks.mark(store.getEditor(), Bindings.createStringBinding(() -> form.storeProperty().get() == null
                || form.storeProperty().get().isBlank() ? "" : form.storeProblemProperty().get(),
                form.storeProperty(), form.storeProblemProperty()));
        HBox storeRow = new HBox(6, store, browse);
        HBox.setHgrow(store, Priority.ALWAYS);

        TextField size = new TextField();
        size.setId("journalMaxSize");
        size.setPrefColumnCount(8);
        size.setPromptText("default");
        size.textProperty().bindBidirectional(form.maxSizeProperty());
        marks.mark(size, form.sizeProblemProperty());
        TextField age = new TextField();
        age.setId("journalMaxAge");
        age.setPrefColumnCount(8);
        age.setPromptText("none");
        age.textProperty().bindBidirectional(form.maxAgeProperty());
        marks.mark(age, form.ageProblemProperty());

        GridPane g = new GridPane();
        g.setHgap(10);
        g.setVgap(4);
        g.addRow(0, key("Journal drives"), drives);
        g.add(line("journalDrivesLine", form.drivesProblemProperty(), null), 1, 1);
        g.addRow(2, key("Backup store"), storeRow);
        // the store's line changes at each key typed in the store field, "looking at /tm…" (one line), "no backup
        // store at /tm: …" (two), then its note (two): sized to each, the dialog jumped 16 px under the typing, and
        // under a real X server (new sizes told back late) drifted up 160 px over one path typed quickly
        g.add(DialogLook.twoLinesTall(line("journalStoreLine", form.storeProblemProperty(), form.storeNoteProperty())), 1, 3);
        g.addRow(4, key("Max size"), row(size, note("ships when the journal holds this much (e.g. 512M)")));
        // the size's and the age's lines as well: "100G" made the size's two lines, the dialog grew 16 px at its top,
        // and the click meant for Max age landed on its note ("5 days" went on into Max size)
        g.add(DialogLook.twoLinesTall(line("journalSizeLine", form.sizeProblemProperty(), form.sizeNoteProperty())), 1, 5);
        g.addRow(6, key("Max age"), row(age, note("ships when its oldest entry is this old (e.g. 15m, 2h)")));
        g.add(DialogLook.twoLinesTall(line("journalAgeLine", form.ageProblemProperty(), form.ageNoteProperty())), 1, 7);
        GridPane.setHgrow(storeRow, Priority.ALWAYS);

        Label refused = new Label();
        refused.setId("journalRefused");
        refused.getStyleClass().add("form-error");
        refused.setWrapText(true);
        refused.textProperty().bind(form.refusedProperty());
        refused.visibleProperty().bind(refused.textProperty().isNotEmpty());
        refused.managedProperty().bind(refused.visibleProperty());
        refused.textProperty().addListener(o -> DialogLook.fit(d)); // the engine's sentence shows in full

        VBox body = new VBox(10, what, g, refused);
        body.setPrefWidth(660);
        d.getDialogPane().setContent(marks.layer(body));

        ButtonType go = new ButtonType("Enable journal", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(go, ButtonType.CANCEL);
        Button ok = (Button) d.getDialogPane().lookupButton(go);
        ok.setId("journalEnable");
        ok.setDefaultButton(true);
        ok.disableProperty().bind(form.blockedProperty().isNotEmpty());
        ok.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume(); // the dialog stays open until the engine took it, so a refusal is read where it was made
            form.enable(() -> {
                d.setResult(go);
                d.close();
            });
        });
        ((Button) d.getDialogPane().lookupButton(ButtonType.CANCEL)).setId("journalCancel");
        return d.showAndWait().filter(b -> b == go).isPresent();
    }

    private static Label key(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("form-key");
        l.setMinWidth(Label.USE_PREF_SIZE);
        return l;
    }

    private static Label note(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("form-note");
        l.setMinWidth(0);
        return l;
    }

    private static HBox row(TextField field, Label note) {
        HBox h = new HBox(8, field, note);
        h.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        field.setMinWidth(TextField.USE_PREF_SIZE);
        return h;
    }

    /** The field's problem in red, or else its note (what an empty field means, what the store holds). */
    private static Label line(String id, ObservableStringValue problem, ObservableStringValue note) {
        Label l = new Label();
        l.setId(id);
        l.setWrapText(true);
        l.setMinHeight(Label.USE_PREF_SIZE);
        l.getStyleClass().add("form-note");
        Runnable update = () -> {
            String p = problem.get();
            // "choose …" asks for what is not given yet, "looking at …" is under way: neither is a mistake
            boolean bad = p != null && !p.isEmpty() && !p.startsWith("looking at ") && !p.startsWith("choose ");
            l.pseudoClassStateChanged(ERROR, bad);
            l.setText(p != null && !p.isEmpty() ? p : note == null ? "" : note.get());
            // a line that wraps to more lines grows the dialog rather than squeezing the text above it
            // (and one that wraps to fewer does not shrink it back while open: DialogLook.fitNow)
            Platform.runLater(() -> {
                if (l.getScene() != null) {
                    DialogLook.fitNow(l.getScene().getWindow());
                }
            });
        };
        problem.addListener(o -> update.run());
        if (note != null) {
            note.addListener(o -> update.run());
        }
        update.run();
        return l;
    }
}
