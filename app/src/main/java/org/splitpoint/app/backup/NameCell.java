package org.splitpoint.app.backup;

import javafx.scene.control.ContentDisplay;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeTableCell;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/** The tree's first column: a volume's name (bold) or an image's id (monospaced), with a warning on a broken chain. */
final class NameCell extends TreeTableCell<BackupRow, BackupRow> {

    private final StateBadge warn = new StateBadge(new StateLook("", StateLook.Glyph.TRIANGLE, StateLook.Tone.WARN));
    private final Tooltip tip = new Tooltip();

    NameCell() {
        setContentDisplay(ContentDisplay.RIGHT);
        setGraphicTextGap(6);
        setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS); // an id's tail tells images apart
        tip.setWrapText(true);
        tip.setMaxWidth(420);
    }

    @Override
    protected void updateItem(BackupRow r, boolean empty) {
        super.updateItem(r, empty);
        getStyleClass().removeAll("image-name", "volume-name");
        if (empty || r == null) {
            setText(null);
            setGraphic(null);
            setTooltip(null);
            return;
        }
        setText(r.name());
        getStyleClass().add(r.isImage() ? "image-name" : "volume-name");
        boolean broken = !r.note().isEmpty();
        setGraphic(broken ? warn : null);
        tip.setText(broken ? r.note() : r.isImage() ? r.name() + (r.buildsOn().isEmpty() ? "" : ", builds on "
                + r.buildsOn()) : "Backups of volume " + r.name());
        setTooltip(tip);
    }
}
