package org.splitpoint.app.snapshot;

import java.util.List;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.css.PseudoClass;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.common.Reveal;
import org.splitpoint.app.common.Shown;
import org.splitpoint.app.common.StopConfirmDialog;
import org.splitpoint.app.common.TypedConfirmDialog;
import org.splitpoint.app.journal.Gauge;
import org.splitpoint.app.journal.LimitGauge;
import org.splitpoint.app.restore.BulkControl;
import org.splitpoint.app.restore.RestoreMapCanvas;
import org.splitpoint.app.restore.ThrottleChoice;

/**
 * The snapshot card on a volume's page ({@link SnapshotCardViewModel}): the timeline with the
 * selected snapshot described under it, the save area's gauge, "Take snapshot…", "Restore…" (the
 * engine's plan, the safety snapshot, the volume's name typed) and "Delete…" (the snapshot's name
 * typed); with no save area one sentence and "Use a volume as save area…". During a restore to a
 * snapshot its track map on the instant restore's canvas, progress with rate and ETA, Pause and
 * "Cancel restore…" (asks, "Keep restoring" the default). FXML: SnapshotCard.fxml. Ids:
 * {@code #takeSnapshot}, {@code #restoreSnapshot}, {@code #deleteSnapshot}, {@code #useSaveArea},
 * {@code #snapshotTimeline}, {@code #selectedLine}, {@code #saveAreaGauge}, {@code #restorePane},
 * {@code #restoreProgressText}, {@code #restoreMapInfo}, {@code #restoreOnDemand}, {@code #restoreMap},
 * {@code #pauseRestore}, {@code #cancelRestore}, {@code #dismissRestore}, {@code #safetySnapshot} (in the restore dialog).
 */
public final class SnapshotCard extends VBox implements Shown {

    private static final PseudoClass INVALID = PseudoClass.getPseudoClass("invalid");
    /** What the restore's map calls the tracks it never owed. */
    static final String UNCHANGED = "unchanged since the snapshot";

    @FXML private Label snapshotSummary;
    @FXML private Label snapshotHeadline;
    @FXML private Label snapshotBlocked;
    @FXML private SnapshotTimelineView timeline;
    @FXML private Label selectedLine;
    @FXML private Label snapshotRefused;
    @FXML private HBox saveAreaRow;
    @FXML private Label saveAreaName;
    @FXML private LimitGauge saveAreaGauge;
    @FXML private Button useSaveArea;
    @FXML private StackPane saveAreaWrap;
    @FXML private Button takeSnapshot;
    @FXML private StackPane takeWrap;
    @FXML private Button restoreSnapshot;
    @FXML private StackPane restoreWrap;
    @FXML private Button deleteSnapshot;
    @FXML private StackPane deleteWrap;
    @FXML private VBox restorePane;
    @FXML private Label restoreTitle;
    @FXML private Label safetyLine;
    @FXML private ProgressBar restoreProgress;
    @FXML private Label restoreProgressText;
    @FXML private Label restoreMapInfo;
    @FXML private Label restoreOnDemand;
    @FXML private RestoreMapCanvas restoreMap;
    @FXML private FlowPane restoreLegend;
    @FXML private Label restoreHover;
    @FXML private Button pauseRestore;
    @FXML private StackPane pauseWrap;
    @FXML private Button cancelRestore;
    @FXML private StackPane cancelWrap;
    @FXML private Button dismissRestore;
    private final Timeline ages = new Timeline(new KeyFrame(Duration.seconds(5), e -> tickAges()));
    private SnapshotCardViewModel model;

    public SnapshotCard() {
        Fxml.load(this, "SnapshotCard");
        ages.setCycleCount(Animation.INDEFINITE);
    }

