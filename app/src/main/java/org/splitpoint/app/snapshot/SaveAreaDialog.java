package org.splitpoint.app.snapshot;

import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.app.common.TypedConfirmDialog;

/**
 * "Use a volume as save area": first the volume, from those that may be given over ({@link
 * SaveAreaForm}), then its name typed, because everything it holds is given over. Ids:
 * {@code #saveAreaChoice}, {@code #saveAreaNext}, {@code #saveAreaCancel}, then the typed
 * confirmation's.
 */
public final class SaveAreaDialog {

    private SaveAreaDialog() {
    }

    /** Shows the dialogs and waits; true when the volume was confirmed (the form designates it). */
    public static boolean ask(Window owner, SaveAreaForm form) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle("Use a volume as save area");
        d.setHeaderText("Which volume keeps the snapshots' tracks?");
        d.setGraphic(new StateBadge(new StateLook("", StateLook.Glyph.INFO, StateLook.Tone.BUSY)));
        Label what = new Label(form.explanation());
        what.setWrapText(true);
        what.setMinHeight(Label.USE_PREF_SIZE);
        ComboBox<SnapshotRules.Candidate> choice = new ComboBox<>();
        choice.setId("saveAreaChoice");
        choice.getItems().setAll(form.candidates());
        choice.valueProperty().bindBidirectional(form.chosenProperty());
        choice.setMaxWidth(Double.MAX_VALUE);
        Label note = new Label("Only volumes in no pair and with no snapshots of their own can be given over;"
                + " what the one chosen holds is lost (you will be asked to type its name).");
        note.getStyleClass().add("form-note");
        note.setWrapText(true);
        note.setMinHeight(Label.USE_PREF_SIZE);
        VBox body = new VBox(8, what, choice, note);
        body.setPrefWidth(520);
        d.getDialogPane().setContent(body);
        ButtonType next = new ButtonType("Next…", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(next, ButtonType.CANCEL);
        Button ok = (Button) d.getDialogPane().lookupButton(next);
        ok.setId("saveAreaNext");
        ok.disableProperty().bind(form.chosenProperty().isNull());
        ((Button) d.getDialogPane().lookupButton(ButtonType.CANCEL)).setId("saveAreaCancel");
        if (d.showAndWait().filter(b -> b == next).isEmpty()) {
            return false;
        }
        if (!TypedConfirmDialog.ask(owner, form.confirmation())) {
            return false;
        }
        form.designate();
        return true;
    }
}
