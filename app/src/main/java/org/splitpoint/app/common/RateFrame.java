package org.splitpoint.app.common;

import java.util.function.DoubleFunction;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.text.Font;

/**
 * The frame every rate chart of the app draws its lines in (the volume view's throughput, the
 * instant restore's fetch and copy rates): background, a 1-2-5 scale with its labels on the left,
 * "60 s ago" … "now" under the plot, so that two charts read alike side by side. {@link #x} and
 * {@link #y} place a point in it.
 */
public record RateFrame(double left, double right, double top, double bottom, double scaleTop, long windowNanos) {

    /**
     * Clears a {@code w}×{@code h} canvas and draws the frame for values up to {@code max} (at least
     * {@code floor}), with {@code steps} grid lines above the base, each labelled by {@code label}.
     */
    public static RateFrame draw(GraphicsContext g, Palette p, double w, double h, double max, double floor,
                                 int steps, DoubleFunction<String> label, long windowNanos) {
        RateFrame f = new RateFrame(62, w - 8, 8, h - 18, niceCeiling(Math.max(max, floor)), windowNanos);
        g.setFill(p.background());
        g.fillRect(0, 0, w, h);
        g.setFont(Font.font(11));
        g.setStroke(p.grid());
        g.setLineWidth(1);
        for (int i = 0; i <= steps; i++) {
            double y = f.bottom - (f.bottom - f.top) * i / steps;
            g.strokeLine(f.left, y, f.right, y);
            g.setFill(p.text());
            g.fillText(label.apply(f.scaleTop * i / steps), 4, y + 4);
        }
        g.fillText("60 s ago", f.left, h - 4);
        g.fillText("now", f.right - 22, h - 4);
        return f;
    }

    /** Where a point taken at {@code nanos} stands when the right edge is {@code now}. */
    public double x(long nanos, long now) {
        double age = (now - nanos) / (double) windowNanos;
        return Math.max(left, right - (right - left) * age);
    }

    /** Where {@code v} stands on the scale (the top when above it). */
    public double y(double v) {
        return bottom - (bottom - top) * Math.min(1, v / scaleTop);
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