    public void bind(SnapshotCardViewModel vm) {
        this.model = vm;
        snapshotSummary.textProperty().bind(vm.summaryProperty());
        // a narrow page keeps the buttons whole: the count is on the timeline anyway
        collapse(snapshotSummary, widthProperty().greaterThan(620));
        snapshotHeadline.textProperty().bind(vm.headlineProperty());
        collapse(snapshotHeadline, Bindings.isNotEmpty(vm.headlineProperty()));
        // with no save area, why none can be made from here is said on the card, not only in the tooltip
        snapshotBlocked.textProperty().bind(Bindings.when(vm.modeProperty().isEqualTo(SnapshotCardViewModel.Mode.NO_SAVE_AREA))
                .then(vm.saveAreaBlockedProperty()).otherwise(""));
        collapse(snapshotBlocked, Bindings.isNotEmpty(snapshotBlocked.textProperty()));
        timeline.setOnSelect(vm::select);
        Runnable showAxis = () -> timeline.show(vm.axisProperty().get(), vm.selectedProperty().get());
        vm.axisProperty().addListener(o -> showAxis.run());
        vm.selectedProperty().addListener(o -> showAxis.run());
        showAxis.run();
        selectedLine.textProperty().bind(vm.selectedLineProperty());
        vm.selectedInvalidProperty().addListener((o, was, now) -> selectedLine.pseudoClassStateChanged(INVALID, now));
        snapshotRefused.textProperty().bind(vm.refusedProperty());
        collapse(snapshotRefused, Bindings.isNotEmpty(vm.refusedProperty()));
        saveAreaName.textProperty().bind(vm.saveAreaNameProperty());
        vm.gaugeProperty().addListener((o, was, now) -> showGauge(now));
        showGauge(vm.gaugeProperty().get());
        Tooltip tip = new Tooltip();
        tip.textProperty().bind(vm.saveAreaHintProperty());
        tip.setWrapText(true);
        tip.setMaxWidth(420);
        tip.setShowDelay(Duration.millis(300));
        Tooltip.install(saveAreaRow, tip);
        vm.modeProperty().addListener((o, was, now) -> showMode());
        vm.axisProperty().addListener(o -> {
            showMode();
            showTone();
        });
        showMode();

        Actions.bind(useSaveArea, saveAreaWrap, vm.saveAreaBlockedProperty(), "Give a volume of its own over to the"
                + " tracks snapshots keep (asks which, then for its name).");
        Actions.bind(takeSnapshot, takeWrap, vm.takeBlockedProperty(), "Take a snapshot of the volume now (asks for its"
                + " name; one is proposed from the time).");
        Actions.bind(restoreSnapshot, restoreWrap, vm.restoreBlockedProperty(), "Restore the volume to the selected"
                + " snapshot: shows what changes, offers a safety snapshot, asks for the volume's name.");
        Actions.bind(deleteSnapshot, deleteWrap, vm.deleteBlockedProperty(), "Delete the selected snapshot (asks for its"
                + " name); the tracks it holds go back to the save area.");
        bindRestore(vm.restore());
    }

    private void bindRestore(SnapshotRestoreViewModel r) {
        collapse(restorePane, r.visibleProperty());
        r.visibleProperty().addListener((o, was, now) -> {
            if (now) {
                javafx.application.Platform.runLater(this::revealRestore); // once it is laid out
            }
        });
        restoreTitle.textProperty().bind(r.titleProperty());
        safetyLine.textProperty().bind(r.safetyLineProperty());
        collapse(safetyLine, Bindings.isNotEmpty(r.safetyLineProperty()));
        restoreProgress.progressProperty().bind(r.progressProperty());
        restoreProgressText.textProperty().bind(r.progressTextProperty());
        restoreMapInfo.textProperty().bind(r.mapInfoProperty());
        restoreOnDemand.textProperty().bind(r.onDemandProperty());
        restoreMap.setEarlierWord(UNCHANGED);
        r.sampleProperty().addListener((o, was, now) -> restoreMap.show(now));
        restoreMap.show(r.sampleProperty().get());
        restoreHover.textProperty().bind(Bindings.when(Bindings.isEmpty(restoreMap.hoverTextProperty()))
                .then("Hover over the map to see a cell's tracks.").otherwise(restoreMap.hoverTextProperty()));
        BulkControl bulk = r.bulk();
        Actions.ignoreSecondClick(pauseRestore);
        pauseRestore.textProperty().bind(Bindings.when(bulk.pausedProperty()).then("Resume").otherwise("Pause"));
        Actions.bind(pauseRestore, pauseWrap, bulk.pauseBlockedProperty(), "Pause the copy back, or resume it; reads of"
                + " tracks not yet restored are still served from the snapshot.");
        Actions.bind(cancelRestore, cancelWrap, bulk.cancelBlockedProperty(), "End the restore now (asks first): the"
                + " volume stays partly restored.");
        collapse(pauseWrap, r.runningProperty());
        collapse(cancelWrap, r.runningProperty());
        collapse(dismissRestore, r.runningProperty().not());
        fillLegend();
        Palette.dark().addListener(o -> fillLegend());
    }

