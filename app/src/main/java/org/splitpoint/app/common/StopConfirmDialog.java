package org.splitpoint.app.common;

import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Asks before stopping something that runs (a job, a restore): says what stopping leaves behind,
 * and makes "keep it running" the default button, so Enter or a stray click keeps it going; the
 * stopping button must be clicked. Escape keeps it too. Ids for tests and accessibility:
 * {@code #stopAction}, {@code #stopKeep}.
 */
public final class StopConfirmDialog {

    private StopConfirmDialog() {
    }

    /** Shows the dialog and waits; true only when {@code stop} was clicked. */
    public static boolean ask(Window owner, String title, String header, List<String> sentences, String stop, String keep) {
        return ask(owner, title, header, new javafx.beans.property.SimpleObjectProperty<>(sentences), stop, keep);
    }

    /**
     * As above, with sentences that follow what goes on while the dialog is open (a copy's tracks
     * left to do): shown anew each time they change, until the dialog closes.
     */
    public static boolean ask(Window owner, String title, String header,
                              javafx.beans.value.ObservableValue<List<String>> live, String stop, String keep) {
        return ask(owner, title, new javafx.beans.property.SimpleStringProperty(header), live, stop, keep, null);
    }

    /**
     * As above, with a header that follows too (a copy's percent done), and {@code over}: once it is
     * true (what would be stopped ended meanwhile: a job done), the dialog closes by itself and
     * nothing is stopped. Left open, it went on asking "Cancel rebuild d11 of db?" over a bay that
     * showed the rebuild done, and its reasons ("the drive stays FAILED") no longer held.
     */
    public static boolean ask(Window owner, String title, javafx.beans.value.ObservableValue<String> header,
                              javafx.beans.value.ObservableValue<List<String>> live, String stop, String keep,
                              javafx.beans.value.ObservableValue<Boolean> over) {
        Dialog<ButtonType> d = new Dialog<>();
        DialogLook.apply(d, owner);
        d.setTitle(title);
        d.headerTextProperty().bind(header);
        d.setGraphic(new StateBadge(new StateLook("", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN)));
        d.getDialogPane().getStyleClass().add("confirm-dialog");
        VBox body = new VBox(8);
        body.getChildren().setAll(labels(live.getValue()));
        javafx.beans.value.ChangeListener<List<String>> follow = (o, was, now) -> {
            if (now != null && !now.equals(was)) {
                body.getChildren().setAll(labels(now));
            }
        };
        live.addListener(follow);
        body.setPrefWidth(460);
        d.getDialogPane().setContent(body);
        ButtonType go = new ButtonType(stop, ButtonBar.ButtonData.OTHER);
        ButtonType stay = new ButtonType(keep, ButtonBar.ButtonData.CANCEL_CLOSE);
        d.getDialogPane().getButtonTypes().addAll(go, stay);
        Button goButton = (Button) d.getDialogPane().lookupButton(go);
        goButton.setId("stopAction");
        goButton.setDefaultButton(false);
        Button stayButton = (Button) d.getDialogPane().lookupButton(stay);
        stayButton.setId("stopKeep");
        stayButton.setDefaultButton(true); // Enter keeps it running
        javafx.application.Platform.runLater(stayButton::requestFocus);
        javafx.beans.value.ChangeListener<Boolean> ended = (o, was, now) -> {
            if (Boolean.TRUE.equals(now) && d.isShowing()) {
                d.setResult(stay);
                d.close();
            }
        };
        if (over != null) {
            over.addListener(ended);
            if (Boolean.TRUE.equals(over.getValue())) {
                return false; // over before it could be asked
            }
        }
        try {
            return d.showAndWait().filter(b -> b == go).isPresent();
        } finally {
            live.removeListener(follow);
            if (over != null) {
                over.removeListener(ended);
            }
            d.headerTextProperty().unbind();
        }
    }

    private static List<Label> labels(List<String> sentences) {
        List<Label> out = new java.util.ArrayList<>();
        for (String s : sentences) {
            Label l = new Label(s);
            l.setWrapText(true);
            l.setMinHeight(Label.USE_PREF_SIZE);
            out.add(l);
        }
        return out;
    }
}
