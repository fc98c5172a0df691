package org.splitpoint.app.drives;

import javafx.beans.value.ChangeListener;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.DriveState;

/**
 * One drive bay slot: a drive drawn as a tile with its name, state (glyph + word, the tile's colour
 * follows the same tone — never colour alone), volume, size, offline reason, and while in a service
 * window its log mode and delta (the window in a sentence in the tooltip); while it rebuilds a bar
 * with the percent (hidden otherwise but keeping its room, so slots keep one size). Bound to a {@link DriveRow}; {@code #slot-<name>} for lookups.
 */
final class DriveSlot extends VBox {

    private static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");

    private final DriveRow row;
    private final Label name = new Label();
    private final StateBadge badge = new StateBadge();
    private final Label volume = new Label();
    private final Label size = new Label();
    private final Label note = new Label();
    private final Label service = new Label();
    private final javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip();
    private final ProgressBar bar = new ProgressBar();
    private final Label percent = new Label();
    /** True while the bay is compact (a short window: DrivesView.COMPACT_BELOW). */
    final javafx.beans.property.BooleanProperty compact = new javafx.beans.property.SimpleBooleanProperty();
    private final ChangeListener<Object> onChange = (o, was, now) -> refresh();
    private String tone;

    DriveSlot(DriveRow row) {
        this.row = row;
        setId("slot-" + row.name());
        getStyleClass().add("drive-slot");
        setAlignment(Pos.TOP_CENTER);
        setSpacing(4);
        setFocusTraversable(true);
        Region led = new Region();
        led.getStyleClass().add("drive-led");
        name.getStyleClass().add("drive-name");
        volume.getStyleClass().add("drive-volume");
        volume.setWrapText(true); // "repository of prod", "journal of prod" take two lines
        volume.setMaxWidth(104);
        volume.setTextAlignment(javafx.scene.text.TextAlignment.CENTER);
        volume.setAlignment(Pos.CENTER);
        size.getStyleClass().add("drive-size");
        note.getStyleClass().add("drive-note");
        note.setId("reason-" + row.name());
        service.getStyleClass().add("drive-service");
        service.setId("service-" + row.name());
        service.setWrapText(true);
        service.setMaxWidth(104);
        tip.setWrapText(true);
        tip.setMaxWidth(420);
        tip.setShowDelay(javafx.util.Duration.millis(300));
        percent.getStyleClass().add("drive-percent");
        percent.setId("rebuild-" + row.name());
        bar.setMaxWidth(Double.MAX_VALUE);
        getChildren().addAll(led, name, badge, volume, size, note, service, bar, percent);
        // a compact bay's tile makes no room for the rebuild's bar and percentage unless they show; a full tile keeps
        // its height (150 px) with or without them
        bar.managedProperty().bind(bar.visibleProperty().or(compact.not()));
        percent.managedProperty().bind(percent.visibleProperty().or(compact.not()));
        row.stateProperty().addListener(onChange);
        row.rebuildProperty().addListener(onChange);
        row.rebuildPausedProperty().addListener(onChange);
        row.noteProperty().addListener(onChange);
        row.serviceProperty().addListener(onChange);
        row.volumeProperty().addListener(onChange);
        refresh();
    }

    DriveRow row() {
        return row;
    }

    void select(boolean on) {
        pseudoClassStateChanged(SELECTED, on);
    }

    /** Stops following the row (the drive left the pool). */
    void unbind() {
        compact.unbind();
        row.stateProperty().removeListener(onChange);
        row.rebuildProperty().removeListener(onChange);
        row.rebuildPausedProperty().removeListener(onChange);
        row.noteProperty().removeListener(onChange);
        row.serviceProperty().removeListener(onChange);
        row.volumeProperty().removeListener(onChange);
    }

    private void refresh() {
        DriveState s = row.getState();
        StateLook look = StateLook.of(s);
        badge.show(look);
        String next = look.tone().styleClass();
        if (!next.equals(tone)) { // a style class change re-runs CSS on the slot: only when the tone changes
            if (tone != null) {
                getStyleClass().remove(tone);
            }
            tone = next;
            getStyleClass().add(tone);
        }
        name.setText(row.name());
        volume.setText(row.volumeProperty().get().isEmpty() ? "no volume" : row.volumeProperty().get());
        size.setText(row.sizeProperty().get());
        String n = row.noteProperty().get();
        note.setText(n);
        note.setManaged(!n.isEmpty());
        note.setVisible(!n.isEmpty());
        String sv = row.serviceProperty().get();
        service.setText(sv);
        service.setManaged(!sv.isEmpty());
        service.setVisible(!sv.isEmpty());
        String t = row.serviceTipProperty().get();
        if (!t.equals(tip.getText())) {
            tip.setText(t);
            if (t.isEmpty()) {
                javafx.scene.control.Tooltip.uninstall(this, tip);
            } else {
                javafx.scene.control.Tooltip.install(this, tip);
            }
        }
        double r = row.rebuildProperty().get();
        boolean rebuilding = r >= 0;
        bar.setVisible(rebuilding);
        percent.setVisible(rebuilding);
        bar.setProgress(rebuilding ? r : 0);
        percent.setText(rebuilding ? String.format("%.0f%%", r * 100) + (row.rebuildPausedProperty().get() ? " · PAUSED" : "") : "");
        setAccessibleText("drive " + row.name() + " " + s + (n.isEmpty() ? "" : " " + n)
                + (rebuilding ? " " + percent.getText() : ""));
    }

    /** The state word shown (tests). */
    String stateText() {
        return badge.text();
    }
}
