package org.splitpoint.app.restore;

import javafx.beans.binding.Bindings;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Slider;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.common.TypedConfirmDialog;
import org.splitpoint.app.pair.CopyControl;

/**
 * An instant restore: the image restored, the bulk copy's progress with pause, cancel (the volume's
 * name typed: it stays partly restored) and throttle, the overwrite map with its legend and hover
 * line, the on-demand fetch counter and the two rate charts; on a FAILED volume the banner offering
 * a restore. FXML: InstantRestoreView.fxml.
 */
public final class InstantRestoreView extends VBox implements org.splitpoint.app.common.Shown {

    @FXML private Label restoreTitle;
    @FXML private Label imageLine;
    @FXML private RestoreBanner banner;
    @FXML private ProgressBar restoreProgress;
    @FXML private Label restoreProgressText;
    @FXML private Button pauseBulk;
    @FXML private StackPane pauseWrap;
    @FXML private Button cancelRestore;
    @FXML private StackPane cancelWrap;
    @FXML private Slider throttle;
    @FXML private Label throttleText;
    @FXML private Label mapInfo;
    @FXML private Label onDemand;
    @FXML private RestoreMapCanvas restoreMap;
    @FXML private FlowPane legend;
    @FXML private Label hoverInfo;
    @FXML private RateChart fetchChart;
    @FXML private RateChart bulkChart;
    private InstantRestoreViewModel model;

    public InstantRestoreView() {
        Fxml.load(this, "InstantRestoreView");
    }

    /** {@code openRestore} and {@code openRebuild} open the restore and rebuild dialogs (the banner's button). */
    public void bind(InstantRestoreViewModel vm, Runnable openRestore, Runnable openRebuild) {
        this.model = vm;
        RebuildOffer rebuild = vm.rebuild();
        // a rebuild from backup + journal is an instant restore with the journal's entries on top: same map, its own name
        restoreTitle.textProperty().bind(Bindings.when(rebuild.rebuildingProperty())
                .then("Rebuild of " + vm.volume() + " from backup + journal").otherwise("Instant restore of " + vm.volume()));
        var line = Bindings.createStringBinding(() -> vm.imageLineProperty().get()
                + (rebuild.journalLineProperty().get().isEmpty() || vm.imageLineProperty().get().isEmpty() ? ""
                : ", " + rebuild.journalLineProperty().get()), vm.imageLineProperty(), rebuild.journalLineProperty());
        imageLine.textProperty().bind(line);
        imageLine.visibleProperty().bind(Bindings.isNotEmpty(vm.imageLineProperty()));
        imageLine.managedProperty().bind(imageLine.visibleProperty());
        mapInfo.setText("shows which tracks are current once a restore runs");
        banner.bind(vm, openRestore, openRebuild, null);
        restoreProgress.progressProperty().bind(vm.progressProperty());
        restoreProgressText.textProperty().bind(vm.progressTextProperty());
        javafx.scene.control.Tooltip whole = new javafx.scene.control.Tooltip(); // the line is cut to the pane's width
        whole.setWrapText(true);
        whole.setMaxWidth(520);
        whole.textProperty().bind(vm.progressTextProperty());
        restoreProgressText.setTooltip(whole);
        BulkControl bulk = vm.bulk();
        Actions.ignoreSecondClick(pauseBulk);
        pauseBulk.textProperty().bind(Bindings.when(bulk.pausedProperty()).then("Resume").otherwise("Pause"));
        Actions.bind(pauseBulk, pauseWrap, bulk.pauseBlockedProperty(),
                "Pause the bulk copy, or resume it; reads of tracks not yet restored are still fetched on demand.");
        Actions.bind(cancelRestore, cancelWrap, bulk.cancelBlockedProperty(),
                "End the restore now (asks for the volume's name): the volume stays partly restored.");
        bindThrottle(bulk);
        throttle.disableProperty().bind(bulk.runningProperty().not()); // the next restore's is set in its dialog
        onDemand.textProperty().bind(vm.onDemandProperty());
        vm.sampleProperty().addListener((o, was, now) -> {
            restoreMap.show(now);
            mapInfo.setText(now == null ? "" : Format.tracks(now.totalTracks()) + " × " + Format.size((long) now.trackSize())
                    + " · " + Format.count(now.currentTracks()) + " current");
        });
        hoverInfo.textProperty().bind(Bindings.when(Bindings.isEmpty(restoreMap.hoverTextProperty()))
                .then("Hover over the map to see a cell's tracks.").otherwise(restoreMap.hoverTextProperty()));
        fetchChart.show(vm.fetchRates(), v -> String.format(java.util.Locale.ROOT, "%.0f/s", v), Palette::read, 10);
        bulkChart.show(vm.bulkRates(), Format::rate, Palette::restored, 1e6);
        vm.tickProperty().addListener(o -> {
            fetchChart.redraw();
            bulkChart.redraw();
        });
        fillLegend();
        Palette.dark().addListener(o -> fillLegend());
    }

    private void bindThrottle(BulkControl bulk) {
        org.splitpoint.app.pair.ThrottleSlider.bind(throttle, throttleText, bulk.throttleProperty());
    }

    private void fillLegend() {
        legend.getChildren().setAll(RestoreMapCanvas.legend(Palette.current(), RestoreCellState.EARLIER.word()));
    }

    // ---- actions

    /** Samples the map while the view is shown. */
    @Override
    public void shown(boolean on) {
        if (on) {
            model.startSampling();
        } else {
            model.stopSampling();
        }
    }

    @FXML
    public void pauseOrResume() {
        model.bulk().pauseOrResume();
    }

    @FXML
    public void cancel() {
        // the restore may end while the dialog is open: it then says so and its action stays disabled
        // (it went on asking to cancel a restore that had finished)
        javafx.beans.binding.StringBinding ended = javafx.beans.binding.Bindings.createStringBinding(
                () -> model.bulk().cancelBlockedProperty().get().isEmpty() ? ""
                        : "The restore ended: there is nothing left to cancel.", model.bulk().cancelBlockedProperty());
        if (model.bulk().cancelBlockedProperty().get().isEmpty()
                && TypedConfirmDialog.ask(getScene().getWindow(), model.cancelConfirmationLive(), null, ended)) {
            model.bulk().cancel();
        }
    }

    public InstantRestoreViewModel model() {
        return model;
    }

    public RestoreMapCanvas map() {
        return restoreMap;
    }
}
