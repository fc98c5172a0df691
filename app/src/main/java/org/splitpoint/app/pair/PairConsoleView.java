package org.splitpoint.app.pair;

import javafx.beans.binding.Bindings;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Slider;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Rectangle;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.common.StopConfirmDialog;
import org.splitpoint.app.common.TypedConfirmDialog;
import org.splitpoint.app.workload.WorkloadViewModel;
import org.splitpoint.engine.pool.BcvWrites;
import org.splitpoint.engine.pool.StdWrites;

/**
 * The pair console: STD ⇄ BCV with the state and the running direction, Establish / Split /
 * Restore with Full and Protect, the copy's progress with throttle, pause and cancel, the live track
 * map with the on-demand reads from the BCV, and the STD's host workload ("verified N blocks, 0
 * errors"), so a restore under load can be seen to lose nothing. FXML: PairConsoleView.fxml.
 */
public final class PairConsoleView extends VBox implements org.splitpoint.app.common.Shown {

    @FXML private javafx.scene.layout.HBox header;
    @FXML private Label pairTitle;
    @FXML private PairDiagram diagram;
    @FXML private Button establishPair;
    @FXML private Button splitPair;
    @FXML private Button restorePair;
    @FXML private StackPane establishWrap;
    @FXML private StackPane splitWrap;
    @FXML private StackPane restoreWrap;
    @FXML private RadioButton copyIncremental;
    @FXML private RadioButton copyFull;
    @FXML private CheckBox protectBcv;
    @FXML private Label meaning;
    @FXML private Label pointInTime;
    @FXML private ProgressBar copyProgress;
    @FXML private Label copyProgressText;
    @FXML private Button pauseCopy;
    @FXML private Button cancelCopy;
    @FXML private StackPane pauseWrap;
    @FXML private StackPane cancelWrap;
    @FXML private Slider throttle;
    @FXML private Label throttleText;
    @FXML private Label mapInfo;
    @FXML private Label onDemand;
    @FXML private TrackMapCanvas trackMap;
    @FXML private FlowPane legend;
    @FXML private Label hoverInfo;
    @FXML private Label workloadTitle;
    @FXML private Label workloadVerify;
    @FXML private Label workloadIo;
    @FXML private Button workloadToggle;
    private PairConsoleViewModel model;

    public PairConsoleView() {
        Fxml.load(this, "PairConsoleView");
    }

    /**
     * Buttons of other features (Delete pair…) at the end of the header, which Tab passes by: first in
     * the scene, the one destructive action was a keyboard user's first stop in the console, before
     * Establish and Split (PairConsoleTabOrderFxTest). It is on the Pair menu (Alt+P) and under the mouse.
     */
    public void addHeaderActions(javafx.scene.Node... actions) {
        for (javafx.scene.Node a : actions) {
            a.setFocusTraversable(false);
            a.lookupAll(".button").forEach(b -> b.setFocusTraversable(false));
        }
        header.getChildren().addAll(actions);
    }

    /** {@code loads} gives a volume's workload: the STD's is shown once the pair's STD is known. */

