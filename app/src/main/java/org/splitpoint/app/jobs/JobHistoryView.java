package org.splitpoint.app.jobs;

import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.JobHistory;

/**
 * The Jobs panel's History section: the jobs that ended, newest first, a failed one in red, a
 * cancelled one in the warning colour; collapsed by default so running jobs keep the room.
 * Ids: {@code #jobHistory} (the pane), {@code #jobHistoryList}.
 */
public final class JobHistoryView extends TitledPane {

    private static final PseudoClass FAILED = PseudoClass.getPseudoClass("failed");
    private static final PseudoClass CANCELLED = PseudoClass.getPseudoClass("cancelled");

    private final ListView<JobHistory.Entry> list = new ListView<>();

    public JobHistoryView() {
        setId("jobHistory");
        getStyleClass().add("job-history");
        setText("History");
        setExpanded(false);
        setAnimated(false);
        list.setId("jobHistoryList");
        list.setPrefHeight(160);
        list.setFocusTraversable(false);
        Label none = new Label("No job has ended yet");
        none.getStyleClass().add("placeholder");
        list.setPlaceholder(none);
        list.setCellFactory(l -> new EntryCell());
        setContent(list);
    }

    public void bind(JobHistoryViewModel vm) {
        list.setItems(vm.entries());
        textProperty().bind(javafx.beans.binding.Bindings.size(vm.entries()).asString("History (%d)"));
    }

    private static final class EntryCell extends ListCell<JobHistory.Entry> {
        EntryCell() {
            // the list's width, not the line's: a finished job's line wraps instead of running off under a scroll bar
            setWrapText(true);
            setPrefWidth(0);
        }

        @Override
        protected void updateItem(JobHistory.Entry e, boolean empty) {
            super.updateItem(e, empty);
            pseudoClassStateChanged(FAILED, !empty && e != null && e.result() == JobState.FAILED);
            pseudoClassStateChanged(CANCELLED, !empty && e != null && e.result() == JobState.CANCELLED);
            if (empty || e == null) {
                setText(null);
                setTooltip(null);
                return;
            }
            setText(JobHistoryViewModel.line(e));
            setTooltip(new Tooltip(e.id() + ": started " + e.startedAt() + ", ended " + e.finishedAt()
                    + (e.message().isEmpty() ? "" : "\n" + e.message())));
        }
    }
}
