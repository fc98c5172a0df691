package org.splitpoint.app.backup;

import javafx.geometry.Pos;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeTableCell;
import javafx.scene.layout.HBox;
import org.splitpoint.app.common.StateBadge;

/**
 * An image's verify state: glyph and word ("ok", "DAMAGED", "verifying 42.1%" with a bar); the
 * damage's sentence in the tooltip and under the table.
 */
final class VerifyCell extends TreeTableCell<BackupRow, VerifyState> {

    private final StateBadge badge = new StateBadge();
    private final ProgressBar bar = new ProgressBar();
    private final HBox box = new HBox(6, badge, bar);
    private final Tooltip tip = new Tooltip();

    VerifyCell() {
        box.getStyleClass().add("verify-cell");
        box.setAlignment(Pos.CENTER_LEFT);
        bar.setMaxHeight(10);
        tip.setWrapText(true);
        tip.setMaxWidth(480);
        setContentDisplay(ContentDisplay.GRAPHIC_ONLY);
    }

    @Override
    protected void updateItem(VerifyState s, boolean empty) {
        super.updateItem(s, empty);
        if (empty || s == null) {
            setText(null);
            setGraphic(null);
            setTooltip(null);
            return;
        }
        badge.show(s.look());
        boolean running = s.kind() == VerifyState.Kind.VERIFYING;
        bar.setVisible(running);
        bar.setManaged(running);
        bar.setProgress(s.fraction());
        setText(s.line()); // for lookups and accessibility; only the graphic is displayed
        tip.setText(s.line());
        setTooltip(tip);
        setGraphic(box);
    }
}
