package org.splitpoint.app.lifecycle;

import javafx.event.ActionEvent;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Control;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import javafx.beans.binding.Bindings;
import org.splitpoint.app.common.FieldMarks;

/**
 * The look the lifecycle dialogs share (that of "Take offline" and "Enable journal"): a header with
 * a glyph, the fields, the problem in the error style under them (its line kept while there is none,
 * so the buttons do not move as it comes and goes), and the action button, which
 * waits while there is a problem or the engine is at work and keeps the dialog open on a refusal,
 * so it is read where it was made. The field the problem is about is marked where it is (ControlsFX
 * validation decoration: an error mark with the sentence as its tooltip, and the {@code error} style
 * class); a field is tied to its form's name for it with {@link #field}. Ids: {@code #<prefix>Problem},
 * {@code #<prefix>Go}, {@code #<prefix>Cancel}.
 */
final class FormDialog {

    private static final String FIELD = "splitpoint.form-field";

    private FormDialog() {
    }

    /** Ties {@code control} to the form's field {@code name} (as its {@code Problem} names it), so a problem with it marks it. */
    static <C extends Control> C field(C control, String name) {
        control.getProperties().put(FIELD, name);
        return control;
    }

    /** Marks the controls under {@code fields} tied to the field the form's problem is about. */
    static FieldMarks decorate(Node fields, LifecycleForm form) {
        FieldMarks marks = new FieldMarks();
        for (Control c : tied(fields)) {
            String name = (String) c.getProperties().get(FIELD);
            marks.mark(c, Bindings.createStringBinding(() -> {
                LifecycleForm.Problem p = form.problemDetailProperty().get();
                return name.equals(p.field()) ? p.sentence() : "";
            }, form.problemDetailProperty()));
        }
        return marks;
    }

    private static java.util.List<Control> tied(Node n) {
        java.util.List<Control> out = new java.util.ArrayList<>();
        if (n instanceof Control c && c.getProperties().containsKey(FIELD)) {
            out.add(c);
        }
        if (n instanceof javafx.scene.Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                out.addAll(tied(child));
            }
        }
        return out;
    }

    /** Shows the dialog and waits; true when the action was carried out. */
    static boolean show(Window owner, String title, String header, StateLook look, Node fields, String action,
                        String prefix, LifecycleForm form) {
        return show(owner, title, header, look, fields, action, prefix, form, true);
    }

    /** As above; with {@code closeWhenDone} false the dialog stays open after the action (to show its result) and Cancel reads Close. */
    static boolean show(Window owner, String title, String header, StateLook look, Node fields, String action,
                        String prefix, LifecycleForm form, boolean closeWhenDone) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle(title);
        d.setHeaderText(header);
        StateBadge badge = new StateBadge();
        badge.setId(prefix + "Badge");
        // a green (OK) glyph says the action is ready: greyed while the form has a problem, it was green
        // beside "type a name for the volume" in the error style (seen by hand in "New volume")
        badge.show(calm(look, form.problemProperty().get()));
        form.problemProperty().addListener((o, was, now) -> badge.show(calm(look, now)));
        d.setGraphic(badge);

        Label problem = new Label();
        problem.setId(prefix + "Problem");
        problem.getStyleClass().add("form-error");
        problem.textProperty().bind(form.problemProperty());
        // its line is kept while the form is right: laid out only while it said something, it moved the
        // buttons under the mouse at each keystroke that made the form right or wrong
        javafx.scene.Node problemRoom = DialogLook.problemLine(problem, d);

        VBox body = new VBox(10, fields, problemRoom);
        body.setPrefWidth(620);
        d.getDialogPane().setContent(decorate(fields, form).layer(body));

        ButtonType go = new ButtonType(action, ButtonBar.ButtonData.OK_DONE);
        ButtonType cancelType = closeWhenDone ? ButtonType.CANCEL : new ButtonType("Close", ButtonBar.ButtonData.CANCEL_CLOSE);
        d.getDialogPane().getButtonTypes().addAll(go, cancelType);
        Button ok = (Button) d.getDialogPane().lookupButton(go);
        ok.setId(prefix + "Go");
        ok.setDefaultButton(true);
        ok.disableProperty().bind(form.workingProperty().or(form.problemProperty().isNotEmpty()));
        ok.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume(); // open until the engine did it
            form.submit(() -> {
                if (closeWhenDone) {
                    d.setResult(go);
                    d.close();
                }
            });
        });
        ((Button) d.getDialogPane().lookupButton(cancelType)).setId(prefix + "Cancel");
        return d.showAndWait().filter(b -> b == go).isPresent();
    }

    /** {@code look}, its OK tone made IDLE while {@code problem} says something. */
    static StateLook calm(StateLook look, String problem) {
        return problem == null || problem.isEmpty() || look.tone() != StateLook.Tone.OK ? look
                : new StateLook(look.word(), look.glyph(), StateLook.Tone.IDLE);
    }

    static Label key(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("form-key");
        l.setMinWidth(Label.USE_PREF_SIZE);
        return l;
    }

    /** A line of explanation under a field, bound to {@code text}. */
    static Label note(String id, javafx.beans.value.ObservableStringValue text) {
        Label l = new Label();
        l.textProperty().bind(text);
        l.setId(id);
        l.setWrapText(true);
        l.setMinHeight(Label.USE_PREF_SIZE);
        l.getStyleClass().add("form-note");
        GridPane.setHgrow(l, Priority.ALWAYS);
        return l;
    }

    static Label sentence(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setMinHeight(Label.USE_PREF_SIZE);
        return l;
    }

    static GridPane grid() {
        GridPane g = new GridPane();
        g.setHgap(10);
        g.setVgap(6);
        return g;
    }

    static <T> javafx.util.StringConverter<T> words(java.util.function.Function<T, String> word) {
        return new javafx.util.StringConverter<>() {
            @Override
            public String toString(T t) {
                return t == null ? "" : word.apply(t);
            }

            @Override
            public T fromString(String s) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
