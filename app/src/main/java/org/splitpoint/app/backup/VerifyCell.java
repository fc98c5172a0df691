package org.splitpoint.app.backup;

import javafx.geometry.Pos;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeTableCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/**
 * An image's verify state: glyph and word ("ok", "DAMAGED"; while verifying the busy glyph, "42.1%"
 * and a bar); the damage's sentence, or the verify's rate and ETA, in the tooltip and under the
 * table. While verifying the word was "verifying", which the column's 132 px cut to "verif…" beside
 * the bar: the busy glyph says verifying, the word says how far, and the bar takes what room is
 * left (the word never gives way to it).
 */
final class VerifyCell extends TreeTableCell<BackupRow, VerifyState> {

    /** The cell's own padding and a pixel to spare: Modena's 2 px + 3 px each side. */
    private static final double CELL_PADDING = 12;

    private final StateBadge badge = new StateBadge();
    private final ProgressBar bar = new ProgressBar();
    private final HBox box = new HBox(6, badge, bar);
    private final Tooltip tip = new Tooltip();

    VerifyCell() {
        box.getStyleClass().add("verify-cell");
        box.setAlignment(Pos.CENTER_LEFT);
        bar.setMaxHeight(10);
        badge.setMinWidth(Region.USE_PREF_SIZE);
        bar.setMinWidth(12);
        // the bar fills what the cell leaves beside the badge; a graphic is laid out at its own width, so a fixed
        // bar's width pushed the word out of the cell
        bar.prefWidthProperty().bind(widthProperty().subtract(badge.widthProperty()).subtract(box.getSpacing() + CELL_PADDING)
                .map(v -> Math.max(12, Math.min(80, v.doubleValue()))));
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
        boolean running = s.kind() == VerifyState.Kind.VERIFYING;
        badge.show(running ? new StateLook(Format.percent(s.fraction()), s.look().glyph(), s.look().tone()) : s.look());
        bar.setVisible(running);
        bar.setManaged(running);
        bar.setProgress(s.fraction());
        setText(s.line()); // for lookups and accessibility; only the graphic is displayed
        tip.setText(s.line());
        setTooltip(tip);
        setGraphic(box);
    }
}
