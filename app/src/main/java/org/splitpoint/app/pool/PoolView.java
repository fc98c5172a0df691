package org.splitpoint.app.pool;

import java.util.HashMap;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.css.PseudoClass;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import org.splitpoint.app.backup.BackupsView;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Shown;
import org.splitpoint.app.common.Fxml;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.app.drives.DrivesView;
import org.splitpoint.app.events.EventsView;
import org.splitpoint.app.jobs.JobsView;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.nav.NavView;
import org.splitpoint.app.pair.PairConsoleView;
import org.splitpoint.app.pair.PairsView;
import org.splitpoint.app.restore.InstantRestoreView;
import org.splitpoint.app.restore.RestoreDialog;
import org.splitpoint.app.volumes.VolumeView;
import org.splitpoint.app.volumes.VolumesView;

/**
 * The main window's content: the navigation tree, the detail of the selection (drive bay, volumes,
 * a volume, pairs, a pair console, backups, an instant restore, drills), jobs over events, and the
 * status bar. Detail views are made when first selected and kept. FXML: PoolView.fxml.
 */
public final class PoolView extends BorderPane {

    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");

    @FXML private Label poolPath;
    @FXML private Label holderLine;
    @FXML private NavView navView;
    @FXML private StackPane detail;
    @FXML private org.splitpoint.app.notify.NoticeStack notices;
    @FXML private javafx.scene.control.SplitPane sides;
    @FXML private javafx.scene.control.SplitPane mainSplit;
    @FXML private JobsView jobsView;
    @FXML private EventsView eventsView;
    @FXML private StateBadge healthBadge;
    @FXML private Label summary;
    @FXML private Label hostIo;
    @FXML private Label problems;
    @FXML private Label statusMessage;
    @FXML private org.controlsfx.control.StatusBar statusBar;
    private final Map<String, Node> details = new HashMap<>();
    private final ReadOnlyObjectWrapper<PairConsoleView> console = new ReadOnlyObjectWrapper<>();
    private PoolViewModel model;
    private org.splitpoint.app.lifecycle.LifecycleActions lifecycle;
    private DrivesView bay;
    private Node shownNow;

    public PoolView() {
        Fxml.load(this, "PoolView");
        SideWidths.follow(sides, 190, 250, 210, 330); // the detail gets the room in a small window
        SideWidths.followHeight(mainSplit, 126, 175); // 126: three whole rows of the event log at 1024x700
        // the page shown follows the keyboard focus: Ctrl+5 on a Drills page scrolled to its result card put the
        // focus on the plan's first field, above the view, and Tab went on below its edge, the focus unseen
        sceneProperty().addListener((o, was, now) -> {
            if (now != null) {
                now.focusOwnerProperty().addListener((fo, from, to) -> revealFocused(to));
            }
        });
    }

    /** Scrolls the page shown to {@code n} when it took the focus out of view (nothing for nodes off the page). */
    private void revealFocused(Node n) {
        if (n == null || detail.getChildren().isEmpty()
                || !(detail.getChildren().get(0) instanceof javafx.scene.control.ScrollPane page)) {
            return;
        }
        for (Node p = n; p != null; p = p.getParent()) {
            if (p == page) {
                org.splitpoint.app.common.Reveal.revealFocused(page, n);
                return;
            }
        }
    }

    public void bind(PoolViewModel vm) {
        this.model = vm;
        this.lifecycle = new org.splitpoint.app.lifecycle.LifecycleActions(vm.lifecycle(), () -> getScene().getWindow());
        navView.bind(vm.nav());
        jobsView.bind(vm.jobs());
        jobsView.history().bind(vm.jobHistory());
        notices.follow(vm.notices());
        statusBar.progressProperty().bind(vm.jobsProgressProperty());
        eventsView.bind(vm.events());
        poolPath.textProperty().bind(vm.poolPathProperty());
        holderLine.textProperty().bind(vm.holderLineProperty());
        holderLine.visibleProperty().bind(vm.holderLineProperty().isNotEmpty());
        holderLine.managedProperty().bind(holderLine.visibleProperty());
        vm.healthProperty().addListener((o, was, now) -> healthBadge.show(now == null ? null : StateLook.of(now)));
        summary.textProperty().bind(vm.summaryProperty());
        hostIo.textProperty().bind(vm.hostIoProperty());
        problems.textProperty().bind(vm.problemsProperty());
        problems.visibleProperty().bind(Bindings.isNotEmpty(vm.problemsProperty()));
        problems.managedProperty().bind(problems.visibleProperty());
        StatusShare.between(statusBar, problems, statusMessage, java.util.List.of(healthBadge, summary, hostIo),
                summary);
        ActionStatus status = vm.status();
        statusMessage.textProperty().bind(status.messageProperty());
        status.kindProperty().addListener((o, was, now) ->
                statusMessage.pseudoClassStateChanged(ERROR, now == ActionStatus.Kind.ERROR));
        tip(healthBadge, "Pool health: HEALTHY when every volume is OPTIMAL; WARNING when a volume is DEGRADED,"
                + " REBUILDING or in SERVICE, a drive FAILED, or a volume's journal does not protect it; CRITICAL when a volume FAILED (data unavailable).");
        tip(hostIo, "Reads and writes per second of the hosts: the built-in workloads (Host workload on a volume's page)"
                + " and the NBD clients, those that came and went between two samples included.");
        tip(summary, "What the pool holds, and how many background jobs run (see Jobs).");
        vm.nav().selectedProperty().addListener((o, was, now) -> show(now));
        show(vm.nav().selectedProperty().get());
    }

