package org.splitpoint.app.restore;

import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.common.RateFrame;

/**
 * One rate over the last 60 seconds as a line on a canvas, drawn in the frame of the volume view's
 * throughput chart ({@link RateFrame}): the restore view shows two, on-demand fetches and bulk
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
        List<RateSeries.Point> pts = series == null ? List.of() : series.points();
        long now = System.nanoTime();
        double max = 0;
        for (RateSeries.Point pt : pts) {
            max = Math.max(max, pt.value());
        }
        RateFrame f = RateFrame.draw(g, p, w, h, max, floor, 2, label, RateSeries.WINDOW_NANOS);
        g.setStroke(colour.apply(p));
        g.setLineWidth(2);
        g.beginPath();
        long prev = Long.MIN_VALUE;
        for (RateSeries.Point pt : pts) {
            double x = f.x(pt.nanos(), now);
            double y = f.y(pt.value());
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