    public void bind(PairConsoleViewModel vm, java.util.function.Function<String, WorkloadViewModel> loads) {
        this.model = vm;
        pairTitle.setText("Pair " + vm.name());
        // the model may know the pair already (a console bound again after switching pools and
        // back): show what it has now, not only what changes later
        java.util.function.Consumer<org.splitpoint.engine.pool.PairAdmin.PairView> names = now -> {
            if (now != null) {
                diagram.setNames(now.std(), now.bcv());
            }
        };
        vm.viewProperty().addListener((o, was, now) -> names.accept(now));
        names.accept(vm.viewProperty().get());
        Runnable state = () -> diagram.show(vm.lookProperty().get(), vm.stateProperty().get(), vm.directionProperty().get());
        vm.stateProperty().addListener(o -> state.run());
        vm.lookProperty().addListener(o -> state.run());
        vm.directionProperty().addListener(o -> state.run());
        state.run();
        Runnable invalid = () -> diagram.setInvalid(vm.stdInvalidProperty().get(), vm.bcvInvalidProperty().get());
        vm.stdInvalidProperty().addListener(o -> invalid.run());
        vm.bcvInvalidProperty().addListener(o -> invalid.run());
        invalid.run();
        meaning.textProperty().bind(vm.meaningProperty());
        pointInTime.textProperty().bind(vm.pointInTimeProperty());
        // always in the layout, saying there is no image when there is none: shown only with one, the line
        // pushed the verbs below it down ~21 px at a split, under the mouse that had just clicked Split
        Runnable imageLook = () -> pointInTime.pseudoClassStateChanged(NO_IMAGE, !vm.holdsImageProperty().get());
        vm.holdsImageProperty().addListener(o -> imageLook.run());
        imageLook.run();
        javafx.animation.Timeline ages = new javafx.animation.Timeline(new javafx.animation.KeyFrame(
                javafx.util.Duration.seconds(1), e -> vm.tick(java.time.Instant.now()))); // the image's age moves
        ages.setCycleCount(javafx.animation.Animation.INDEFINITE);
        ages.play();

        Actions.bind(establishPair, establishWrap, vm.establishBlockedProperty(),
                "Copy the STD to the BCV (only the invalid tracks unless Full), then keep mirroring. (Ctrl+E)");
        Actions.bind(splitPair, splitWrap, vm.splitBlockedProperty(),
                "Split at once: the BCV keeps this instant's image and both sides become independent. (Ctrl+Shift+S)");
        Actions.bind(restorePair, restoreWrap, vm.restoreBlockedProperty(),
                "Copy the BCV back to the STD; hosts keep working, unrestored reads come from the BCV. (Ctrl+R)");
        copyFull.setSelected(vm.fullProperty().get());
        copyIncremental.setSelected(!vm.fullProperty().get());
        copyFull.selectedProperty().addListener((o, was, now) -> vm.fullProperty().set(now));
        protectBcv.selectedProperty().bindBidirectional(vm.protectProperty());

        CopyControl copy = vm.copy();
        copyProgress.progressProperty().bind(copy.progressProperty());
        copyProgressText.textProperty().bind(copy.progressTextProperty());
        Actions.ignoreSecondClick(pauseCopy);
        pauseCopy.textProperty().bind(Bindings.when(copy.pausedProperty()).then("Resume").otherwise("Pause"));
        Actions.bind(pauseCopy, pauseWrap, copy.pauseBlockedProperty(), "Pause the copy, or resume it; it keeps its place.");
        Actions.bind(cancelCopy, cancelWrap, copy.cancelBlockedProperty(),
                "Stop the copy; the pair is Split with the tracks not copied still invalid.");
        pauseCopy.setOnAction(e -> copy.pauseOrResume());
        cancelCopy.setOnAction(e -> confirmCancel(copy));
        bindThrottle(copy);

        onDemand.textProperty().bind(vm.onDemandProperty());
        vm.sampleProperty().addListener((o, was, now) -> {
            trackMap.show(now);
            mapInfo.setText(mapLine(now));
        });
        hoverInfo.textProperty().bind(Bindings.when(Bindings.isEmpty(trackMap.hoverTextProperty()))
                .then("Hover over the map to see a cell's tracks.").otherwise(trackMap.hoverTextProperty()));
        fillLegend();
        Palette.dark().addListener(o -> fillLegend());

        if (vm.viewProperty().get() != null) {
            bindWorkload(loads.apply(vm.viewProperty().get().std()));
        } else {
            vm.viewProperty().addListener(new javafx.beans.value.ChangeListener<>() {
                @Override
                public void changed(javafx.beans.value.ObservableValue<? extends org.splitpoint.engine.pool.PairAdmin.PairView> o,
                                    org.splitpoint.engine.pool.PairAdmin.PairView was,
                                    org.splitpoint.engine.pool.PairAdmin.PairView now) {
                    if (now != null) {
                        vm.viewProperty().removeListener(this);
                        bindWorkload(loads.apply(now.std()));
                    }
                }
            });
        }
    }

    /** Cancelling asks first; keeping the copy running is the default (Enter, Escape). */
    private void confirmCancel(CopyControl copy) {
        String what = copy.runningKind();
        if (what == null || !copy.cancelBlockedProperty().get().isEmpty()) {
            return;
        }
        var p = model.viewProperty().get();
        String consequence = "restore".equals(what)
                ? "The pair becomes Split; " + p.std() + " keeps a partly restored image: the tracks not restored yet"
                + " hold what was written to it since the split. Restore again to finish."
                : "The pair stays SyncInProg: " + p.bcv() + " keeps a partly copied image, no point-in-time copy to"
                + " split or restore from. Establish again to finish.";
        // the percent follows the copy while the dialog is open (it said 61% over a bar at 72%), and the
        // dialog goes when the copy ends meanwhile
        javafx.beans.binding.StringBinding header = Bindings.createStringBinding(() -> "Cancel the " + what + " of "
                + model.name() + " (" + (int) Math.floor(copy.progressProperty().get() * 100) + "% done)?",
                copy.progressProperty());
        if (StopConfirmDialog.ask(getScene().getWindow(), "Cancel " + what + " of " + model.name(), header,
                new javafx.beans.property.SimpleObjectProperty<>(java.util.List.of(consequence)), "Cancel " + what,
                "Keep running", Bindings.not(copy.runningProperty()))) {
            copy.cancel();
        }
    }

    private static final javafx.css.PseudoClass ERRORS = javafx.css.PseudoClass.getPseudoClass("errors");
    private static final javafx.css.PseudoClass NO_IMAGE = javafx.css.PseudoClass.getPseudoClass("no-image");
    /** The shown workload's "has errors", bound anew when the console shows another STD's workload. */
    private javafx.beans.property.BooleanProperty workloadErrors;