    private void fillLegend() {
        restoreLegend.getChildren().setAll(RestoreMapCanvas.legend(Palette.current(), UNCHANGED));
    }

    private static void collapse(Node n, javafx.beans.value.ObservableValue<Boolean> shown) {
        n.visibleProperty().bind(shown);
        n.managedProperty().bind(n.visibleProperty());
    }

    private void showMode() {
        SnapshotCardViewModel.Mode m = model.modeProperty().get();
        boolean timelineMode = m == SnapshotCardViewModel.Mode.SNAPSHOTS;
        boolean any = !model.axisProperty().get().points().isEmpty();
        show(timeline, timelineMode && any);
        show(selectedLine, timelineMode && any);
        show(saveAreaRow, m != SnapshotCardViewModel.Mode.NO_SAVE_AREA);
        show(saveAreaWrap, m == SnapshotCardViewModel.Mode.NO_SAVE_AREA);
        for (Node n : List.of(takeWrap, restoreWrap, deleteWrap)) {
            show(n, timelineMode);
        }
        getStyleClass().remove("snapshot-off");
        if (m == SnapshotCardViewModel.Mode.NO_SAVE_AREA) {
            getStyleClass().add("snapshot-off");
        }
    }

    private static void show(Node n, boolean on) {
        n.setVisible(on);
        n.setManaged(on);
    }

    private void showGauge(Gauge g) {
        saveAreaGauge.show(g);
        showTone();
    }

    /** Red while a snapshot is invalid or the save area is past 95%, amber past 80%. */
    private void showTone() {
        Gauge g = model.gaugeProperty().get();
        boolean invalid = model.axisProperty().get().points().stream().anyMatch(p -> !p.valid());
        getStyleClass().removeAll("snapshot-warn", "snapshot-bad");
        if (invalid || g.level() == Gauge.Level.FULL) {
            getStyleClass().add("snapshot-bad");
        } else if (g.level() == Gauge.Level.NEAR) {
            getStyleClass().add("snapshot-warn");
        }
    }

    private void tickAges() {
        if (model != null) {
            model.tick();
        }
    }

    /** Ages move on and the restore's map is sampled while the card is on screen. */
    @Override
    public void shown(boolean on) {
        if (model == null) {
            return;
        }
        if (on) {
            model.tick();
            ages.play();
        } else {
            ages.stop();
        }
        model.restore().setShown(on);
    }

    /**
     * The clicked button is disabled while its action runs; the focus would then move on to the
     * next button of the page and the page scroll there. The card keeps it.
     */
    private void keepFocus() {
        requestFocus();
    }

    // ---- actions

    @FXML
    public void take() {
        if (model.takeBlockedProperty().get().isEmpty()) {
            TakeSnapshotDialog.ask(getScene().getWindow(), model.takeForm());
            timeline.requestFocus();
        }
    }

