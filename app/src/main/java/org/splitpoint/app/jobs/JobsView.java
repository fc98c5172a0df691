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
    /** The parts of job rows no cell shows now (see {@link JobCell}); the warm-up leaves one here. */
    private final java.util.ArrayDeque<Parts> spareParts = new java.util.ArrayDeque<>();
    /**
     * The rows' tooltips, one of each for every row (a node may share a tooltip): each tooltip is a
     * popup window with a scene of its own, and three per row were a good part of a new row's cost.
     */
    private final Tooltip limitTip = new Tooltip("This job's speed limit: the pair console's slider and 'job throttle'"
            + " show and set the same.");
    private final Tooltip pauseTip = new Tooltip("Pause the job, or resume it; it keeps its place.");
    private final Tooltip cancelTip = new Tooltip("Stop the job (asks first, and says what it leaves behind).");
    /** How long after the window opens the list makes its cells for a first job (see {@link #warmUpRow}). */
    static final javafx.util.Duration WARM_UP_AFTER = javafx.util.Duration.seconds(2);
    /** Has the list make its cells for a job once the window is idle after opening (see {@link #warmUpRow}). */
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
     * Has the list make, style and lay out its cells and a row's parts for one job while the window
     * is idle after opening, then shows no job again: the list keeps its cells and the parts wait
     * as spare ones ({@link #spareParts}), which the first real job takes. A window's first job row
     * held the FX thread 300-380 ms during a restore (bench/gui-bench.sh, GUI_BENCH_WORST=1): the
     * list made a cell to measure the row and one to show it, each with its parts (a choice box
     * whose skin made a popup list of its own), all styled for the first time, and over a dozen
     * empty cells to fill its height. A row built outside the list (as this did before) left most of that to
     * the real one. Never shown: the list holds the sample job only within this call, with no pulse
     * in between. Returns the row's parts built (its box), or null when there was no point (no
     * window showing, or jobs already shown).
     */
    javafx.scene.Node warmUpRow() {
        if (getScene() == null || getScene().getWindow() == null || !getScene().getWindow().isShowing()
                || !jobsList.getItems().isEmpty() || model == null) {
            return null; // no window to style against, or a real row came first: nothing left to gain
        }
        javafx.collections.ObservableList<JobRow> rows = jobsList.getItems();
        JobRow sample = model.sampleRow();
        javafx.scene.Node made = null;
        jobsList.setItems(javafx.collections.FXCollections.observableArrayList(sample));
        try {
            jobsList.applyCss();
            jobsList.layout();
            jobsList.applyCss(); // what the layout added (the row's parts) styled now, not at the next pulse
            for (javafx.scene.Node n : jobsList.lookupAll(".list-cell")) {
                if (n instanceof JobCell c && c.getItem() == sample && c.isVisible()) {
                    made = c.getGraphic();
                }
            }
        } finally {
            jobsList.setItems(rows);
            jobsList.layout();
        }
        return made;
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
            // the restore may end while the dialog is open: its row leaves the list, and the dialog says so
            javafx.beans.binding.StringBinding ended = javafx.beans.binding.Bindings.createStringBinding(
                    () -> model.rows().contains(row) ? "" : "The restore of " + row.target()
                            + " ended: there is nothing left to cancel.", model.rows());
            if (org.splitpoint.app.common.TypedConfirmDialog.ask(getScene().getWindow(), c, null, ended)) {
                model.cancel(row);
            }
            return;
        }
        // the job may end while the dialog is open: its row leaves the list, and the dialog goes with it
        javafx.beans.binding.BooleanBinding gone = javafx.beans.binding.Bindings.createBooleanBinding(
                () -> !model.rows().contains(row), model.rows());
        if (org.splitpoint.app.common.StopConfirmDialog.ask(getScene().getWindow(), "Cancel " + row.titleProperty().get(),
                javafx.beans.binding.Bindings.concat("Cancel ", row.titleProperty(), "?"),
                new javafx.beans.property.SimpleObjectProperty<>(java.util.List.of(JobsViewModel.cancelConsequence(row))),
                "Cancel job", "Keep running", gone)) {
            model.cancel(row);
        }
    }

    /** The column width from which a job's title and its buttons share a row. */
    private static final double WIDE = 260;

    /**
     * Title, bar, line and buttons of one job; bound to the row so it moves without re-rendering the
     * list. Its parts are taken when it shows a job and given back when it shows none ({@link
     * #spareParts}): a list fills its height with empty cells below its rows (over a dozen under
     * one job), which stay bare, and the cell that shows the first job is any of them.
     */
    private final class JobCell extends ListCell<JobRow> {
        private Parts parts;
        private JobRow shown;
        private final javafx.beans.value.ChangeListener<Number> fromJob = (o, was, now) -> parts.limit.show(now.longValue());

        JobCell() {
            setPrefWidth(0);
            // a narrow column (1024 px window) cut the title to "e..." beside the buttons: they take a row of their own there
            widthProperty().addListener((o, was, now) -> {
                if (parts != null) {
                    parts.placeButtons(now.doubleValue());
                }
            });
        }

        @Override
        protected void updateItem(JobRow row, boolean empty) {
            super.updateItem(row, empty);
            if (parts != null) {
                parts.title.wholeProperty().unbind();
                parts.line.textProperty().unbind();
                parts.bar.progressProperty().unbind();
                parts.pause.textProperty().unbind();
            }
            if (shown != null) {
                shown.limitProperty().removeListener(fromJob);
                shown = null;
            }
            if (empty || row == null) {
                setGraphic(null);
                if (parts != null) {
                    parts.owner = null;
                    spareParts.push(parts);
                    parts = null;
                }
            } else {
                if (parts == null) {
                    parts = spareParts.isEmpty() ? new Parts() : spareParts.pop();
                    parts.owner = this;
                    parts.placeButtons(getWidth());
                }
                Parts p = parts;
                p.title.wholeProperty().bind(row.titleProperty());
                p.line.textProperty().bind(row.lineProperty());
                p.bar.progressProperty().bind(row.fractionProperty());
                p.pause.textProperty().bind(Bindings.when(row.pausedProperty()).then("Resume").otherwise("Pause"));
                p.pause.setOnAction(e -> model.pauseOrResume(row));
                p.cancel.setOnAction(e -> confirmCancel(row));
                p.limit.show(row.limitProperty().get());
                p.limitRow.setVisible(row.movesBytes()); // no speed to limit in a timed step
                p.limitRow.setManaged(row.movesBytes());
                row.limitProperty().addListener(fromJob);
                shown = row;
                setGraphic(p.box);
            }
        }
    }

    /**
     * The nodes of one job's row, shown by one {@link JobCell} at a time. Made when a cell shows a
     * job and no spare parts are left, kept when it shows none: styled, with their skins, they
     * cost far less in their next cell than new ones.
     */
    private final class Parts {
        /** The cell showing these parts; null while they are spare. */
        private JobCell owner;
        /**
         * Wraps between words only: a Label's wrapping cut an instant restore's image id in the middle
         * in a narrow column ("prod-20261204-230858-" / "5064-full"); the whole title is its tooltip.
         */
        private final org.splitpoint.app.common.WordWrapLabel title = new org.splitpoint.app.common.WordWrapLabel();
        private final ProgressBar bar = new ProgressBar();
        private final Label line = new Label();
        private final Button pause = new Button();
        private final Button cancel = new Button("Cancel");
        private final LimitChoice limit = new LimitChoice();
        private final HBox head = new HBox(6, title, new Region(), pause, cancel);
        private final Label limitKey = new Label("Speed limit");
        private final HBox limitRow = new HBox(6, limitKey, limit); // its own row: the title keeps the width
        private final HBox buttons = new HBox(6); // under the speed limit in a narrow column
        private final VBox box = new VBox(3, head, bar, line, limitRow, buttons);

        Parts() {
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
                if (!limit.following() && owner != null && owner.shown != null && now != null) {
                    owner.shown.limitProperty().set(now);
                }
            });
            title.wholeProperty().addListener((o, was, now) -> { // an id wider than before may move the buttons
                if (owner != null) {
                    placeButtons(owner.getWidth());
                }
            });
            HBox.setHgrow(head.getChildren().get(1), Priority.ALWAYS);
            head.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            bar.setMaxWidth(Double.MAX_VALUE);
            line.setMinWidth(0);
            line.setWrapText(true); // a narrow column wraps the line rather than cut off the ETA
            // "instant restore of prod from IMAGE" takes two lines or more rather than lose its end (WordWrapLabel
            // wraps it between words, the id whole on a line of its own, or ending in an ellipsis if no line holds it)
            pause.setTooltip(pauseTip);
            org.splitpoint.app.common.Actions.ignoreSecondClick(pause);
            cancel.setTooltip(cancelTip);
            buttons.managedProperty().bind(buttons.visibleProperty());
            placeButtons(0);
        }

        /**
         * Whether the title's widest word (an instant restore's image id) shows whole beside the
         * buttons in a cell {@code width} wide; else the buttons take a row of their own, so that the
         * id has the whole width rather than end in an ellipsis.
         */
        private boolean titleFitsBesideButtons(double width) {
            double insets = box.snappedLeftInset() + box.snappedRightInset()
                    + (owner == null ? 0 : owner.snappedLeftInset() + owner.snappedRightInset());
            double buttons = pause.prefWidth(-1) + cancel.prefWidth(-1) + 3 * head.getSpacing();
            return width - insets - buttons >= title.widestWordWidth();
        }

        /** The buttons beside the title when the column has room for both, else on their own row (and the limit's key short). */
        private void placeButtons(double width) {
            boolean wide = width >= WIDE && titleFitsBesideButtons(width);
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
    }
}
