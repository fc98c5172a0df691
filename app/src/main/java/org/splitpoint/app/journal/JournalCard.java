package org.splitpoint.app.journal;

import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.app.common.TypedConfirmDialog;

/**
 * The journal card on a volume's page ({@link JournalCardViewModel}): when off, what a journal
 * would give and "Enable journal…"; when on, its state, legs, store and base, the gauges, entries,
 * next ship, the ship running, the last ships, "Ship now" and "Disable…" (the volume's name typed).
 * FXML: JournalCard.fxml. Ids: {@code #journalBadge}, {@code #journalHeadline}, {@code #journalLeg-<drive>},
 * {@code #journalStorePath}, {@code #journalBase}, {@code #journalEntries}, {@code #nextShip}, {@code #sizeGauge},
 * {@code #ageGauge}, {@code #jobText}, {@code #shipList}, {@code #enableJournal}, {@code #shipNow},
 * {@code #disableJournal}.
 */
public final class JournalCard extends VBox {

    /** Ships listed; the engine keeps eight, the rest are in the tooltip of "more". */
    static final int SHIPS_SHOWN = 4;

    @FXML private StateBadge journalBadge;
    @FXML private Label journalHeadline;
    @FXML private FlowPane journalBody;
    @FXML private Label journalBlocked;
    @FXML private HBox legBox;
    @FXML private Label journalStorePath;
    @FXML private Label journalBase;
    @FXML private Label journalEntries;
    @FXML private Label nextShip;
    @FXML private LimitGauge sizeGauge;
    @FXML private LimitGauge ageGauge;
    @FXML private Label jobKey;
    @FXML private HBox jobRow;
    @FXML private ProgressBar jobProgress;
    @FXML private Label jobText;
    @FXML private VBox shipList;
    @FXML private javafx.scene.layout.GridPane shipsRow;
    @FXML private Button enableJournal;
    @FXML private StackPane enableWrap;
    @FXML private Button shipNow;
    @FXML private StackPane shipWrap;
    @FXML private Button disableJournal;
    @FXML private StackPane disableWrap;
    private JournalCardViewModel model;

    public JournalCard() {
        Fxml.load(this, "JournalCard");
        alignKeys();
    }

    /**
     * The card's facts are three grids (two side by side in a wide window, stacked in a narrow one, and
     * the ships under them), each sizing its key column to its own keys: stacked at 1024 px their values
     * began at three different places ("Size", "Oldest entry", "Last ships" beside "Base image"). Every
     * grid's key column is as wide as the widest key of all, so the values line up whichever way.
     */
    private void alignKeys() {
        List<javafx.scene.layout.GridPane> grids = new java.util.ArrayList<>();
        List<javafx.scene.control.Label> keys = new java.util.ArrayList<>();
        for (javafx.scene.Node n : lookupAll(".facts")) {
            if (n instanceof javafx.scene.layout.GridPane g) {
                grids.add(g);
                for (javafx.scene.Node c : g.getChildren()) {
                    if (c instanceof javafx.scene.control.Label l && l.getStyleClass().contains("fact-key")) {
                        keys.add(l);
                    }
                }
            }
        }
        List<javafx.beans.Observable> deps = new java.util.ArrayList<>();
        for (javafx.scene.control.Label l : keys) {
            deps.add(l.fontProperty());
            deps.add(l.textProperty());
            deps.add(l.visibleProperty());
        }
        javafx.beans.binding.DoubleBinding widest = javafx.beans.binding.Bindings.createDoubleBinding(() -> {
            double w = 0;
            for (javafx.scene.control.Label l : keys) {
                if (l.isVisible()) {
                    w = Math.max(w, Math.ceil(l.prefWidth(-1)));
                }
            }
            return w;
        }, deps.toArray(javafx.beans.Observable[]::new));
        for (javafx.scene.layout.GridPane g : grids) {
            g.getColumnConstraints().get(0).minWidthProperty().bind(widest);
        }
    }

