package org.splitpoint.app.snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Circle;
import javafx.scene.shape.FillRule;
import javafx.scene.shape.SVGPath;
import javafx.scene.shape.Line;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.StateLook;

/**
 * A volume's snapshots on a time axis: the oldest at the left, now at the right, each a point with
 * a label above it (name; age and bytes held) in up to three lanes, so labels never overlap (the
 * selected one's is placed first; a label with no room is left out, its point keeps the tooltip). Points closer than a click's width are
 * spread apart. A valid snapshot is a dot, a safety snapshot a ring, the one being restored to turns
 * arrows, an invalid one a red cross with "INVALID" (the reason in its tooltip and, selected, on the
 * card); the selected one is ringed. Click a point or its label to select it; Left/Right move the
 * selection. Ids: {@code #snapPoint-<name>}, {@code #snapLabel-<name>}.
 */
public final class SnapshotTimelineView extends Region {

    static final double PAD_LEFT = 16;
    static final double PAD_RIGHT = 30;
    static final double MIN_GAP = 16;
    static final double LANE = 38;
    static final int LANES = 3;
    static final double BELOW = 26;

    private final Line axisLine = new Line();
    private final Line nowTick = new Line();
    private final Label start = new Label();
    private final Label end = new Label("now");
    private final Map<String, Mark> marks = new HashMap<>();
    private SnapshotTimeline.Axis axis = SnapshotTimeline.Axis.EMPTY;
    private String selected;
    private Consumer<String> onSelect = n -> { };
    private int lanesUsed = 1;

    /** A point, its label and the leader between them. */
    private final class Mark {
        final String name;
        final StackPane point = new StackPane();
        final Circle halo = new Circle(11);
        final SVGPath glyph = new SVGPath();
        StateLook look;
        final VBox label = new VBox(0);
        final Label title = new Label();
        final Label detail = new Label();
        final Line leader = new Line();
        final Tooltip tip = new Tooltip();
        SnapshotTimeline.Point p;

        Mark(String name) {
            this.name = name;
            halo.getStyleClass().add("snap-halo");
            glyph.getStyleClass().add("glyph"); // coloured by the state tones, as a StateBadge's glyph
            glyph.setFillRule(FillRule.EVEN_ODD);
            point.getChildren().addAll(halo, glyph);
            point.getStyleClass().addAll("snap-point", "state-badge");
            point.setId("snapPoint-" + name);
            point.setPickOnBounds(true);
            title.getStyleClass().add("snap-name");
            detail.getStyleClass().add("snap-detail");
            label.getChildren().addAll(title, detail);
            label.getStyleClass().add("snap-label");
            label.setId("snapLabel-" + name);
            label.setAlignment(Pos.CENTER);
            leader.getStyleClass().add("snap-leader");
            tip.setWrapText(true);
            tip.setMaxWidth(460);
            tip.setShowDelay(javafx.util.Duration.millis(250));
            Tooltip.install(point, tip);
            Tooltip.install(label, tip);
            point.setOnMouseClicked(e -> choose());
            label.setOnMouseClicked(e -> choose());
            getChildren().add(4, leader); // every leader behind every label (after the axis, its ends' labels)
            getChildren().addAll(label, point);
        }

        void choose() {
            requestFocus();
            onSelect.accept(name);
        }

        void show(SnapshotTimeline.Point p, boolean isSelected) {
            this.p = p;
            StateLook look = !p.valid() ? new StateLook("", StateLook.Glyph.CROSS, StateLook.Tone.BAD)
                    : p.restoring() ? new StateLook("", StateLook.Glyph.ARROWS, StateLook.Tone.BUSY)
                    : p.safety() ? new StateLook("", StateLook.Glyph.RING, StateLook.Tone.IDLE)
                    : new StateLook("", StateLook.Glyph.DOT, StateLook.Tone.BUSY);
            if (!look.equals(this.look)) {
                if (this.look != null) {
                    point.getStyleClass().remove(this.look.tone().styleClass());
                }
                point.getStyleClass().add(look.tone().styleClass());
                glyph.setContent(look.glyph().path());
                this.look = look;
            }
            title.setText(p.name());
            detail.setText(p.valid() ? p.age() + " · " + Format.size(p.bytesHeld()) + " held" : "INVALID · " + p.age());
            for (javafx.scene.Node n : List.of(point, label, leader)) {
                n.pseudoClassStateChanged(SELECTED, isSelected);
                n.pseudoClassStateChanged(INVALID, !p.valid());
            }
            halo.setVisible(isSelected);
            String text = p.name() + (p.safety() ? " (safety snapshot taken before a restore)" : "") + "\ntaken " + p.when()
                    + " (" + p.age() + ")\n" + (p.valid() ? p.held() + " in the save area" : "INVALID: " + p.why())
                    + (p.restoring() ? "\nthe volume is being restored to it" : "");
            tip.setText(text);
            point.setAccessibleText("snapshot " + text.replace('\n', ' '));
        }

