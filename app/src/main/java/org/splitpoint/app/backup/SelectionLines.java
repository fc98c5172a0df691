package org.splitpoint.app.backup;

import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.backup.ImageInfo;

/**
 * The lines under the images tree (always there, so the buttons above do not move as the selection
 * changes): what the selected image is; what it holds of its volume; its verify state or a broken
 * chain. An ellipsis hides nothing: each line's tooltip has it whole.
 *
 * <p>The second line says what the Size and Tracks columns mean: a full image of a 128 MiB volume
 * with data on a sixteenth of it read "…, 8 MiB, holds 128 of 2,048 tracks", which looked like an
 * image missing most of its volume; a full image leaves out the tracks that are all zeros (they read
 * as zeros from it), an incremental holds the tracks changed since the image it builds on.
 */
final class SelectionLines {

    private SelectionLines() {
    }

    static void show(Label detail, Label contents, Label verify, BackupRow r) {
        verify.getStyleClass().remove("damaged");
        String whole = "";
        if (r == null || !r.isImage()) {
            detail.setText(r == null ? "Select an image to verify, delete or restore it." : "Volume " + r.name()
                    + ": " + r.kind() + ", " + r.size() + ", newest " + r.created() + ".");
            contents.setText("");
            verify.setText("");
        } else {
            VerifyState v = r.verifyProperty().get();
            if (v.kind() == VerifyState.Kind.DAMAGED || v.kind() == VerifyState.Kind.CHAIN_BROKEN) {
                verify.getStyleClass().add("damaged");
            }
            ImageInfo i = r.info();
            detail.setText(i.id() + ": " + r.kind() + ", taken " + r.created());
            contents.setText(contents(r));
            // line one names the image: the engine's sentence without its subject fits on line three
            String note = r.note().isEmpty() ? "" : " · " + r.note();
            verify.setText("Verify: " + v.line().replace("image " + i.id() + ": ", "") + note);
            whole = "Verify: " + v.line() + note;
        }
        tip(detail, detail.getText());
        tip(contents, contents.getText());
        tip(verify, whole);
    }

    /**
     * "128 MiB volume, 8 MiB stored: 128 of 2,048 tracks (all-zero tracks not stored)"; an incremental's
     * "128 MiB volume, 192 KiB stored: 3 of 2,048 tracks, changed since PARENT".
     */
    static String contents(BackupRow r) {
        ImageInfo i = r.info();
        String head = Format.size(i.size()) + " volume, " + r.size() + " stored: " + r.tracks() + " of "
                + r.volumeTracks() + " tracks";
        return i.parent() == null ? head + " (all-zero tracks not stored)" : head + ", changed since " + i.parent();
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
