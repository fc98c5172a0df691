package org.splitpoint.app.journal;

import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/**
 * A {@link Gauge}: a bar filled to the quantity's share of its limit (amber from 80%, red at the
 * limit, where a ship is due) and its line ("1.2 MiB of 2 MiB"). Without a limit only the
 * line shows.
 */
public final class LimitGauge extends HBox {

    private static final PseudoClass NEAR = PseudoClass.getPseudoClass("near");
    private static final PseudoClass FULL = PseudoClass.getPseudoClass("full");

    private final ProgressBar bar = new ProgressBar(0);
    private final Label text = new Label();

    public LimitGauge() {
        getStyleClass().add("limit-gauge");
        bar.setPrefWidth(90);
        bar.setMinWidth(60);
        bar.managedProperty().bind(bar.visibleProperty());
        text.getStyleClass().add("gauge-text");
        text.setMinWidth(0);
        HBox.setHgrow(text, Priority.ALWAYS);
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(8);
        getChildren().addAll(bar, text);
    }

    public void show(Gauge g) {
        bar.setVisible(g.fraction() >= 0);
        bar.setProgress(Math.max(0, Math.min(1, g.fraction())));
        text.setText(g.text());
        setAccessibleText(g.text());
        pseudoClassStateChanged(NEAR, g.level() == Gauge.Level.NEAR);
        pseudoClassStateChanged(FULL, g.level() == Gauge.Level.FULL);
    }

    /** The line shown (for tests and accessibility). */
    public String text() {
        return text.getText();
    }

    /** The bar's fill, 0..1; -1 when no bar is shown. */
    public double fraction() {
        return bar.isVisible() ? bar.getProgress() : -1;
    }
}