        void remove() {
            getChildren().removeAll(leader, label, point);
        }
    }

    private static final javafx.css.PseudoClass SELECTED = javafx.css.PseudoClass.getPseudoClass("selected");
    private static final javafx.css.PseudoClass INVALID = javafx.css.PseudoClass.getPseudoClass("invalid");

    public SnapshotTimelineView() {
        getStyleClass().add("snapshot-timeline");
        setId("snapshotTimeline");
        axisLine.getStyleClass().add("snap-axis");
        nowTick.getStyleClass().add("snap-axis");
        start.getStyleClass().add("snap-axis-label");
        end.getStyleClass().add("snap-axis-label");
        getChildren().addAll(axisLine, nowTick, start, end);
        setFocusTraversable(true);
        setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.LEFT || e.getCode() == KeyCode.RIGHT) {
                step(e.getCode() == KeyCode.LEFT ? -1 : 1);
                e.consume();
            } else if (e.getCode() == KeyCode.HOME || e.getCode() == KeyCode.END) {
                List<SnapshotTimeline.Point> ps = axis.points();
                if (!ps.isEmpty()) {
                    onSelect.accept(ps.get(e.getCode() == KeyCode.HOME ? 0 : ps.size() - 1).name());
                }
                e.consume();
            }
        });
    }

    /** {@code action} gets the name of a point clicked (or reached with the arrow keys). */
    public void setOnSelect(Consumer<String> action) {
        this.onSelect = action;
    }

    /** Shows {@code axis} with {@code selectedName} ringed (null: none). */
    public void show(SnapshotTimeline.Axis axis, String selectedName) {
        this.axis = axis;
        this.selected = selectedName;
        Map<String, Mark> keep = new HashMap<>();
        for (SnapshotTimeline.Point p : axis.points()) {
            Mark m = marks.remove(p.name());
            if (m == null) {
                m = new Mark(p.name());
            }
            m.show(p, p.name().equals(selectedName));
            keep.put(p.name(), m);
        }
        marks.values().forEach(Mark::remove);
        marks.clear();
        marks.putAll(keep);
        start.setText(axis.start());
        end.setText(axis.end());
        requestLayout();
    }

    private void step(int by) {
        List<SnapshotTimeline.Point> ps = axis.points();
        if (ps.isEmpty()) {
            return;
        }
        int at = -1;
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).name().equals(selected)) {
                at = i;
            }
        }
        int next = at < 0 ? (by < 0 ? ps.size() - 1 : 0) : Math.max(0, Math.min(ps.size() - 1, at + by));
        onSelect.accept(ps.get(next).name());
    }

    @Override
    protected double computePrefHeight(double width) {
        return BELOW + 12 + lanesUsed * LANE;
    }

    /** Never squeezed: a page shorter than its content scrolls rather than cut lanes off. */
    @Override
    protected double computeMinHeight(double width) {
        return computePrefHeight(width);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 480;
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        double left = PAD_LEFT;
        double right = Math.max(left + 1, w - PAD_RIGHT);
        double axisY = Math.round(h - BELOW) + 0.5;
        axisLine.setStartX(left - 8);
        axisLine.setEndX(right + 8);
        axisLine.setStartY(axisY);
        axisLine.setEndY(axisY);
        nowTick.setStartX(right + 8);
        nowTick.setEndX(right + 8);
        nowTick.setStartY(axisY - 5);
        nowTick.setEndY(axisY + 5);
        layoutInArea(start, 0, axisY + 6, w / 2, BELOW - 6, 0, javafx.geometry.HPos.LEFT, javafx.geometry.VPos.TOP);
        layoutInArea(end, w / 2, axisY + 6, w / 2, BELOW - 6, 0, javafx.geometry.HPos.RIGHT, javafx.geometry.VPos.TOP);

        List<SnapshotTimeline.Point> ps = axis.points();
        int n = ps.size();
        double[] xs = spread(ps, left, right);
        // the selected label first, then from the newest (right) to the oldest, each in the lowest lane with room
        List<double[]>[] taken = lanes();
        List<Integer> order = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            if (ps.get(i).name().equals(selected)) {
                order.add(0, i);
            } else {
                order.add(i);
            }
        }
        int used = 1;
        for (int i : order) {
            Mark m = marks.get(ps.get(i).name());
            if (m == null) {
                continue;
            }
            double pw = m.point.prefWidth(-1);
            double ph = m.point.prefHeight(-1);
            m.point.resizeRelocate(Math.round(xs[i] - pw / 2), Math.round(axisY - ph / 2), pw, ph);
            double lw = Math.min(m.label.prefWidth(-1), Math.max(60, w / 2));
            double lh = m.label.prefHeight(lw);
            double lx = Math.max(0, Math.min(w - lw, xs[i] - lw / 2));
            int lane = -1;
            for (int k = 0; k < LANES && lane < 0; k++) {
                if (free(taken[k], lx - 5, lx + lw + 5)) {
                    lane = k;
                }
            }
            boolean fits = lane >= 0;
            m.label.setVisible(fits);
            m.leader.setVisible(fits);
            if (!fits) {
                continue;
            }
            taken[lane].add(new double[] {lx - 5, lx + lw + 5});
            used = Math.max(used, lane + 1);
            double bottom = axisY - 12 - lane * LANE;
            m.label.resizeRelocate(Math.round(lx), Math.round(bottom - lh), lw, lh);
            m.leader.setStartX(Math.round(xs[i]) + 0.5);
            m.leader.setEndX(Math.round(xs[i]) + 0.5);
            m.leader.setStartY(bottom);
            m.leader.setEndY(axisY - 6);
        }
        if (used != lanesUsed) {
            lanesUsed = used;
            Platform.runLater(this::requestLayout); // the card grows or shrinks to the lanes in use
            if (getParent() != null) {
                Platform.runLater(getParent()::requestLayout);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<double[]>[] lanes() {
        List<double[]>[] l = new List[LANES];
        for (int k = 0; k < LANES; k++) {
            l[k] = new ArrayList<>();
        }
        return l;
    }

    /** True when [from, to) overlaps none of {@code taken}. */
    private static boolean free(List<double[]> taken, double from, double to) {
        for (double[] t : taken) {
            if (from < t[1] && t[0] < to) {
                return false;
            }
        }
        return true;
    }

    /** X of each point: by time, but never closer than {@link #MIN_GAP}, kept inside [left, right]. */
    static double[] spread(List<SnapshotTimeline.Point> ps, double left, double right) {
        int n = ps.size();
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = left + ps.get(i).position() * (right - left);
        }
        for (int i = 1; i < n; i++) {
            xs[i] = Math.max(xs[i], xs[i - 1] + MIN_GAP);
        }
        if (n > 0 && xs[n - 1] > right) {
            xs[n - 1] = right;
            for (int i = n - 2; i >= 0; i--) {
                xs[i] = Math.min(xs[i], xs[i + 1] - MIN_GAP);
            }
        }
        for (int i = 0; i < n; i++) {
            xs[i] = Math.max(left, xs[i]); // too many to spread: the oldest share the left end
        }
        return xs;
    }

    /** The names whose labels are shown now (tests). */
    List<String> labelled() {
        List<String> out = new ArrayList<>();
        for (SnapshotTimeline.Point p : axis.points()) {
            Mark m = marks.get(p.name());
            if (m != null && m.label.isVisible()) {
                out.add(p.name());
            }
        }
        return out;
    }
}
