package org.splitpoint.app.volumes;

import javafx.beans.binding.Bindings;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.workload.WorkloadView;

/**
 * One volume: state with the reason, layout diagram (drives, where parity lives), size and pair
 * role, verify with the mismatch count, its snapshots (the timeline, and the map of a restore to a
 * snapshot), its staged backup journal, the last minute of throughput, and its host workload.
 * FXML: VolumeView.fxml.
 */
public final class VolumeView extends VBox implements org.splitpoint.app.common.Shown {

    @FXML private javafx.scene.layout.HBox header;
    @FXML private Label volumeName;
    @FXML private StateBadge stateBadge;
    @FXML private Label stateReason;
    @FXML private Label layoutText;
    @FXML private Label sizeText;
    @FXML private Label roleText;
    @FXML private LayoutDiagram layoutDiagram;
    @FXML private Button verifyVolume;
    @FXML private StackPane verifyWrap;
    @FXML private javafx.scene.layout.HBox verifyRow;
    @FXML private ProgressBar verifyProgress;
    @FXML private Label verifyResult;
    @FXML private ThroughputChart chart;
    @FXML private Label rateLine;
    @FXML private WorkloadView workloadView;
    @FXML private org.splitpoint.app.restore.RestoreBanner restoreBanner;
    @FXML private ProblemBanner problemBanner;
    @FXML private org.splitpoint.app.restore.RestoreBanner snapshotBanner;
    @FXML private org.splitpoint.app.journal.JournalCard journalCard;
    @FXML private org.splitpoint.app.snapshot.SnapshotCard snapshotCard;

    public VolumeView() {
        Fxml.load(this, "VolumeView");
    }

    /** Buttons of other features (Delete volume…) at the right of the header. */
    /** Beside Verify, before its progress: what else acts on the check (Repair…). */
    public void addVerifyActions(javafx.scene.Node... actions) {
        verifyRow.getChildren().addAll(verifyRow.getChildren().indexOf(verifyWrap) + 1, java.util.List.of(actions));
    }

    public void addHeaderActions(javafx.scene.Node... actions) {
        javafx.scene.layout.Region gap = new javafx.scene.layout.Region();
        javafx.scene.layout.HBox.setHgrow(gap, javafx.scene.layout.Priority.ALWAYS);
        header.getChildren().add(gap);
        header.getChildren().addAll(actions);
    }

    public void bind(VolumeViewModel vm) {
        volumeName.setText("Volume " + vm.name());
        vm.lookProperty().addListener((o, was, now) -> stateBadge.show(now));
        if (vm.lookProperty().get() != null) {
            stateBadge.show(vm.lookProperty().get());
        }
        stateReason.textProperty().bind(vm.reasonProperty());
        // the badge says the state already; the line adds the why ("d3 FAILED") when there is one
        stateReason.visibleProperty().bind(Bindings.createBooleanBinding(() -> !vm.reasonProperty().get().isEmpty(),
                vm.reasonProperty()));
        layoutText.textProperty().bind(vm.layoutProperty());
        sizeText.textProperty().bind(vm.sizeProperty());
        roleText.textProperty().bind(vm.roleProperty());
        Runnable diagram = () -> layoutDiagram.show(vm.layoutKindProperty().get(), vm.membersProperty().get(),
                vm.placementProperty().get());
        vm.membersProperty().addListener(o -> diagram.run());
        vm.placementProperty().addListener(o -> diagram.run());
        vm.layoutKindProperty().addListener(o -> diagram.run());
        diagram.run();

        verifyVolume.setOnAction(e -> vm.verify());
        Actions.bind(verifyVolume, verifyWrap, vm.verifyBlockedProperty(),
                "Read every stripe and check its mirrors or parity, as a drill's last step does; counts mismatched"
                        + " sectors, rewrites nothing.");
        verifyProgress.progressProperty().bind(vm.verifyFractionProperty());
        verifyProgress.visibleProperty().bind(Bindings.greaterThanOrEqual(vm.verifyFractionProperty(), 0));
        verifyResult.textProperty().bind(vm.verifyResultProperty());

        chart.show(vm.rates());
        vm.tickProperty().addListener(o -> chart.redraw());
        rateLine.textProperty().bind(vm.rateLineProperty());
        workloadView.bind(vm.workload());
    }

    /**
     * The banner of a FAILED volume ({@code restore} or {@code rebuild} opens its dialog) or of one being
     * restored or rebuilt ({@code show} goes there).
     */
    public void bindRestore(org.splitpoint.app.restore.InstantRestoreViewModel vm, Runnable restore, Runnable rebuild,
                            Runnable show) {
        restoreBanner.bind(vm, restore, rebuild, show);
    }

    /** The volume's snapshot card. */
    public void bindSnapshots(org.splitpoint.app.snapshot.SnapshotCardViewModel vm) {
        snapshotCard.bind(vm);
        var r = vm.restore();
        snapshotBanner.bindRunning(r.runningProperty(), Bindings.concat("Being restored to snapshot ", r.snapshotProperty(),
                ": ", r.progressTextProperty()), "Show the restore", "showSnapshotRestore", snapshotCard::revealRestore);
    }

    /** The snapshot card (its restore's map is sampled while the page is shown). */
    public org.splitpoint.app.snapshot.SnapshotCard snapshotCard() {
        return snapshotCard;
    }

    @Override
    public void shown(boolean on) {
        snapshotCard.shown(on);
    }

    /** The banner of the volume's data problem, with Repair. */
    public void bindProblem(VolumeProblemViewModel vm) {
        problemBanner.bind(vm);
    }

    /** The volume's staged backup journal card. */
    public void bindJournal(org.splitpoint.app.journal.JournalCardViewModel vm) {
        journalCard.bind(vm);
    }
}