    public void bind(JournalCardViewModel vm) {
        this.model = vm;
        // a FlowPane wraps at its pref wrap length, not its width: follow the width so the columns stack when narrow
        journalBody.prefWrapLengthProperty().bind(journalBody.widthProperty());
        // while off, why "Enable journal…" is disabled is said on the card, not only in the tooltip
        journalBlocked.textProperty().bind(Bindings.when(vm.stateProperty().isEqualTo(JournalState.OFF))
                .then(vm.enableBlockedProperty()).otherwise(""));
        journalBlocked.visibleProperty().bind(Bindings.isNotEmpty(journalBlocked.textProperty()));
        journalBlocked.managedProperty().bind(journalBlocked.visibleProperty());
        vm.stateProperty().addListener((o, was, now) -> showState(now));
        showState(vm.stateProperty().get());
        journalHeadline.textProperty().bind(vm.headlineProperty());
        journalStorePath.textProperty().bind(vm.storeProperty());
        tip(journalStorePath, vm.storeProperty().get());
        vm.storeProperty().addListener((o, was, now) -> tip(journalStorePath, now));
        journalBase.textProperty().bind(vm.baseProperty());
        journalBase.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS); // as image ids are in the Backups view
        vm.baseProperty().addListener((o, was, now) -> tip(journalBase, now));
        journalStorePath.setTextOverrun(javafx.scene.control.OverrunStyle.LEADING_ELLIPSIS); // a path's end names the store
        journalEntries.textProperty().bind(vm.entriesProperty());
        vm.capacityProperty().addListener((o, was, now) -> tip(journalEntries, now));
        nextShip.textProperty().bind(vm.nextShipProperty());
        vm.sizeProperty().addListener((o, was, now) -> sizeGauge.show(now));
        sizeGauge.show(vm.sizeProperty().get());
        vm.ageProperty().addListener((o, was, now) -> ageGauge.show(now));
        ageGauge.show(vm.ageProperty().get());
        vm.legsProperty().addListener((o, was, now) -> showLegs(now));
        showLegs(vm.legsProperty().get());
        vm.shipsProperty().addListener((o, was, now) -> showShips(now));
        showShips(vm.shipsProperty().get());
        jobProgress.progressProperty().bind(vm.jobProgressProperty());
        jobText.textProperty().bind(vm.jobTextProperty());
        var running = Bindings.isNotEmpty(vm.jobTextProperty());
        jobRow.visibleProperty().bind(running);
        jobKey.visibleProperty().bind(running);
        jobRow.managedProperty().bind(running);
        jobKey.managedProperty().bind(running);

