package org.splitpoint.app.pool;

import javafx.beans.binding.Bindings;
import javafx.css.PseudoClass;
import javafx.fxml.FXML;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.app.drives.DrivesView;
import org.splitpoint.app.events.EventsView;
import org.splitpoint.app.jobs.JobsView;
import org.splitpoint.app.volumes.VolumesView;

/** The main window's content: drives, volumes, jobs, events and the status bar. FXML: PoolView.fxml. */
public final class PoolView extends BorderPane {

    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");

    @FXML private Label poolPath;
    @FXML private DrivesView drivesView;
    @FXML private VolumesView volumesView;
    @FXML private JobsView jobsView;
    @FXML private EventsView eventsView;
    @FXML private StateBadge healthBadge;
    @FXML private Label summary;
    @FXML private Label problems;
    @FXML private Label statusMessage;

    public PoolView() {
        Fxml.load(this, "PoolView");
    }

    /** Puts the keyboard focus on the drives table, where the actions start. */
    public void focusDrives() {
        drivesView.focusTable();
    }

    public void bind(PoolViewModel vm) {
        drivesView.bind(vm.drives());
        volumesView.bind(vm.volumes());
        jobsView.bind(vm.jobs());
        eventsView.bind(vm.events());
        poolPath.textProperty().bind(vm.poolPathProperty());
        vm.healthProperty().addListener((o, was, now) -> healthBadge.show(now == null ? null : StateLook.of(now)));
        summary.textProperty().bind(vm.summaryProperty());
        problems.textProperty().bind(vm.problemsProperty());
        problems.visibleProperty().bind(Bindings.isNotEmpty(vm.problemsProperty()));
        problems.managedProperty().bind(problems.visibleProperty());
        ActionStatus status = vm.status();
        statusMessage.textProperty().bind(status.messageProperty());
        status.kindProperty().addListener((o, was, now) ->
                statusMessage.pseudoClassStateChanged(ERROR, now == ActionStatus.Kind.ERROR));
    }
}