    @FXML
    public void restore() {
        if (!model.restoreBlockedProperty().get().isEmpty()) {
            return;
        }
        RestoreToSnapshotForm f = model.restoreForm();
        if (f == null) {
            return;
        }
        f.load(() -> confirmRestore(f), why -> { }); // a refusal shows on the card, in the engine's words
    }

    private void confirmRestore(RestoreToSnapshotForm f) {
        CheckBox safety = new CheckBox("Take a safety snapshot of " + f.volume() + " first");
        safety.setId("safetySnapshot");
        safety.selectedProperty().bindBidirectional(f.safetyProperty());
        Label note = new Label();
        note.setId("safetyNote");
        note.getStyleClass().add("form-note");
        note.setWrapText(true);
        note.setMinHeight(Label.USE_PREF_SIZE);
        note.textProperty().bind(f.safetyNoteProperty());
        ThrottleChoice limit = new ThrottleChoice(f.throttleProperty());
        limit.setId("restoreThrottle");
        limit.setMinWidth(ThrottleChoice.USE_PREF_SIZE);
        Label limitKey = new Label("Copy back at");
        limitKey.setMinWidth(Label.USE_PREF_SIZE);
        Label limitNote = new Label("(reads never wait for it)");
        limitNote.getStyleClass().add("form-note");
        limitNote.setMinWidth(0);
        HBox limitRow = new HBox(8, limitKey, limit, limitNote);
        limitRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        limitRow.setPadding(new javafx.geometry.Insets(4, 0, 0, 0));
        VBox extra = new VBox(6, safety, note, limitRow);
        // Restore follows the pool while the dialog is open (a service window opened or closed meanwhile)
        if (TypedConfirmDialog.ask(getScene().getWindow(), f.confirmation(), extra, f.blockedProperty())) {
            keepFocus();
            f.restore();
        }
    }

    @FXML
    public void delete() {
        if (model.deleteBlockedProperty().get().isEmpty()
                && TypedConfirmDialog.ask(getScene().getWindow(), model.deleteConfirmation())) {
            keepFocus();
            model.delete();
        }
    }

    @FXML
    public void useSaveArea() {
        if (model.saveAreaBlockedProperty().get().isEmpty() && SaveAreaDialog.ask(getScene().getWindow(),
                model.saveAreaForm())) {
            keepFocus();
        }
    }

    @FXML
    public void pauseOrResume() {
        model.restore().bulk().pauseOrResume();
    }

    @FXML
    public void cancelRestore() {
        SnapshotRestoreViewModel r = model.restore();
        if (r.bulk().cancelBlockedProperty().get().isEmpty() && StopConfirmDialog.ask(getScene().getWindow(),
                "Cancel restore of " + model.volume(), "Stop restoring " + model.volume() + " to "
                        + r.snapshotProperty().get() + "?", r.cancelSentencesLive(), "Cancel restore", "Keep restoring")) {
            r.cancel();
        }
    }

    @FXML
    public void dismissRestore() {
        model.restore().dismiss();
        keepFocus();
    }

    /** Scrolls the page so that the timeline and the selected snapshot's line are in view. */
    public void revealSelection() {
        Runnable reveal = () -> Reveal.reveal(saveAreaRow.isVisible() ? saveAreaRow : selectedLine);
        reveal.run();
        // again once the timeline took the lanes its labels need (it grows a pulse after the selection)
        javafx.animation.PauseTransition later = new javafx.animation.PauseTransition(Duration.millis(200));
        later.setOnFinished(e -> reveal.run());
        later.play();
    }

    /** Scrolls the page so that the restore's map is in view. */
    public void revealRestore() {
        Reveal.reveal(restorePane);
    }

    public SnapshotCardViewModel model() {
        return model;
    }

    /** The restore's track map (tests). */
    public RestoreMapCanvas map() {
        return restoreMap;
    }

    /** The timeline (tests). */
    public SnapshotTimelineView timeline() {
        return timeline;
    }
}
