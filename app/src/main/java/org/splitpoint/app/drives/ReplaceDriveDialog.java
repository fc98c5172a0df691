package org.splitpoint.app.drives;

import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/**
 * Confirms a drive replacement: says what gets overwritten and asks the administrator to type the
 * drive's name, so a replacement is never one stray click; Escape cancels.
 */
final class ReplaceDriveDialog {

    private ReplaceDriveDialog() {
    }

    /** Shows the dialog and waits; true when the administrator typed the name and confirmed. */
    static boolean confirm(Window owner, ReplacePlan plan) {
        Dialog<ButtonType> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle("Replace drive " + plan.drive());
        dialog.setHeaderText("Replace drive " + plan.drive() + " with a blank drive?");
        dialog.setGraphic(new StateBadge(new StateLook("", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)));
        dialog.getDialogPane().getStylesheets().addAll(Fxml.resource("Theme.css").toExternalForm(),
                Fxml.resource("DrivesView.css").toExternalForm());
        dialog.getDialogPane().getStyleClass().add("replace-dialog");

        VBox body = new VBox(8);
        for (String s : plan.sentences()) {
            Label l = new Label(s);
            l.setWrapText(true);
            body.getChildren().add(l);
        }
        Label ask = new Label("Type " + plan.drive() + " to confirm:");
        ask.getStyleClass().add("confirm-ask");
        TextField typed = new TextField();
        typed.setId("confirmDriveName");
        typed.setPromptText(plan.drive());
        body.getChildren().addAll(ask, typed);
        body.setPrefWidth(460);
        dialog.getDialogPane().setContent(body);

        ButtonType replace = new ButtonType("Replace " + plan.drive(), ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(replace, ButtonType.CANCEL);
        Button ok = (Button) dialog.getDialogPane().lookupButton(replace);
        ok.setId("confirmReplace");
        ok.setDefaultButton(true); // Enter confirms, but only once the name is typed
        ok.disableProperty().bind(typed.textProperty().map(t -> !t.trim().equals(plan.drive())).orElse(true));
        Button cancel = (Button) dialog.getDialogPane().lookupButton(ButtonType.CANCEL);
        cancel.setId("cancelReplace");
        Platform.runLater(typed::requestFocus);
        return dialog.showAndWait().filter(b -> b == replace).isPresent();
    }
}