    /** The "Rebuild from backup + journal" dialog for {@code volume}, with the engine's preview. */
    private void openRebuild(String volume) {
        org.splitpoint.app.restore.RebuildDialog.ask(getScene().getWindow(), model.restore(volume).rebuild().form());
    }

    /** The "Restore from backup" dialog for {@code volume}, with {@code want} (or the newest image) chosen. */
    private void openRestore(String volume, org.splitpoint.app.restore.ImageChoice want) {
        RestoreDialog.ask(getScene().getWindow(), model.restore(volume).restoreForm(want));
    }

    private static void tip(javafx.scene.Node n, String text) {
        javafx.scene.control.Tooltip t = new javafx.scene.control.Tooltip(text);
        t.setWrapText(true);
        t.setMaxWidth(420);
        t.setShowDelay(javafx.util.Duration.millis(300));
        javafx.scene.control.Tooltip.install(n, t);
    }

    /** The pair console on display, or null: the Pair menu acts on it. */
    public ReadOnlyObjectProperty<PairConsoleView> consoleProperty() {
        return console.getReadOnlyProperty();
    }

    /** The lifecycle verbs (new and delete volume and pair, add drives, verify, replace with spare): the menus use them. */
    public org.splitpoint.app.lifecycle.LifecycleActions lifecycle() {
        return lifecycle;
    }

    /** The drive bay (made on first use): the Drive menu acts on it. */
    public DrivesView drives() {
        detailFor(NavItem.DRIVES);
        return bay;
    }

    /**
     * Focuses the detail's first control (the drive bay's selected slot), as Tab would reach it: at a pool's
     * open and after a Go to shortcut (Ctrl+1..6). The page itself took the focus before, a pane that shows
     * no focus and takes no key, and a Go to shortcut left the focus on a node of the page it replaced: the
     * focus was nowhere to be seen and the arrow keys did nothing until Tab went back to the tree.
     */
    public void focusDetail() {
        if (detail.getChildren().isEmpty()) {
            return;
        }
        javafx.scene.control.ScrollPane page = (javafx.scene.control.ScrollPane) detail.getChildren().get(0);
        Node n = page.getContent();
        if (n.getScene() == null) { // a page just made is in the scene once its scroll pane has its skin
            page.applyCss();
            page.layout();
        }
        if (n == bay || n.lookup(".drives-view") == bay && bay != null) {
            bay.focusBay();
        } else {
            Node first = firstControl(n);
            (first != null ? first : n).requestFocus();
        }
    }

    /** The first node under {@code n}, in the order of the children, that Tab may stop at now; null when none. */
    private static Node firstControl(Node n) {
        if (!n.isVisible() || n.isDisabled()) {
            return null;
        }
        if (n.isFocusTraversable()) {
            return n;
        }
        if (n instanceof javafx.scene.Parent p) {
            for (Node c : p.getChildrenUnmodifiable()) {
                Node f = firstControl(c);
                if (f != null) {
                    return f;
                }
            }
        }
        return null;
    }

    private void show(String key) {
        String[] snap = NavItem.snapshotIn(key); // a snapshot: its volume's page, with it selected on the timeline
        Node n = detailFor(snap != null ? NavItem.volume(snap[0])
                : key == null || key.equals(NavItem.POOL) ? NavItem.DRIVES : key);
        if (n == null) {
            return;
        }
        if (snap != null) {
            model.snapshots(snap[0]).select(snap[1]);
            if (n instanceof VolumeView v) { // chosen in the tree: the page shows it on the timeline
                javafx.application.Platform.runLater(() -> v.snapshotCard().revealSelection());
            }
        }
        if (n == shownNow) {
            return;
        }
        if (shownNow instanceof Shown s) {
            s.shown(false);
        }
        detail.getChildren().setAll(scrolling(n));
        if (n instanceof Shown s) {
            s.shown(true);
        }
        shownNow = n;
        console.set(n instanceof PairConsoleView c ? c : null);
    }

    /** A detail in a scroll pane that fits it to the window, with scroll bars only when the window is too small. */
    private final Map<Node, javafx.scene.control.ScrollPane> scrollers = new HashMap<>();

    private Node scrolling(Node n) {
        return scrollers.computeIfAbsent(n, k -> {
            javafx.scene.control.ScrollPane sp = new javafx.scene.control.ScrollPane(k);
            sp.setFitToWidth(true);
            sp.setFitToHeight(true);
            sp.getStyleClass().add("detail-scroll");
            return sp;
        });
    }

