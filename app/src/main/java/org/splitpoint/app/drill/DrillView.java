package org.splitpoint.app.drill;

import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Rectangle;
import javafx.util.StringConverter;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.Palette;
import org.splitpoint.app.common.Reveal;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;

/**
 * The Drills view ({@link DrillViewModel}): the plan and Start, the drive's and the volume's state,
 * the timeline ({@link StepLine} per step), the write counter, the window's track map with its
 * legend and hover line, the result card under it (verdict, headline, figures, resync vs full
 * rebuild as bars), the past drills. FXML: DrillView.fxml. Ids: {@code #drillVolume}, {@code #drillDrive},
 * {@code #drillReason}, {@code #drillMode}, {@code #drillWritesFor}, {@code #drillSecond},
 * {@code #drillSecondAfter}, {@code #startDrill}, {@code #endDrill} (shown while a drill runs), {@code #startBlocked}, {@code #drillTitle},
 * {@code #writesCounter}, {@code #step-<n>} (n from 0), {@code #drillMap}, {@code #mapLine},
 * {@code #resultCard}, {@code #verdictBadge}, {@code #resultHeadline}, the figures' ids
 * ({@code #figResynced} …), {@code #drillStopped}, {@code #historyList}.
 */
public final class DrillView extends VBox implements org.splitpoint.app.common.Shown {

    @FXML private ComboBox<String> drillVolume;
    @FXML private ComboBox<String> drillDrive;
    @FXML private ChoiceBox<OfflineReason> drillReason;
    @FXML private ChoiceBox<LogMode> drillMode;
    @FXML private Spinner<Integer> drillWritesFor;
    @FXML private CheckBox drillSecond;
    @FXML private CheckBox drillTestData;
    @FXML private Spinner<Integer> drillSecondAfter;
    @FXML private Button startDrill;
    @FXML private StackPane startWrap;
    @FXML private Button endDrill;
    @FXML private StackPane endWrap;
    @FXML private Label reasonKey;
    @FXML private Label reasonNote;
    @FXML private Label modeKey;
    @FXML private Label modeNote;
    @FXML private Label secondKey;
    @FXML private Label secondNote;
    @FXML private Label startBlocked;
    @FXML private Label drillTitle;
    @FXML private Label writesCounter;
    @FXML private Label driveName;
    @FXML private StateBadge driveBadge;
    @FXML private Label driveLine;
    @FXML private Label volumeName;
    @FXML private StateBadge volumeBadge;
    @FXML private VBox timeline;
    @FXML private Label mapLine;
    @FXML private DrillMapCanvas drillMap;
    @FXML private FlowPane legend;
    @FXML private Label hoverInfo;
    @FXML private VBox resultCard;
    @FXML private StateBadge verdictBadge;
    @FXML private Label resultHeadline;
    @FXML private GridPane figuresGrid;
    @FXML private Label drillStopped;
    @FXML private ListView<DrillHistory.Row> historyList;
    private DrillViewModel model;

    public DrillView() {
        Fxml.load(this, "DrillView");
    }

