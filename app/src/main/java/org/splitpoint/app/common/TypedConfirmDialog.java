package org.splitpoint.app.common;

import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Asks for a {@link Confirmation}: shows what gets overwritten and enables the action only once
 * the target's name is typed, so an overwrite is never one stray click; Escape cancels. Ids for
 * tests and accessibility: {@code #confirmName}, {@code #confirmAction}, {@code #confirmCancel}.
 */
public final class TypedConfirmDialog {

    private TypedConfirmDialog() {
    }

    /** Shows the dialog and waits; true when the name was typed and the action confirmed. */
    public static boolean ask(Window owner, Confirmation c) {
        return ask(owner, c, null, null);
    }

    /**
     * As {@link #ask(Window, Confirmation)}, with {@code extra} (an option) above the name field and
     * {@code refused}: while it says why not, it shows above the name's field, which takes no name
     * meanwhile, and the action stays disabled.
     */
    public static boolean ask(Window owner, Confirmation c, javafx.scene.Node extra,
                              javafx.beans.value.ObservableValue<String> refused) {
        return ask(owner, new javafx.beans.property.SimpleObjectProperty<>(c), extra, refused);
    }

    /**
     * As above, for a confirmation whose sentences follow what is overwritten while the dialog is
     * open (the tracks a restore copies, as hosts write): they are shown anew at each change; the
     * title, the name to type and the action stay those of the first.
     */
    public static boolean ask(Window owner, javafx.beans.value.ObservableValue<Confirmation> live, javafx.scene.Node extra,
                              javafx.beans.value.ObservableValue<String> refused) {
        Confirmation c = live.getValue();
        Dialog<ButtonType> dialog = confirmDialog(owner, c);

        VBox said = new VBox(8);
        said.getChildren().setAll(sentences(c));
        javafx.beans.value.ChangeListener<Confirmation> follow = (o, was, now) -> {
            if (now != null) {
                said.getChildren().setAll(sentences(now));
                DialogLook.fit(dialog);
            }
        };
        live.addListener(follow);
        VBox body = new VBox(8, said);
        if (extra != null) {
            body.getChildren().add(extra);
        }
        Label ask = new Label("Type " + c.target() + " to confirm:");
        ask.getStyleClass().add("confirm-ask");
        TextField typed = new TextField();
        typed.setId("confirmName");
        typed.setPromptText(c.target());
        if (refused != null) {
            // the refusal comes before the name it would make typed in vain: while the action would be
            // refused (the pair left Split while the dialog was open, the chain's box not ticked), it is
            // said above the field, which takes no name; its room stays once shown, so nothing under it moves
            Label why = new Label();
            why.setId("confirmRefused");
            why.getStyleClass().add("form-error");
            why.textProperty().bind(refused);
            DialogLook.keepsItsRoom(why);
            why.textProperty().addListener(o -> DialogLook.fit(dialog)); // the engine's sentence may come after opening
            body.getChildren().add(why);
            typed.disableProperty().bind(why.textProperty().isNotEmpty());
            ask.disableProperty().bind(typed.disableProperty());
        }
        body.getChildren().addAll(ask, typed);
        body.setPrefWidth(500);
        dialog.getDialogPane().setContent(body);

        ButtonType go = new ButtonType(c.action(), ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(go, ButtonType.CANCEL);
        Button ok = (Button) dialog.getDialogPane().lookupButton(go);
        ok.setId("confirmAction");
        ok.setDefaultButton(true); // Enter confirms, but only once the name is typed
        var notTyped = typed.textProperty().map(t -> !c.accepts(t)).orElse(true);
        if (refused == null) {
            ok.disableProperty().bind(notTyped);
        } else {
            ok.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() -> notTyped.getValue()
                    || (refused.getValue() != null && !refused.getValue().isEmpty()), notTyped, refused));
        }
        Button cancel = (Button) dialog.getDialogPane().lookupButton(ButtonType.CANCEL);
        cancel.setId("confirmCancel");
        Platform.runLater(() -> (typed.isDisabled() ? cancel : typed).requestFocus());
        if (refused != null) {
            typed.disabledProperty().addListener((o, was, now) -> followRefusal(typed, cancel, now));
        }
        try {
            return dialog.showAndWait().filter(b -> b == go).isPresent();
        } finally {
            live.removeListener(follow);
        }
    }

    /**
     * The focus while the field takes no name is on Cancel; once the field takes one again it takes the
     * focus, unless the user moved it elsewhere meanwhile (Cancel is where it was put). Opened refused, the
     * focus stayed on Cancel after the refusal went, and the name typed then went nowhere.
     */
    private static void followRefusal(TextField typed, Button cancel, boolean refusedNow) {
        javafx.scene.Scene scene = typed.getScene();
        javafx.scene.Node owner = scene == null ? null : scene.getFocusOwner();
        if (refusedNow && (owner == null || owner == typed)) {
            cancel.requestFocus();
        } else if (!refusedNow && (owner == null || owner == cancel)) {
            typed.requestFocus();
        }
    }

    /** A confirmation's dialog, titled, headed and marked as one (the click and the typed dialogs open alike). */
    static Dialog<ButtonType> confirmDialog(Window owner, Confirmation c) {
        Dialog<ButtonType> dialog = new Dialog<>();
        DialogLook.apply(dialog, owner);
        dialog.setTitle(c.title());
        dialog.setHeaderText(c.header());
        dialog.setGraphic(new StateBadge(new StateLook("", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)));
        dialog.getDialogPane().getStyleClass().add("confirm-dialog");
        return dialog;
    }

    /** A confirmation's sentences as labels that wrap (the click and the typed dialogs show them alike). */
    static java.util.List<Label> sentences(Confirmation c) {
        java.util.List<Label> out = new java.util.ArrayList<>();
        for (String s : c.sentences()) {
            Label l = new Label(s);
            l.setWrapText(true);
            l.setMinHeight(Label.USE_PREF_SIZE); // a long sentence wraps instead of ending in "…"
            out.add(l);
        }
        return out;
    }
}
