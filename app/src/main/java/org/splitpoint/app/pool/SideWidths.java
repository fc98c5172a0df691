package org.splitpoint.app.pool;

import javafx.application.Platform;
import javafx.scene.control.SplitPane;

/**
 * The widths of the tree (left) and the Jobs pane (right) beside the detail, following the window:
 * a SplitPane keeps its dividers' fractions, so the Jobs pane kept ~290 px when the window shrank to
 * 1024 px and the pair console's boxes cut their counts. Here the sides take a fixed share of the
 * width above 1024 px on top of a minimum, so at a small width the detail gets the room and at a
 * large one the sides widen; a divider the user drags stays until the window is resized again. The
 * event log under them does the same with the height, so a short window leaves the detail its height.
 */
final class SideWidths {

    /** The width below which the sides take their minimum. */
    static final double SMALL = 1024;

    private final SplitPane split;
    private final double navMin;
    private final double navMax;
    private final double jobsMin;
    private final double jobsMax;
    private boolean posted;

    private SideWidths(SplitPane split, double navMin, double navMax, double jobsMin, double jobsMax) {
        this.split = split;
        this.navMin = navMin;
        this.navMax = navMax;
        this.jobsMin = jobsMin;
        this.jobsMax = jobsMax;
    }

    /** Keeps the height of {@code main}'s second item (the event log) between its minimum and maximum. */
    static void followHeight(SplitPane main, double min, double max) {
        Runnable apply = () -> {
            double h = main.getHeight();
            if (h > 0 && main.getDividers().size() == 1) {
                double events = Math.max(min, Math.min(max, min + 0.35 * (h - SHORT)));
                main.setDividerPositions((h - events) / h);
            }
        };
        boolean[] posted = {false};
        main.heightProperty().addListener((o, was, now) -> {
            if (!posted[0]) {
                posted[0] = true;
                Platform.runLater(() -> {
                    posted[0] = false;
                    apply.run();
                });
            }
        });
    }

    /** The height of the tree, detail and jobs row plus the event log at a 700 px window. */
    static final double SHORT = 600;

    /** Keeps {@code split}'s (three items: tree, detail, jobs) side widths between their minimum and maximum. */
    static void follow(SplitPane split, double navMin, double navMax, double jobsMin, double jobsMax) {
        SideWidths s = new SideWidths(split, navMin, navMax, jobsMin, jobsMax);
        split.widthProperty().addListener((o, was, now) -> s.later());
        s.later();
    }

    /** The width of a side at a window of {@code width}: its minimum plus a share of what is above 1024 px. */
    static double side(double width, double min, double max, double share) {
        return Math.max(min, Math.min(max, min + share * (width - SMALL)));
    }

    // after the layout pass the width change started: the SplitPane would set its own positions then
    private void later() {
        if (!posted) {
            posted = true;
            Platform.runLater(this::apply);
        }
    }

    private void apply() {
        posted = false;
        double w = split.getWidth();
        if (w <= 0 || split.getDividers().size() != 2) {
            return;
        }
        double nav = side(w, navMin, navMax, 0.2);
        double jobs = side(w, jobsMin, jobsMax, 0.3);
        split.setDividerPositions(nav / w, (w - jobs) / w);
    }
}
