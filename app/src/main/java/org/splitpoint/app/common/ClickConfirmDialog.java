package org.splitpoint.app.common;

import javafx.application.Platform;
import javafx.beans.value.ObservableValue;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Asks for a one-click {@link Confirmation} (no name to type): an overwrite that loses nothing but
 * what the action is for, such as an establish ending a point-in-time image nobody wrote to. Cancel
 * is the default button and has the focus, so Enter, Escape or a stray keystroke change nothing; the
 * action must be clicked. The sentences follow the confirmation while open. Ids for tests and
 * accessibility: {@code #clickAction}, {@code #clickCancel}, {@code #clickRefused}.
 */
public final class ClickConfirmDialog {

    private ClickConfirmDialog() {
    }

    /**
     * Shows the dialog and waits; true only when the action was clicked. While {@code refused} says why
     * not, it shows above the buttons and the action is disabled. Once {@code live} asks for a name (what
     * is overwritten came to lose more while the dialog was open: a host wrote to the BCV), the dialog
     * closes unconfirmed, and the caller asks the typed confirmation instead.
     */
    public static boolean ask(Window owner, ObservableValue<Confirmation> live, ObservableValue<String> refused) {
        Confirmation c = live.getValue();
        if (c.asksName()) {
            return false;
        }
        Dialog<ButtonType> dialog = TypedConfirmDialog.confirmDialog(owner, c);
        VBox said = new VBox(8);
        said.getChildren().setAll(TypedConfirmDialog.sentences(c));
        VBox body = new VBox(8, said);
        Label why = new Label();
        why.setId("clickRefused");
        why.getStyleClass().add("form-error");
        why.textProperty().bind(refused);
        DialogLook.keepsItsRoom(why);
        why.textProperty().addListener(o -> DialogLook.fit(dialog));
        body.getChildren().add(why);
        body.setPrefWidth(500);
        dialog.getDialogPane().setContent(body);

        ButtonType go = new ButtonType(c.action(), ButtonBar.ButtonData.OTHER);
        ButtonType cancel = new ButtonType("Cancel", ButtonBar.ButtonData.CANCEL_CLOSE);
        dialog.getDialogPane().getButtonTypes().addAll(go, cancel);
        Button goButton = (Button) dialog.getDialogPane().lookupButton(go);
        goButton.setId("clickAction");
        goButton.setDefaultButton(false);
        goButton.disableProperty().bind(why.textProperty().isNotEmpty());
        Button cancelButton = (Button) dialog.getDialogPane().lookupButton(cancel);
        cancelButton.setId("clickCancel");
        cancelButton.setDefaultButton(true); // Enter keeps things as they are
        Platform.runLater(cancelButton::requestFocus);

        javafx.beans.value.ChangeListener<Confirmation> follow = (o, was, now) -> {
            if (now == null) {
                return; // the action refused meanwhile: the refusal says so, the last sentences stay
            }
            if (now.asksName()) {
                dialog.setResult(cancel);
                dialog.close();
                return;
            }
            said.getChildren().setAll(TypedConfirmDialog.sentences(now));
            DialogLook.fit(dialog);
        };
        live.addListener(follow);
        try {
            return dialog.showAndWait().filter(b -> b == go).isPresent();
        } finally {
            live.removeListener(follow);
            why.textProperty().unbind();
        }
    }
}