    public void bind(DrillViewModel vm) {
        this.model = vm;
        DrillPlanForm f = vm.form();
        bindPlan(f);
        Actions.bind(startDrill, startWrap, f.startBlockedProperty(), "Run the drill: the drive goes OFFLINE, the"
                + " reason's steps run under a verified workload, the drive comes back with its delta, every block"
                + " written is read back and the volume verified.");
        startBlocked.textProperty().bind(Bindings.when(vm.runningProperty()).then("").otherwise(f.startBlockedProperty()));
        showWhen(endWrap, vm.runningProperty());
        Actions.bind(endDrill, endWrap, vm.endBlockedProperty(), "End the window now (asks first): the drive comes back"
                + " ONLINE, only its delta is resynced, and everything is verified, as at the window's planned end.");
        // Start disables itself as the drill starts: the focus went to the next control the window could take,
        // Jobs → History, away from the drill. It goes to End drill now, which appears beside Start; once that
        // disables itself (asked, or the drive is back) to the drill's timeline, which takes the focus while a
        // drill runs; and back to Start when the drill ends
        timeline.focusTraversableProperty().bind(vm.runningProperty());
        timeline.setAccessibleRole(javafx.scene.AccessibleRole.LIST_VIEW);
        timeline.accessibleTextProperty().bind(vm.titleProperty());
        vm.runningProperty().addListener((o, was, now) -> {
            javafx.scene.Node owner = focusOwner();
            if (now && (owner == null || owner == startDrill || owner.isDisabled())) {
                endDrill.requestFocus();
            } else if (!now && (owner == null || owner == endDrill || owner == timeline)) {
                (startDrill.isDisabled() ? (javafx.scene.Node) drillVolume : startDrill).requestFocus();
            }
        });
        vm.endBlockedProperty().addListener((o, was, now) -> {
            if (!now.isEmpty() && vm.runningProperty().get() && focusOwner() == endDrill) {
                timeline.requestFocus();
            }
        });
        showWhen(startBlocked, Bindings.isNotEmpty(startBlocked.textProperty()));

        drillTitle.textProperty().bind(vm.titleProperty());
        writesCounter.textProperty().bind(vm.writesProperty());
        driveName.textProperty().bind(vm.driveNameProperty());
        vm.driveLookProperty().addListener((o, was, now) -> driveBadge.show(now));
        driveBadge.show(vm.driveLookProperty().get());
        driveLine.textProperty().bind(vm.driveLineProperty());
        volumeName.textProperty().bind(vm.volumeNameProperty());
        vm.volumeLookProperty().addListener((o, was, now) -> volumeBadge.show(now));
        volumeBadge.show(vm.volumeLookProperty().get());

        vm.steps().addListener((ListChangeListener<DrillTimeline.Row>) c -> showSteps(vm.steps()));
        showSteps(vm.steps());

        WindowMap map = vm.map();
        mapLine.textProperty().bind(map.lineProperty());
        map.sampleProperty().addListener((o, was, now) -> drillMap.show(now));
        drillMap.show(map.sampleProperty().get());
        hoverInfo.textProperty().bind(Bindings.when(Bindings.isEmpty(drillMap.hoverTextProperty()))
                .then("Hover over the map to see a cell's tracks.").otherwise(drillMap.hoverTextProperty()));
        fillLegend();
        Palette.dark().addListener(o -> fillLegend());

        vm.figuresProperty().addListener((o, was, now) -> {
            showFigures(now);
            if (now != null) {
                javafx.application.Platform.runLater(() -> Reveal.reveal(resultCard)); // once it is laid out
            }
        });
        showFigures(vm.figuresProperty().get());
        drillStopped.textProperty().bind(Bindings.when(Bindings.isEmpty(vm.stoppedProperty())).then("")
                .otherwise(Bindings.concat("The drill stopped: ", vm.stoppedProperty())));
        showWhen(drillStopped, Bindings.isNotEmpty(vm.stoppedProperty()));
        vm.stoppedProperty().addListener((o, was, now) -> {
            if (!now.isEmpty()) {
                javafx.application.Platform.runLater(() -> Reveal.reveal(drillStopped));
            }
        });

        historyList.setItems(vm.history());
        historyList.setCellFactory(l -> new HistoryCell());
        historyList.setFocusTraversable(false);
    }

    private javafx.scene.Node focusOwner() {
        javafx.scene.Scene scene = getScene();
        return scene == null ? null : scene.getFocusOwner();
    }

    private void bindPlan(DrillPlanForm f) {
        drillVolume.setItems(f.volumes());
        drillVolume.valueProperty().bindBidirectional(f.volumeProperty());
        drillDrive.setItems(f.drives());
        drillDrive.valueProperty().bindBidirectional(f.driveProperty());
        drillReason.getItems().setAll(OfflineReason.values());
        drillReason.setConverter(words(OfflineReason::word));
        drillReason.valueProperty().bindBidirectional(f.reasonProperty());
        drillMode.getItems().setAll(LogMode.values());
        drillMode.setConverter(words(LogMode::word));
        drillMode.valueProperty().bindBidirectional(f.modeProperty());
        seconds(drillWritesFor, 1, f.writesForProperty());
        seconds(drillSecondAfter, 0, f.secondFailureAfterProperty());
        drillSecond.selectedProperty().bindBidirectional(f.secondFailureProperty());
        drillTestData.selectedProperty().bindBidirectional(f.testDataProperty());
        drillTestData.setTooltip(new javafx.scene.control.Tooltip("The drill writes verified random blocks over the volume"
                + " (asks for its name first); untick to keep the window open with the hosts' own writes only."));
        drillSecondAfter.disableProperty().bind(f.secondFailureProperty().not().or(model.runningProperty()));
        var running = model.runningProperty();
        for (javafx.scene.Node n : List.of(drillVolume, drillDrive, drillReason, drillMode, drillWritesFor, drillSecond,
                drillTestData)) {
            n.disableProperty().bind(running); // the plan of a running drill stays as it was started
        }
        reasonKey.textProperty().bind(Bindings.createStringBinding(() -> f.reasonProperty().get() == null ? ""
                : f.reasonProperty().get().word(), f.reasonProperty()));
        reasonNote.textProperty().bind(f.reasonNoteProperty());
        modeKey.textProperty().bind(Bindings.createStringBinding(() -> f.modeProperty().get() == null ? ""
                : f.modeProperty().get().word(), f.modeProperty()));
        modeNote.textProperty().bind(f.modeNoteProperty());
        secondNote.textProperty().bind(f.secondNoteProperty());
        showWhen(secondKey, f.secondFailureProperty());
        showWhen(secondNote, f.secondFailureProperty());
    }

