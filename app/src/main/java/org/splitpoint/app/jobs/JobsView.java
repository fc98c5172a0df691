package org.splitpoint.app.jobs;

import javafx.beans.binding.Bindings;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Fxml;

/**
 * Running jobs, each with a progress bar, %, rate, ETA, its own speed limit, Pause/Resume and
 * Cancel. FXML: JobsView.fxml.
 */
public final class JobsView extends VBox {

    @FXML private ListView<JobRow> jobsList;
    @FXML private JobHistoryView historyView;
    private JobsViewModel model;
    /**
     * The rows' tooltips, one of each for every row (a node may share a tooltip): each tooltip is a
     * popup window with a scene of its own, and three per row were a good part of a new row's cost.
     */
    private final Tooltip limitTip = new Tooltip("This job's speed limit: the pair console's slider and 'job throttle'"
            + " show and set the same.");
    private final Tooltip pauseTip = new Tooltip("Pause the job, or resume it; it keeps its place.");
    private final Tooltip cancelTip = new Tooltip("Stop the job (asks first, and says what it leaves behind).");
    /** How long after the window opens a first row is built off screen (see {@link #warmUpRow}). */
    static final javafx.util.Duration WARM_UP_AFTER = javafx.util.Duration.seconds(2);
    /** Builds a row off screen once the window is idle after opening (see {@link #warmUpRow}). */
    private final javafx.animation.PauseTransition warmUp = new javafx.animation.PauseTransition(WARM_UP_AFTER);

    public JobsView() {
        Fxml.load(this, "JobsView");
        warmUp.setOnFinished(e -> warmUpRow());
    }

    public void bind(JobsViewModel vm) {
        this.model = vm;
        jobsList.setItems(vm.rows());
        jobsList.setCellFactory(l -> new JobCell());
        jobsList.setFocusTraversable(false);
        warmUp.playFromStart();
    }

    /**
     * Builds, styles and lays out one job row off screen, then drops it. A window's first job row
     * held the FX thread 100-280 ms (bench/gui-bench.sh, GUI_BENCH_WORST=1: the classes of the
     * row's choice box, skins and popup loaded, and its CSS matched, all for the first time): the
     * window froze just as the user started a job. Done once while the window is idle after
     * opening, a real first row then costs what later ones do. Never shown: it is in the scene only
     * within this call, with no pulse in between. Returns the row built, or null when there was no
     * point (no window showing, or jobs already shown).
     */
    javafx.scene.Node warmUpRow() {
        if (getScene() == null || getScene().getWindow() == null || !getScene().getWindow().isShowing()
                || !jobsList.getItems().isEmpty()) {
            return null; // no window to style against, or a real row came first: nothing left to gain
        }
        JobCell cell = new JobCell();
        cell.box.setManaged(false);
        getChildren().add(cell.box);
        try {
            cell.box.applyCss();
            cell.box.resize(300, 120);
            cell.box.layout();
        } finally {
            getChildren().remove(cell.box);
        }
        return cell.box;
    }

    /** The tooltip of every row's Pause button (for tests). */
    Tooltip pauseTip() {
        return pauseTip;
    }

    /** The History section under the running jobs. */
    public JobHistoryView history() {
        return historyView;
    }

    private void confirmCancel(JobRow row) {
        if ("instant-restore".equals(row.kind())) { // the volume stays partly restored: its name is typed
            var c = new org.splitpoint.app.common.Confirmation("Cancel restore of " + row.target(), "Stop restoring "
                    + row.target() + "?", java.util.List.of(JobsViewModel.cancelConsequence(row),
                    "What hosts wrote meanwhile stays. Restore again to finish."), row.target(), "Cancel restore");
            if (org.splitpoint.app.common.TypedConfirmDialog.ask(getScene().getWindow(), c)) {
                model.cancel(row);
            }
            return;
        }
        if (org.splitpoint.app.common.StopConfirmDialog.ask(getScene().getWindow(), "Cancel " + row.titleProperty().get(),
                "Cancel " + row.titleProperty().get() + "?", java.util.List.of(JobsViewModel.cancelConsequence(row)),
                "Cancel job", "Keep running")) {
            model.cancel(row);
        }
    }