    private void bindWorkload(WorkloadViewModel stdLoad) {
        {
            workloadTitle.setText("Host workload on " + stdLoad.volume() + ":");
            workloadVerify.textProperty().bind(stdLoad.verifyLineProperty());
            // red from the first error, as the volume page's line (WorkloadView); it stayed bold green here
            if (workloadErrors != null) {
                workloadErrors.unbind();
            }
            workloadErrors = new javafx.beans.property.SimpleBooleanProperty();
            workloadErrors.addListener((o, was, now) -> workloadVerify.pseudoClassStateChanged(ERRORS, now));
            workloadErrors.bind(stdLoad.errorsStandProperty()); // not for errors a repair settled
            workloadVerify.pseudoClassStateChanged(ERRORS, workloadErrors.get());
            workloadIo.textProperty().bind(stdLoad.ioLineProperty());
            workloadToggle.textProperty().bind(Bindings.when(stdLoad.runningProperty()).then("Stop").otherwise("Start"));
            workloadToggle.setOnAction(e -> {
                if (stdLoad.runningProperty().get()) {
                    stdLoad.stop();
                } else {
                    stdLoad.start();
                }
            });
        }
    }

    private void bindThrottle(CopyControl copy) {
        ThrottleSlider.bind(throttle, throttleText, copy.throttleProperty());
    }

    private static String mapLine(TrackSample s) {
        if (s == null) {
            return "";
        }
        return Format.tracks(s.cells().tracks()) + " × " + Format.size((long) s.trackSize());
    }

    private void fillLegend() {
        Palette p = Palette.current();
        legend.getChildren().clear();
        for (CellState s : CellState.values()) {
            legend.getChildren().add(swatch(TrackMapCanvas.colourOf(p, s), s.word()));
        }
        legend.getChildren().add(swatch(p.flash(), "read on demand from the BCV (flash)"));
    }

    private static HBox swatch(javafx.scene.paint.Color c, String word) {
        Rectangle r = new Rectangle(12, 12, c);
        r.getStyleClass().add("legend-swatch");
        HBox box = new HBox(4, r, new Label(word));
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return box;
    }

    // ---- actions (buttons, and the main menu's accelerators)

    /** Starts the sampling while the console is shown; stop it when hidden. */
    @Override
    public void shown(boolean on) {
        if (on) {
            model.startSampling();
        } else {
            model.stopSampling();
        }
    }

    @FXML
    public void establish() {
        if (!model.establishBlockedProperty().get().isEmpty()) {
            return;
        }
        model.establishConfirmation(c -> {
            if (c == null) {
                model.establish(BcvWrites.REFUSE_IF_ANY); // nothing asked, nothing agreed to
            } else if (getScene() != null) {
                BcvWrites agreed = establishConfirmed(c);
                if (agreed != null) {
                    model.establish(agreed);
                }
            }
        });
    }

    /**
     * One click for an establish that loses only the BCV's point-in-time image; the BCV's name typed for
     * one that also loses what hosts wrote to the BCV since the split, also when such a write comes while
     * the one-click question is open (it closes, and the typed one asks). The pair's rule follows it while
     * a dialog is open: refused meanwhile, it says so instead of asking. Returns what the answer agreed to
     * (null: cancelled): one click none of the BCV's writes — one that lands after the click is the
     * engine's to refuse, not to overwrite —, the name typed all of them.
     */
    private BcvWrites establishConfirmed(javafx.beans.value.ObservableValue<org.splitpoint.app.common.Confirmation> c) {
        javafx.stage.Window owner = getScene().getWindow();
        if (!c.getValue().asksName()) {
            boolean clicked = org.splitpoint.app.common.ClickConfirmDialog.ask(owner, c, model.establishBlockedProperty());
            if (clicked) {
                return BcvWrites.REFUSE_IF_ANY; // not c's value now: a write after the click turns it into the typed one
            }
            if (c.getValue() == null || !c.getValue().asksName()) {
                return null;
            }
        }
        return TypedConfirmDialog.ask(owner, c, null, model.establishBlockedProperty()) ? BcvWrites.MAY_BE_OVERWRITTEN : null;
    }

    @FXML
    public void split() {
        model.split(); // a split overwrites nothing: no question asked
    }

    @FXML
    public void restore() {
        if (!model.restoreBlockedProperty().get().isEmpty()) {
            return;
        }
        model.restoreConfirmation(c -> {
            // the dialog opens after the engine counted the tracks, and stays open while hosts and other
            // verbs go on: a restore refused meanwhile (the pair established again, its BCV being restored
            // from a backup) says why above the name's field instead of asking a name typed in vain
            if (c == null) {
                model.restore(StdWrites.REFUSE_IF_ANY); // nothing asked, nothing agreed to
            } else if (getScene() != null && TypedConfirmDialog.ask(getScene().getWindow(), c, null,
                    model.restoreBlockedProperty())) {
                model.restore(StdWrites.MAY_BE_OVERWRITTEN); // the STD's name typed
            }
        });
    }

    /** The state word shown (tests). */
    public String shownState() {
        return diagram.stateText();
    }

    public PairConsoleViewModel model() {
        return model;
    }

    public TrackMapCanvas trackMap() {
        return trackMap;
    }
}
