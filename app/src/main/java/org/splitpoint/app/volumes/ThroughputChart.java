package org.splitpoint.app.volumes;

import java.util.List;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Pane;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.common.RateFrame;

/**
 * The last 60 seconds of a volume's read and write rates as two lines on a canvas, the y scale
 * rounded up to 1-2-5 steps. A gap in the points (counters standing still) is drawn as zero.
 */
public final class ThroughputChart extends Pane {

    private final Canvas canvas = new Canvas();
    private RateHistory history;

    public ThroughputChart() {
        getStyleClass().add("throughput-chart");
        getChildren().add(canvas);
        setMinHeight(110);
        setPrefHeight(140);
        widthProperty().addListener(o -> redraw());
        heightProperty().addListener(o -> redraw());
        Palette.dark().addListener(o -> redraw());
    }

    void show(RateHistory h) {
        history = h;
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
        List<RateHistory.Point> pts = history == null ? List.of() : history.points();
        long now = System.nanoTime();
        double max = 0;
        for (RateHistory.Point pt : pts) {
            max = Math.max(max, Math.max(pt.read(), pt.write()));
        }
        RateFrame f = RateFrame.draw(g, p, w, h, max, 1e6, 4, Format::rate, RateHistory.WINDOW_NANOS);
        line(g, pts, now, f, true, p);
        line(g, pts, now, f, false, p);
    }

    private static void line(GraphicsContext g, List<RateHistory.Point> pts, long now, RateFrame f, boolean read,
                             Palette p) {
        g.setStroke(read ? p.read() : p.write());
        g.setLineWidth(2);
        if (!read) {
            g.setLineDashes(6, 3); // the write line differs by dash too, not by colour alone
        }
        g.beginPath();
        boolean started = false;
        long prev = Long.MIN_VALUE;
        for (RateHistory.Point pt : pts) {
            double x = f.x(pt.nanos(), now);
            double y = f.y(read ? pt.read() : pt.write());
            if (!started) {
                g.moveTo(x, y);
                started = true;
            } else {
                if (pt.nanos() - prev > 3 * RateHistory.STEP_NANOS) {
                    g.lineTo(f.x(prev, now) + 2, f.bottom());
                    g.lineTo(x - 2, f.bottom());
                }
                g.lineTo(x, y);
            }
            prev = pt.nanos();
        }
        if (started && now - prev > 3 * RateHistory.STEP_NANOS) {
            g.lineTo(f.x(prev, now) + 2, f.bottom());
            g.lineTo(f.right(), f.bottom());
        }
        g.stroke();
        g.setLineDashes();
    }
}
