package org.splitpoint.app.common;

import java.util.List;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.layout.Pane;

/**
 * A header of two parts, a title with its facts and a live count: on one line, the count at the
 * far end, while both fit; in a narrower window the count goes to a second line instead of either
 * being cut ("2,048 tracks × 64 KiB · 80 cu…" at 1024 px, the count of current tracks lost). Its
 * children: the first managed one is the left part, the last the right part.
 */
public final class WrapRow extends Pane {

    private final DoubleProperty hgap = new SimpleDoubleProperty(this, "hgap", 10);
    private final DoubleProperty vgap = new SimpleDoubleProperty(this, "vgap", 2);

    public WrapRow() {
        hgap.addListener(o -> requestLayout());
        vgap.addListener(o -> requestLayout());
    }

    public double getHgap() {
        return hgap.get();
    }

    public void setHgap(double v) {
        hgap.set(v);
    }

    public double getVgap() {
        return vgap.get();
    }

    public void setVgap(double v) {
        vgap.set(v);
    }

    /** True when both parts fit on one line in {@code width} (inside the insets). */
    public boolean oneLine(double width) {
        List<Node> parts = getManagedChildren();
        return parts.size() < 2 || parts.get(0).prefWidth(-1) + getHgap() + parts.get(parts.size() - 1).prefWidth(-1) <= width;
    }

    @Override
    public Orientation getContentBias() {
        return Orientation.HORIZONTAL; // its height depends on its width: one line or two
    }

    @Override
    protected double computeMinWidth(double height) {
        double min = 0;
        for (Node n : getManagedChildren()) {
            min = Math.max(min, n.minWidth(-1));
        }
        return snappedLeftInset() + min + snappedRightInset();
    }

    @Override
    protected double computePrefWidth(double height) {
        double sum = 0;
        for (Node n : getManagedChildren()) {
            sum += n.prefWidth(-1);
        }
        return snappedLeftInset() + sum + Math.max(0, getManagedChildren().size() - 1) * getHgap() + snappedRightInset();
    }

    @Override
    protected double computeMinHeight(double width) {
        return computePrefHeight(width);
    }

    @Override
    protected double computePrefHeight(double width) {
        List<Node> parts = getManagedChildren();
        double h = 0;
        boolean one = width < 0 || oneLine(width - snappedLeftInset() - snappedRightInset());
        for (Node n : parts) {
            h = one ? Math.max(h, n.prefHeight(-1)) : h + n.prefHeight(-1);
        }
        return snappedTopInset() + h + (one ? 0 : Math.max(0, parts.size() - 1) * getVgap()) + snappedBottomInset();
    }

    @Override
    protected void layoutChildren() {
        List<Node> parts = getManagedChildren();
        if (parts.isEmpty()) {
            return;
        }
        double x = snappedLeftInset();
        double y = snappedTopInset();
        double w = getWidth() - x - snappedRightInset();
        Node left = parts.get(0);
        Node right = parts.get(parts.size() - 1);
        double lh = left.prefHeight(-1);
        if (left == right) {
            left.resizeRelocate(x, y, w, lh);
            return;
        }
        double rw = Math.min(right.prefWidth(-1), w);
        double rh = right.prefHeight(-1);
        if (oneLine(w)) {
            double row = Math.max(lh, rh);
            left.resizeRelocate(x, y + (row - lh) / 2, w - rw - getHgap(), lh);
            right.resizeRelocate(x + w - rw, y + (row - rh) / 2, rw, rh);
        } else { // the right part under the left, from the left edge as a wrapped line reads
            left.resizeRelocate(x, y, Math.min(left.prefWidth(-1), w), lh);
            right.resizeRelocate(x, y + lh + getVgap(), rw, rh);
        }
    }
}