    /** The column width from which a job's title and its buttons share a row. */
    private static final double WIDE = 260;

    /** Title, bar, line and buttons of one job; bound to the row so it moves without re-rendering the list. */
    private final class JobCell extends ListCell<JobRow> {
        private final Label title = new Label();
        private final ProgressBar bar = new ProgressBar();
        private final Label line = new Label();
        private final Button pause = new Button();
        private final Button cancel = new Button("Cancel");
        private final LimitChoice limit = new LimitChoice();
        private final javafx.beans.value.ChangeListener<Number> fromJob = (o, was, now) -> limit.show(now.longValue());
        private JobRow shown;
        private final HBox head = new HBox(6, title, new Region(), pause, cancel);
        private final Label limitKey = new Label("Speed limit");
        private final HBox limitRow = new HBox(6, limitKey, limit); // its own row: the title keeps the width
        private final HBox buttons = new HBox(6); // under the speed limit in a narrow column
        private final VBox box = new VBox(3, head, bar, line, limitRow, buttons);

        JobCell() {
            box.getStyleClass().add("job-cell");
            title.getStyleClass().add("job-title");
            line.getStyleClass().add("job-line");
            pause.getStyleClass().add("job-button");
            cancel.getStyleClass().add("job-button");
            pause.setMinWidth(Button.USE_PREF_SIZE); // the title gives way, not the buttons
            cancel.setMinWidth(Button.USE_PREF_SIZE);
            limit.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            limit.getStyleClass().add("job-limit");
            limitKey.getStyleClass().add("job-line");
            limitKey.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            limitRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            limit.setTooltip(limitTip);
            limit.valueProperty().addListener((o, was, now) -> {
                if (!limit.following() && shown != null && now != null) {
                    shown.limitProperty().set(now);
                }
            });
            HBox.setHgrow(head.getChildren().get(1), Priority.ALWAYS);
            head.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            bar.setMaxWidth(Double.MAX_VALUE);
            line.setMinWidth(0);
            line.setWrapText(true); // a narrow column wraps the line rather than cut off the ETA
            title.setMinWidth(0);
            pause.setTooltip(pauseTip);
            cancel.setTooltip(cancelTip);
            setPrefWidth(0);
            buttons.managedProperty().bind(buttons.visibleProperty());
            // a narrow column (1024 px window) cut the title to "e..." beside the buttons: they take a row of their own there
            widthProperty().addListener((o, was, now) -> placeButtons(now.doubleValue()));
            placeButtons(0);
        }

        /** The buttons beside the title when the column has room for both, else on their own row (and the limit's key short). */
        private void placeButtons(double width) {
            boolean wide = width >= WIDE;
            if (wide == (pause.getParent() == head)) {
                return;
            }
            if (wide) {
                buttons.getChildren().clear();
                head.getChildren().addAll(pause, cancel);
            } else {
                head.getChildren().removeAll(pause, cancel);
                buttons.getChildren().setAll(pause, cancel);
            }
            buttons.setVisible(!wide);
            limitKey.setText(wide ? "Speed limit" : "Limit"); // the row fits the narrow column with its choice
        }

        @Override
        protected void updateItem(JobRow row, boolean empty) {
            super.updateItem(row, empty);
            title.textProperty().unbind();
            line.textProperty().unbind();
            bar.progressProperty().unbind();
            pause.textProperty().unbind();
            if (shown != null) {
                shown.limitProperty().removeListener(fromJob);
                shown = null;
            }
            if (empty || row == null) {
                setGraphic(null);
            } else {
                title.textProperty().bind(row.titleProperty());
                line.textProperty().bind(row.lineProperty());
                bar.progressProperty().bind(row.fractionProperty());
                pause.textProperty().bind(Bindings.when(row.pausedProperty()).then("Resume").otherwise("Pause"));
                pause.setOnAction(e -> model.pauseOrResume(row));
                cancel.setOnAction(e -> confirmCancel(row));
                limit.show(row.limitProperty().get());
                row.limitProperty().addListener(fromJob);
                shown = row;
                setGraphic(box);
            }
        }
    }
}