    private Node detailFor(String key) {
        Node cached = details.get(key);
        if (cached != null) {
            return cached;
        }
        Node n = make(key);
        if (n != null) {
            details.put(key, n);
        }
        return n;
    }

    private Node make(String key) {
        if (NavItem.DRIVES.equals(key)) {
            // the bay over the volumes it holds: a failed drive and its DEGRADED volume side by side
            bay = new DrivesView();
            bay.bind(model.drives());
            org.splitpoint.app.lifecycle.LifecycleBars.addToBay(bay, lifecycle);
            VolumesView volumes = new VolumesView();
            volumes.bind(model.volumes(), name -> model.nav().selectedProperty().set(NavItem.volume(name)));
            javafx.scene.layout.VBox.setVgrow(bay, javafx.scene.layout.Priority.SOMETIMES);
            javafx.scene.layout.VBox.setVgrow(volumes, javafx.scene.layout.Priority.ALWAYS);
            volumes.setMinHeight(150);
            volumes.setPrefHeight(160); // the bay first; the table takes what is left
            // an empty pool says what to do next above the bay (after "New pool" without the demo)
            return new javafx.scene.layout.VBox(new org.splitpoint.app.lifecycle.EmptyPoolGuide(lifecycle), bay,
                    org.splitpoint.app.lifecycle.LifecycleBars.underBay(lifecycle), volumes);
        }
        if (NavItem.VOLUMES.equals(key)) {
            VolumesView v = new VolumesView();
            v.bind(model.volumes(), name -> model.nav().selectedProperty().set(NavItem.volume(name)));
            v.addHeaderActions(org.splitpoint.app.lifecycle.LifecycleBars.volumes(lifecycle));
            javafx.scene.layout.VBox.setVgrow(v, javafx.scene.layout.Priority.ALWAYS);
            return new javafx.scene.layout.VBox(new org.splitpoint.app.lifecycle.EmptyPoolGuide(lifecycle), v);
        }
        if (NavItem.PAIRS.equals(key)) {
            PairsView v = new PairsView();
            v.bind(model.pairs(), name -> model.nav().selectedProperty().set(NavItem.pair(name)));
            v.onNewPair(lifecycle::newPair, lifecycle.model().newPairBlockedProperty());
            return v;
        }
        if (NavItem.BACKUPS.equals(key)) {
            BackupsView v = new BackupsView();
            v.bind(model.backups(), (store, image) -> openRestore(image.volume(),
                    new org.splitpoint.app.restore.ImageChoice(store, image)));
            return v;
        }
        if (NavItem.DRILLS.equals(key)) {
            org.splitpoint.app.drill.DrillView v = new org.splitpoint.app.drill.DrillView();
            v.bind(model.drills());
            return v;
        }
        if (NavItem.SERVE.equals(key)) {
            org.splitpoint.app.serve.ServeView v = new org.splitpoint.app.serve.ServeView();
            v.bind(model.serve());
            return v;
        }
        String volume = NavItem.nameIn(key, "volume");
        if (volume != null) {
            VolumeView v = new VolumeView();
            v.bind(model.volume(volume));
            v.addHeaderActions(org.splitpoint.app.lifecycle.LifecycleBars.volumePage(lifecycle));
            v.addVerifyActions(org.splitpoint.app.lifecycle.LifecycleBars.volumeRepair(lifecycle));
            v.bindRestore(model.restore(volume), () -> openRestore(volume, null), () -> openRebuild(volume),
                    () -> model.nav().selectedProperty().set(NavItem.restore(volume)));
            v.bindJournal(model.journal(volume));
            v.bindProblem(model.problem(volume));
            var snapshots = model.snapshots(volume);
            v.bindSnapshots(snapshots);
            // a snapshot selected on the timeline is selected in the tree too, while the tree shows this volume
            snapshots.selectedProperty().addListener((o, was, now) -> {
                String at = model.nav().selectedProperty().get();
                String[] snap = NavItem.snapshotIn(at);
                if (NavItem.volume(volume).equals(at) || snap != null && snap[0].equals(volume)) {
                    model.nav().selectedProperty().set(now == null ? NavItem.volume(volume) : NavItem.snapshot(volume, now));
                }
            });
            return v;
        }
        String restored = NavItem.nameIn(key, "restore");
        if (restored != null) {
            InstantRestoreView v = new InstantRestoreView();
            v.bind(model.restore(restored), () -> openRestore(restored, null), () -> openRebuild(restored));
            model.nav().keepRestore(restored);
            return v;
        }
        String pair = NavItem.nameIn(key, "pair");
        if (pair != null) {
            PairConsoleView v = new PairConsoleView();
            v.bind(model.pair(pair), model.workloads()::of);
            v.addHeaderActions(org.splitpoint.app.lifecycle.LifecycleBars.pairConsole(lifecycle));
            return v;
        }
        return null;
    }
}