    private static void seconds(Spinner<Integer> s, int min, javafx.beans.property.IntegerProperty p) {
        // a number typed out of range is kept as typed: the plan refuses it in words (Start's line)
        SpinnerValueFactory<Integer> v = org.splitpoint.app.common.WholeNumberSpinner.arrowsWithin(min,
                DrillPlanForm.MAX_SECONDS, p.get());
        s.setValueFactory(v);
        org.splitpoint.app.common.WholeNumberSpinner.digitsOnly(s, "seconds");
        v.valueProperty().addListener((o, was, now) -> {
            if (now != null) {
                p.set(now);
            }
        });
        p.addListener((o, was, now) -> v.setValue(now.intValue()));
        // a typed number counts when the field loses focus, not only on Enter
        s.focusedProperty().addListener((o, was, now) -> {
            if (!now) {
                s.increment(0);
            }
        });
    }

    private static void showWhen(javafx.scene.Node n, javafx.beans.value.ObservableBooleanValue on) {
        n.visibleProperty().bind(on);
        n.managedProperty().bind(on);
    }

    private void showSteps(List<DrillTimeline.Row> rows) {
        while (timeline.getChildren().size() < rows.size()) {
            StepLine l = new StepLine();
            l.setId("step-" + timeline.getChildren().size());
            timeline.getChildren().add(l);
        }
        if (timeline.getChildren().size() > rows.size()) {
            timeline.getChildren().remove(rows.size(), timeline.getChildren().size());
        }
        for (int i = 0; i < rows.size(); i++) {
            ((StepLine) timeline.getChildren().get(i)).show(rows.get(i));
        }
    }

    private void showFigures(DrillFigures f) {
        resultCard.setVisible(f != null);
        resultCard.setManaged(f != null);
        figuresGrid.getChildren().clear();
        if (f == null) {
            return;
        }
        verdictBadge.show(f.verdict());
        resultHeadline.setText(f.headline());
        resultCard.getStyleClass().removeAll("result-ok", "result-warn", "result-bad");
        resultCard.getStyleClass().add(switch (f.verdict().tone()) {
            case BAD -> "result-bad";
            case WARN -> "result-warn";
            default -> "result-ok";
        });
        int row = 0;
        for (DrillFigures.Figure fig : f.figures()) {
            Label key = new Label(fig.key());
            key.getStyleClass().add("fact-key");
            // a long key wraps ("Writes in the / window") so the values keep the room in a narrow window
            key.setWrapText(true);
            key.setMaxWidth(130);
            key.setMinWidth(Math.min(130, key.prefWidth(-1)));
            key.setMinHeight(Label.USE_PREF_SIZE);
            Label value = new Label(fig.value());
            value.setId(fig.id());
            value.getStyleClass().addAll("figure", "figure-" + fig.tone().name().toLowerCase(java.util.Locale.ROOT));
            value.setWrapText(true);
            value.setMinHeight(Label.USE_PREF_SIZE);
            value.setMinWidth(0);
            double share = fig.id().equals("figResynced") ? f.resyncFraction() : fig.id().equals("figResyncTime")
                    ? f.timeFraction() : -1;
            if (share < 0) {
                figuresGrid.addRow(row++, key, value);
            } else {
                // the resync against a full rebuild, as a bar whose whole length is the full rebuild
                ProgressBar bar = new ProgressBar(Math.max(0.004, share)); // a sliver, so a tiny delta still shows
                bar.getStyleClass().add("share-bar");
                bar.setMaxWidth(Double.MAX_VALUE);
                bar.setMinHeight(9);
                Tooltip.install(bar, new Tooltip("The whole bar is a full rebuild of the drive; the green part this resync"));
                VBox cell = new VBox(2, value, bar);
                cell.setMinWidth(0);
                figuresGrid.addRow(row++, key, cell);
            }
        }
    }

