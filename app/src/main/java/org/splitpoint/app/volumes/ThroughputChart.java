package org.splitpoint.app.volumes;

import java.util.List;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Pane;
import javafx.scene.text.Font;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.Palette;

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
        g.setFill(p.background());
        g.fillRect(0, 0, w, h);
        List<RateHistory.Point> pts = history == null ? List.of() : history.points();
        long now = System.nanoTime();
        double max = 0;
        for (RateHistory.Point pt : pts) {
            max = Math.max(max, Math.max(pt.read(), pt.write()));
        }
        double top = niceCeiling(Math.max(max, 1e6));
        double left = 62;
        double right = w - 8;
        double plotTop = 8;
        double bottom = h - 18;
        g.setFont(Font.font(11));
        g.setStroke(p.grid());
        g.setLineWidth(1);
        for (int i = 0; i <= 4; i++) {
            double y = bottom - (bottom - plotTop) * i / 4;
            g.strokeLine(left, y, right, y);
            g.setFill(p.text());
            g.fillText(Format.rate(top * i / 4), 4, y + 4);
        }
        g.fillText("60 s ago", left, h - 4);
        g.fillText("now", right - 22, h - 4);
        line(g, pts, now, left, right, plotTop, bottom, top, true, p);
        line(g, pts, now, left, right, plotTop, bottom, top, false, p);
    }

    private static void line(GraphicsContext g, List<RateHistory.Point> pts, long now, double left, double right,
                             double plotTop, double bottom, double top, boolean read, Palette p) {
        g.setStroke(read ? p.read() : p.write());
        g.setLineWidth(2);
        if (!read) {
            g.setLineDashes(6, 3); // the write line differs by dash too, not by colour alone
        }
        g.beginPath();
        boolean started = false;
        long prev = Long.MIN_VALUE;
        for (RateHistory.Point pt : pts) {
            double x = x(pt.nanos(), now, left, right);
            double v = read ? pt.read() : pt.write();
            double y = bottom - (bottom - plotTop) * Math.min(1, v / top);
            if (!started) {
                g.moveTo(x, y);
                started = true;
            } else {
                if (pt.nanos() - prev > 3 * RateHistory.STEP_NANOS) {
                    g.lineTo(x(prev, now, left, right) + 2, bottom);
                    g.lineTo(x - 2, bottom);
                }
                g.lineTo(x, y);
            }
            prev = pt.nanos();
        }
        if (started && now - prev > 3 * RateHistory.STEP_NANOS) {
            g.lineTo(x(prev, now, left, right) + 2, bottom);
            g.lineTo(right, bottom);
        }
        g.stroke();
        g.setLineDashes();
    }

    private static double x(long nanos, long now, double left, double right) {
        double age = (now - nanos) / (double) RateHistory.WINDOW_NANOS;
        return Math.max(left, right - (right - left) * age);
    }

    /** The smallest 1, 2 or 5 × 10^k at or above {@code v}. */
    public static double niceCeiling(double v) {
        double e = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * e >= v) {
                return m * e;
            }
        }
        return 10 * e;
    }
}
