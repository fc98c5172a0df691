package org.splitpoint.app.snapshot;

import javafx.application.Platform;
import javafx.css.PseudoClass;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.DialogLook;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/**
 * "Take snapshot": the name (proposed from the time, editable), judged as it is typed with the
 * engine's rule, the line under it saying what is wrong; Take waits until nothing is, and a
 * refusal by the engine is shown in its words without closing the dialog ({@link TakeSnapshotForm}).
 * Ids: {@code #snapshotName}, {@code #snapshotNameLine}, {@code #snapshotRefused}, {@code #snapshotTake},
 * {@code #snapshotCancel}.
 */
public final class TakeSnapshotDialog {

    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");

    private TakeSnapshotDialog() {
    }

    /** Shows the dialog and waits; true when the snapshot was taken. */
    public static boolean ask(Window owner, TakeSnapshotForm form) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle("Take a snapshot of " + form.volume());
        d.setHeaderText("Take a snapshot of " + form.volume() + " now");
        d.setGraphic(new StateBadge(new StateLook("", StateLook.Glyph.DOT, StateLook.Tone.BUSY)));

        Label what = new Label("The snapshot keeps " + form.volume() + " as it is at this instant; hosts go on writing."
                + " It takes no room until tracks change: the first write to each track keeps its old bytes in the save"
                + " area.");
        what.setWrapText(true);
        what.setMinHeight(Label.USE_PREF_SIZE);
        Label key = new Label("Name");
        key.getStyleClass().add("form-key");
        TextField name = new TextField();
        name.setId("snapshotName");
        name.setPrefColumnCount(28);
        name.textProperty().bindBidirectional(form.nameProperty());
        Label line = new Label();
        line.setId("snapshotNameLine");
        line.getStyleClass().add("form-note");
        // the hint (one line) and a refused name (two) take the same room: the dialog grew 16 px at its top
        // at the refusal, the Name field with it under the mouse; a longer sentence still grows it (fit)
        javafx.scene.Node lineRoom = DialogLook.problemLine(line, d);
        Runnable update = () -> {
            String p = form.problemProperty().get();
            line.pseudoClassStateChanged(ERROR, !p.isEmpty() && !p.startsWith("type "));
            line.setText(p.isEmpty() ? "a letter, then letters, digits, '_', '.' or '-'" : p);
        };
        form.problemProperty().addListener(o -> update.run());
        update.run();
        Label refused = new Label();
        refused.setId("snapshotRefused");
        refused.getStyleClass().add("form-error");
        refused.setWrapText(true);
        refused.setMinHeight(Label.USE_PREF_SIZE);
        refused.textProperty().bind(form.refusedProperty());
        refused.visibleProperty().bind(refused.textProperty().isNotEmpty());
        refused.managedProperty().bind(refused.visibleProperty());
        refused.textProperty().addListener(o -> DialogLook.fit(d)); // the engine's sentence shows in full

        VBox body = new VBox(6, what, key, name, lineRoom, refused);
        body.setPrefWidth(520);
        d.getDialogPane().setContent(body);

        ButtonType go = new ButtonType("Take snapshot", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(go, ButtonType.CANCEL);
        Button ok = (Button) d.getDialogPane().lookupButton(go);
        ok.setId("snapshotTake");
        ok.setDefaultButton(true);
        ok.disableProperty().bind(form.blockedProperty().isNotEmpty());
        ok.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume(); // the dialog stays open until the engine took it, so a refusal is read where it was made
            form.take(() -> {
                d.setResult(go);
                d.close();
            });
        });
        ((Button) d.getDialogPane().lookupButton(ButtonType.CANCEL)).setId("snapshotCancel");
        Platform.runLater(() -> {
            name.requestFocus();
            name.selectAll();
        });
        return d.showAndWait().filter(b -> b == go).isPresent();
    }
}