        Actions.bind(enableJournal, enableWrap, vm.enableBlockedProperty(), "Keep a second copy of every write on two"
                + " SPARE drives until it is shipped into a backup store, so the volume survives losing more drives"
                + " than its layout does.");
        Actions.bind(shipNow, shipWrap, vm.shipBlockedProperty(), "Ship the journal into its store now: an incremental"
                + " image on the base, verified; then its entries go.");
        Actions.bind(disableJournal, disableWrap, vm.disableBlockedProperty(), "Stop journaling (asks for the volume's"
                + " name): the journal drives become SPARE again.");
    }

    private void showState(JournalState st) {
        journalBadge.show(st.look());
        boolean off = st == JournalState.OFF;
        for (Node n : List.of(journalBody, shipsRow)) {
            n.setVisible(!off);
            n.setManaged(!off);
        }
        for (Node n : List.of(shipWrap, disableWrap)) {
            n.setVisible(!off);
            n.setManaged(!off);
        }
        enableWrap.setVisible(off);
        enableWrap.setManaged(off);
        getStyleClass().removeAll("journal-off", "journal-warn", "journal-bad");
        switch (st.look().tone()) {
            case IDLE -> getStyleClass().add("journal-off");
            case WARN -> getStyleClass().add("journal-warn");
            case BAD -> getStyleClass().add("journal-bad");
            default -> { }
        }
    }

    private void showLegs(List<JournalFacts.Leg> legs) {
        legBox.getChildren().clear();
        for (JournalFacts.Leg l : legs) {
            Label name = new Label(l.drive());
            name.getStyleClass().add("leg-name");
            StateBadge b = new StateBadge(StateLook.of(l.shown()));
            HBox leg = new HBox(5, name, b);
            leg.setId("journalLeg-" + l.drive());
            leg.setAlignment(Pos.CENTER_LEFT);
            legBox.getChildren().add(leg);
        }
    }

    private void showShips(List<JournalFacts.ShipLine> ships) {
        shipList.getChildren().clear();
        if (ships.isEmpty()) {
            Label none = new Label("none yet");
            none.getStyleClass().add("ships-more");
            shipList.getChildren().add(none);
            return;
        }
        for (JournalFacts.ShipLine s : ships.subList(0, Math.min(SHIPS_SHOWN, ships.size()))) {
            shipList.getChildren().add(line(s));
        }
        if (ships.size() > SHIPS_SHOWN) {
            Label more = new Label((ships.size() - SHIPS_SHOWN) + " earlier…");
            more.getStyleClass().add("ships-more");
            StringBuilder all = new StringBuilder();
            for (JournalFacts.ShipLine s : ships) {
                all.append(s.when()).append("  ").append(s.ok() ? "ok: " : "").append(s.text()).append('\n');
            }
            tip(more, all.toString().strip());
            shipList.getChildren().add(more);
        }
    }

    private static HBox line(JournalFacts.ShipLine s) {
        Label when = new Label(s.when());
        when.getStyleClass().add("ship-time");
        when.setMinWidth(Label.USE_PREF_SIZE);
        StateBadge mark = new StateBadge(s.ok() ? new StateLook("", StateLook.Glyph.CHECK, StateLook.Tone.OK)
                : new StateLook("", StateLook.Glyph.CROSS, StateLook.Tone.BAD));
        mark.setMinWidth(HBox.USE_PREF_SIZE);
        Label text = new Label(s.text());
        text.getStyleClass().add("ship-text");
        text.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS); // the image id's tail tells ships apart
        text.setMinWidth(0);
        tip(text, s.text());
        HBox.setHgrow(text, Priority.ALWAYS);
        HBox h = new HBox(6, when, mark, text);
        h.setAlignment(Pos.CENTER_LEFT);
        h.getStyleClass().addAll("ship-line", s.ok() ? "ship-ok" : "ship-failed");
        return h;
    }

    private static void tip(javafx.scene.control.Control c, String text) {
        if (text == null || text.isEmpty()) {
            c.setTooltip(null);
            return;
        }
        Tooltip t = new Tooltip(text);
        t.setWrapText(true);
        t.setMaxWidth(520);
        t.setShowDelay(javafx.util.Duration.millis(300));
        c.setTooltip(t);
    }

    // ---- actions

    @FXML
    public void enable() {
        if (model.enableBlockedProperty().get().isEmpty()) {
            if (EnableJournalDialog.ask(getScene().getWindow(), model.enableForm())) {
                keepFocus(); // "Enable journal…" goes away with the state OFF
            }
        }
    }

    @FXML
    public void ship() {
        keepFocus();
        model.ship();
    }

    /**
     * The clicked button is disabled while its action runs; the focus would then move on to the
     * next button of the page (the workload's Start) and the page scroll there. The card keeps it.
     */
    private void keepFocus() {
        requestFocus();
    }

    @FXML
    public void disable() {
        if (model.disableBlockedProperty().get().isEmpty()
                && TypedConfirmDialog.ask(getScene().getWindow(), model.disableConfirmation())) {
            keepFocus();
            model.disable();
        }
    }
}
