package org.splitpoint.app.restore;

import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.volumes.ThroughputChart;

/**
 * One rate over the last 60 seconds as a line on a canvas, drawn like the volume view's throughput
 * chart (same grid, labels and 1-2-5 scale): the restore view shows two, on-demand fetches and bulk
 * copy. A gap in the points (nobody looking) is drawn as a gap.
 */
public final class RateChart extends Pane {

    private final Canvas canvas = new Canvas();
    private RateSeries series;
    private DoubleFunction<String> label = v -> String.format(java.util.Locale.ROOT, "%.0f", v);
    private Function<Palette, Color> colour = Palette::read;
    private double floor = 1;

    public RateChart() {
        getStyleClass().add("rate-chart");
        getChildren().add(canvas);
        setMinHeight(90);
        setPrefHeight(120);
        widthProperty().addListener(o -> redraw());
        heightProperty().addListener(o -> redraw());
        Palette.dark().addListener(o -> redraw());
    }

    /** Draws {@code s}; {@code label} writes an axis value, {@code floor} is the smallest top of the scale. */
    void show(RateSeries s, DoubleFunction<String> label, Function<Palette, Color> colour, double floor) {
        this.series = s;
        this.label = label;
        this.colour = colour;
        this.floor = floor;
        redraw();
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
    }

    void redraw() {
        double w = getWidth();
        double h = getHeight();
        if (w < 40 || h < 40) {
            return;
        }
        canvas.setWidth(w);
        canvas.setHeight(h);
        Palette p = Palette.current();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.setFill(p.background());
        g.fillRect(0, 0, w, h);
        List<RateSeries.Point> pts = series == null ? List.of() : series.points();
        long now = System.nanoTime();
        double max = 0;
        for (RateSeries.Point pt : pts) {
            max = Math.max(max, pt.value());
        }
        double top = ThroughputChart.niceCeiling(Math.max(max, floor));
        double left = 62;
        double right = w - 8;
        double plotTop = 8;
        double bottom = h - 18;
        g.setFont(Font.font(11));
        g.setStroke(p.grid());
        g.setLineWidth(1);
        for (int i = 0; i <= 2; i++) {
            double y = bottom - (bottom - plotTop) * i / 2;
            g.strokeLine(left, y, right, y);
            g.setFill(p.text());
            g.fillText(label.apply(top * i / 2), 4, y + 4);
        }
        g.fillText("60 s ago", left, h - 4);
        g.fillText("now", right - 22, h - 4);
        g.setStroke(colour.apply(p));
        g.setLineWidth(2);
        g.beginPath();
        long prev = Long.MIN_VALUE;
        for (RateSeries.Point pt : pts) {
            double x = Math.max(left, right - (right - left) * (now - pt.nanos()) / (double) RateSeries.WINDOW_NANOS);
            double y = bottom - (bottom - plotTop) * Math.min(1, pt.value() / top);
            if (prev == Long.MIN_VALUE || pt.nanos() - prev > 4 * RateSeries.STEP_NANOS) {
                g.moveTo(x, y);
            } else {
                g.lineTo(x, y);
            }
            prev = pt.nanos();
        }
        g.stroke();
    }
}
