package org.splitpoint.app.jobs;

import javafx.fxml.FXML;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Fxml;

/** Running jobs, each with a progress bar and the engine's progress line, and the speed limit. FXML: JobsView.fxml. */
public final class JobsView extends VBox {

    @FXML private ListView<JobRow> jobsList;
    @FXML private ComboBox<RateLimit> jobLimit;

    public JobsView() {
        Fxml.load(this, "JobsView");
    }

    public void bind(JobsViewModel vm) {
        jobsList.setItems(vm.rows());
        jobsList.setCellFactory(l -> new JobCell());
        jobsList.setFocusTraversable(false);
        jobLimit.getItems().setAll(RateLimit.values());
        jobLimit.valueProperty().bindBidirectional(vm.limitProperty());
    }

    /** Title, bar and line of one job; bound to the row so it moves without re-rendering the list. */
    private static final class JobCell extends ListCell<JobRow> {
        private final Label title = new Label();
        private final ProgressBar bar = new ProgressBar();
        private final Label line = new Label();
        private final VBox box = new VBox(3, title, bar, line);

        JobCell() {
            box.getStyleClass().add("job-cell");
            title.getStyleClass().add("job-title");
            line.getStyleClass().add("job-line");
            bar.setMaxWidth(Double.MAX_VALUE);
            line.setMinWidth(0); // ellipsize rather than scroll sideways
            setPrefWidth(0);
        }

        @Override
        protected void updateItem(JobRow row, boolean empty) {
            super.updateItem(row, empty);
            title.textProperty().unbind();
            line.textProperty().unbind();
            bar.progressProperty().unbind();
            if (empty || row == null) {
                setGraphic(null);
            } else {
                title.textProperty().bind(row.titleProperty());
                line.textProperty().bind(row.lineProperty());
                bar.progressProperty().bind(row.fractionProperty());
                setGraphic(box);
            }
        }
    }
}
