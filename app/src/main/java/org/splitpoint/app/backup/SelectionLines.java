package org.splitpoint.app.backup;

import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import org.splitpoint.engine.backup.ImageInfo;

/**
 * The two fixed lines under the images tree (fixed, so the buttons above never move as the
 * selection changes): what the selected image is, and its verify state or a broken chain. An
 * ellipsis hides nothing: each line's tooltip has it whole.
 */
final class SelectionLines {

    private SelectionLines() {
    }

    static void show(Label detail, Label verify, BackupRow r) {
        verify.getStyleClass().remove("damaged");
        String whole = "";
        if (r == null || !r.isImage()) {
            detail.setText(r == null ? "Select an image to verify, delete or restore it." : "Volume " + r.name()
                    + ": " + r.kind() + ", " + r.size() + ", newest " + r.created() + ".");
            verify.setText("");
        } else {
            VerifyState v = r.verifyProperty().get();
            if (v.kind() == VerifyState.Kind.DAMAGED) {
                verify.getStyleClass().add("damaged");
            }
            ImageInfo i = r.info();
            detail.setText(i.id() + ": " + r.kind() + " of " + r.created() + ", " + r.size() + ", holds " + r.tracks()
                    + " of " + r.volumeTracks() + " tracks" + (i.parent() == null ? "" : ", builds on " + i.parent()));
            // line one names the image: the engine's sentence without its subject fits on line two
            String note = r.note().isEmpty() ? "" : " · " + r.note();
            verify.setText("Verify: " + v.line().replace("image " + i.id() + ": ", "") + note);
            whole = "Verify: " + v.line() + note;
        }
        tip(detail, detail.getText());
        tip(verify, whole);
    }

    private static void tip(Label l, String text) {
        if (text.isEmpty()) {
            l.setTooltip(null);
            return;
        }
        Tooltip t = new Tooltip(text);
        t.setWrapText(true);
        t.setMaxWidth(520);
        l.setTooltip(t);
    }
}
