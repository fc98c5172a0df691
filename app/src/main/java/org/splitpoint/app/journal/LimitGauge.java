package org.splitpoint.app.journal;

import java.util.List;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;

/**
 * A {@link Gauge}: a bar filled to the quantity's share of its limit (amber when near it, red at
 * it: pseudo-classes {@code :near} and {@code :full}), its thresholds marked on the bar as thin
 * ticks ({@code .gauge-mark}), and its line ("1.2 MiB of 2 MiB"). Without a limit only the line
 * shows. Styled in Theme.css.
 */
public final class LimitGauge extends HBox {

    private static final PseudoClass NEAR = PseudoClass.getPseudoClass("near");
    private static final PseudoClass FULL = PseudoClass.getPseudoClass("full");

    private final ProgressBar bar = new ProgressBar(0);
    private final Pane marks = new Pane();
    private final StackPane barBox = new StackPane(bar, marks);
    private final Label text = new Label();
    private List<Double> at = List.of();
    private boolean limited; // the gauge shown has a limit: a bar to draw
    private boolean barGivenWay;

    public LimitGauge() {
        getStyleClass().add("limit-gauge");
        bar.setPrefWidth(90);
        bar.setMinWidth(60);
        bar.setMaxWidth(Double.MAX_VALUE);
        marks.setMouseTransparent(true);
        barBox.managedProperty().bind(barBox.visibleProperty());
        barBox.setMinWidth(60);
        barBox.widthProperty().addListener(o -> placeMarks());
        barBox.heightProperty().addListener(o -> placeMarks());
        text.getStyleClass().add("gauge-text");
        text.setMinWidth(0);
        HBox.setHgrow(text, Priority.ALWAYS);
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(8);
        getChildren().addAll(barBox, text);
    }

    /** The bar's preferred width (90 px unless set; FXML {@code barWidth}). */
    public void setBarWidth(double width) {
        bar.setPrefWidth(width);
    }

    public double getBarWidth() {
        return bar.getPrefWidth();
    }

    /**
     * Without its bar (true) or with it again: a row too narrow for the bar gives it up before words are
     * cut, as the figures beside it say the same ("0 B of 256 MiB used · 0%").
     */
    public void giveWayBar(boolean away) {
        barGivenWay = away;
        barBox.setVisible(limited && !away);
    }

    public boolean barGivenWay() {
        return barGivenWay;
    }

    /** The width the bar takes in the row when it is shown (0 when the gauge has none): it and the spacing after it. */
    public double barRoom() {
        return limited ? barBox.prefWidth(-1) + getSpacing() : 0;
    }

    public void show(Gauge g) {
        limited = g.fraction() >= 0;
        barBox.setVisible(limited && !barGivenWay);
        bar.setProgress(Math.max(0, Math.min(1, g.fraction())));
        text.setText(g.text());
        setAccessibleText(g.text());
        pseudoClassStateChanged(NEAR, g.level() == Gauge.Level.NEAR);
        pseudoClassStateChanged(FULL, g.level() == Gauge.Level.FULL);
        if (!g.marks().equals(at)) {
            at = g.marks();
            marks.getChildren().clear();
            for (int i = 0; i < at.size(); i++) {
                Region m = new Region();
                m.getStyleClass().add("gauge-mark");
                m.setManaged(false); // placed by hand over the bar
                marks.getChildren().add(m);
            }
            placeMarks();
        }
    }

    private void placeMarks() {
        double w = barBox.getWidth();
        double h = barBox.getHeight();
        for (int i = 0; i < at.size(); i++) {
            double x = Math.round(w * Math.max(0, Math.min(1, at.get(i))));
            marks.getChildren().get(i).resizeRelocate(x - 1, 0, 2, h);
        }
    }

    /** The line shown (for tests and accessibility). */
    public String text() {
        return text.getText();
    }

    /** The bar's fill, 0..1; -1 when no bar is shown. */
    public double fraction() {
        return barBox.isVisible() ? bar.getProgress() : -1;
    }

    /** The thresholds marked on the bar, 0..1. */
    public List<Double> marks() {
        return at;
    }
}