    private void fillLegend() {
        Palette p = Palette.current();
        legend.getChildren().clear();
        for (DrillMapCanvas.Look l : DrillMapCanvas.Look.values()) {
            Rectangle r = new Rectangle(12, 12, DrillMapCanvas.colourOf(p, l));
            r.getStyleClass().add("legend-swatch");
            HBox box = new HBox(4, r, new Label(l.word()));
            box.setAlignment(Pos.CENTER_LEFT);
            legend.getChildren().add(box);
        }
    }

    private static <T> StringConverter<T> words(java.util.function.Function<T, String> word) {
        return new StringConverter<>() {
            @Override
            public String toString(T t) {
                return t == null ? "" : word.apply(t);
            }

            @Override
            public T fromString(String s) {
                throw new UnsupportedOperationException();
            }
        };
    }

    // ---- actions

    @Override
    public void shown(boolean on) {
        if (on) {
            model.map().start();
        } else {
            model.map().stop();
        }
    }

    @FXML
    public void start() {
        DrillPlanForm f = model.form();
        org.splitpoint.app.common.Confirmation c = f.startConfirmation();
        if (c != null && !org.splitpoint.app.common.TypedConfirmDialog.ask(getScene().getWindow(), c)) {
            return;
        }
        model.start();
    }

    /** End drill now: asks first (what ending the window does), then ends it; closes by itself if the drill ended meanwhile. */
    @FXML
    public void endNow() {
        if (!model.endBlockedProperty().get().isEmpty()) {
            return;
        }
        boolean end = org.splitpoint.app.common.StopConfirmDialog.ask(getScene().getWindow(), "End drill now",
                new javafx.beans.property.SimpleStringProperty("End the " + model.titleProperty().get()
                        .replaceFirst(" — running$", "").replaceFirst("^Drill", "drill") + " now?"),
                new javafx.beans.property.SimpleObjectProperty<>(model.endConsequences()), "End drill now",
                "Keep it running", Bindings.isNotEmpty(model.endBlockedProperty()));
        if (end) {
            model.endNow();
        }
    }

    public DrillViewModel model() {
        return model;
    }

    /** A past drill: when, its verdict, what was drilled, and the figures (wrapped). */
    private static final class HistoryCell extends javafx.scene.control.ListCell<DrillHistory.Row> {
        private final Label when = new Label();
        private final StateBadge badge = new StateBadge();
        private final Label title = new Label();
        private final Label figures = new Label();
        private final VBox box;

        HistoryCell() {
            when.getStyleClass().add("history-time");
            when.setMinWidth(Label.USE_PREF_SIZE);
            badge.setMinWidth(HBox.USE_PREF_SIZE);
            title.getStyleClass().add("history-title");
            title.setMinWidth(0);
            title.setWrapText(true); // whole at 1024 px: "drill on prod/d5 (reset, pointers, second failure of d4)" was cut
            title.setMinHeight(Label.USE_PREF_SIZE);
            HBox.setHgrow(title, javafx.scene.layout.Priority.ALWAYS);
            figures.getStyleClass().add("history-figures");
            figures.setWrapText(true);
            figures.setMinWidth(0);
            HBox head = new HBox(8, when, badge, title);
            head.setAlignment(Pos.CENTER_LEFT);
            box = new VBox(1, head, figures);
            box.setMinWidth(0);
            box.setPrefWidth(0); // the list's width, not the text's: the figures wrap
        }

        @Override
        protected void updateItem(DrillHistory.Row r, boolean empty) {
            super.updateItem(r, empty);
            if (empty || r == null) {
                setGraphic(null);
                return;
            }
            when.setText(org.splitpoint.app.common.Format.when(r.time().toString()));
            badge.show(r.look());
            title.setText(r.title());
            figures.setText(r.figures());
            setGraphic(box);
        }
    }
}
