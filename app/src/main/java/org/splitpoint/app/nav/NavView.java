package org.splitpoint.app.nav;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/**
 * The navigation tree: pool → Drives, Volumes (a volume's instant restore and snapshots under it), Pairs,
 * Backups, Drills, Serving, each entry with its state glyph (and word in
 * the tooltip-free label for volumes and pairs). Items are updated in place, so a refresh keeps the
 * selection and the expanded branches. {@code #navTree} for lookups.
 */
public final class NavView extends TreeView<NavItem> {

    private NavViewModel model;
    private boolean syncing;

    public NavView() {
        setId("navTree");
        getStyleClass().add("nav-tree");
        setShowRoot(true);
        setCellFactory(t -> new NavCell());
    }

    public void bind(NavViewModel vm) {
        this.model = vm;
        vm.treeProperty().addListener((o, was, now) -> sync(now));
        sync(vm.treeProperty().get());
        getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (!syncing && now != null) {
                vm.selectedProperty().set(now.getValue().key());
            }
        });
        vm.selectedProperty().addListener((o, was, now) -> select(now));
        select(vm.selectedProperty().get());
    }

    private void sync(NavViewModel.Tree t) {
        if (t == null) {
            return;
        }
        syncing = true;
        try {
            TreeItem<NavItem> root = getRoot();
            if (root == null) {
                root = new TreeItem<>(t.pool());
                root.setExpanded(true);
                setRoot(root);
            } else {
                root.setValue(t.pool());
            }
            List<TreeItem<NavItem>> groups = new ArrayList<>();
            for (int i = 0; i < t.groups().size(); i++) {
                NavViewModel.Group g = t.groups().get(i);
                TreeItem<NavItem> gi = i < root.getChildren().size() ? root.getChildren().get(i) : null;
                if (gi == null || !gi.getValue().key().equals(g.item().key())) {
                    gi = new TreeItem<>(g.item());
                    gi.setExpanded(true);
                } else {
                    gi.setValue(g.item());
                }
                children(gi, g.children(), g.below());
                groups.add(gi);
            }
            if (!groups.equals(root.getChildren())) {
                root.getChildren().setAll(groups);
            }
        } finally {
            syncing = false;
        }
        select(model.selectedProperty().get());
    }

    private static void children(TreeItem<NavItem> parent, List<NavItem> items, java.util.Map<String, List<NavItem>> below) {
        List<TreeItem<NavItem>> next = new ArrayList<>();
        for (NavItem n : items) {
            TreeItem<NavItem> existing = parent.getChildren().stream()
                    .filter(c -> c.getValue().key().equals(n.key())).findFirst().orElse(null);
            if (existing == null) {
                existing = new TreeItem<>(n);
                existing.setExpanded(true);
            } else {
                existing.setValue(n);
            }
            children(existing, below.getOrDefault(n.key(), List.of()), java.util.Map.of());
            next.add(existing);
        }
        if (!next.equals(parent.getChildren())) {
            parent.getChildren().setAll(next);
        }
    }

    private void select(String key) {
        TreeItem<NavItem> item = find(getRoot(), key);
        if (item != null && getSelectionModel().getSelectedItem() != item) {
            boolean was = syncing;
            syncing = true;
            getSelectionModel().select(item);
            syncing = was;
        }
    }

    private static TreeItem<NavItem> find(TreeItem<NavItem> from, String key) {
        if (from == null || key == null) {
            return null;
        }
        if (key.equals(from.getValue().key())) {
            return from;
        }
        for (TreeItem<NavItem> c : from.getChildren()) {
            TreeItem<NavItem> f = find(c, key);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static String hint(NavItem item) {
        String state = item.look() == null || item.look().word().isEmpty() ? "" : " — " + item.look().word();
        return switch (item.key()) {
            case NavItem.POOL -> "Pool " + item.label() + state + ": its drive bay (Ctrl+1)";
            case NavItem.DRIVES -> "The drive bay: fail, replace, add spares, take offline for service (Ctrl+1)";
            case NavItem.VOLUMES -> "Every volume with its state (Ctrl+2)";
            case NavItem.PAIRS -> "Every BCV pair; New pair… (Ctrl+3)";
            case NavItem.DRILLS -> "Drive service drills: take a drive out under writes, watch its delta grow and"
                    + " resync, and what a second failure costs (Ctrl+5)";
            case NavItem.BACKUPS -> "Backup stores and their images: back up, verify, delete, restore (Ctrl+4)";
            case NavItem.SERVE -> "Serve the pool's volumes over NBD to real clients: the address, the clients"
                    + " connected and their I/O (Ctrl+6)";
            default -> item.key().startsWith("snapshot:") ? "Snapshot " + NavItem.nameIn(item.key(), "snapshot") + state
                    + ": shown on its volume's timeline, to restore or delete"
                    : item.key().startsWith("restore:") ? "Instant restore of " + NavItem.nameIn(item.key(), "restore")
                    + state + ": the overwrite map, on-demand fetches, the bulk copy"
                    : item.key().startsWith("pair:") ? "Pair console of " + item.label() + state
                    : "Volume " + item.label() + state + ": layout, verify, throughput, host workload";
        };
    }

    /** Label with the entry's state badge (glyph and, for volumes and pairs, the word). */
    private static final class NavCell extends TreeCell<NavItem> {
        private final StateBadge badge = new StateBadge();
        private final javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip();

        NavCell() {
            setContentDisplay(ContentDisplay.RIGHT);
            setGraphicTextGap(6); // 8 left "prod-pair ▮ Synchronized" short of one line at 1024 px (PoolView.fxml)
            // as wide as the tree, never wider: the tree hides its horizontal scroll bar, so a wider
            // cell was clipped at the tree's edge, state badge first ("prod-pair ⟳ Restoring (Res");
            // within the tree's width the badge's word gives way first (see layoutChildren), then the
            // name, in its middle, so "prod-bcv" and "prod-pair" stay told apart ("pro…air")
            setPrefWidth(0);
            setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS);
        }

        /**
         * At the smallest window the tree was under 200 px: the whole word beside "prod-pair" left its
         * name "…", and a glyph alone in its place left "prod-bcv ✓" and "prod-pair ▮" without their
         * state. Where name and badge do not fit on one line, the badge goes under the name, word and
         * all; it comes back beside it once there is room. (The tree is now at least 214 px, PoolView.fxml,
         * so the demo's volumes and "prod-pair ▮ Synchronized" keep their state beside them; longer
         * names still take a second line.) The width alone decides, so a layout pass
         * changes it at most once. A snapshot's name wraps instead, its badge keeping its glyph only
         * when the name is cut (the tooltip says the state).
         */
        @Override
        protected void layoutChildren() {
            super.layoutChildren();
            if (fitSnapshotName()) {
                super.layoutChildren();
            }
            if (getGraphic() != badge) {
                return;
            }
            if (!getItem().key().startsWith("snapshot:")) {
                stateBelowWhenCut();
                return;
            }
            boolean cut = getChildrenUnmodifiable().stream().anyMatch(c -> c instanceof javafx.scene.text.Text t
                    && !t.getText().equals(getText()));
            double room = getWidth() - snappedRightInset() - (badge.getLayoutX() + badge.getWidth());
            if (!badge.isCompact() && cut || badge.isCompact() && !cut && room >= badge.wordRoom()) {
                badge.setCompact(!badge.isCompact());
                super.layoutChildren(); // again, in this pass: the text's room follows the badge's new width
            }
        }

        /** The badge beside the name where both fit on one line, else under it (see layoutChildren). */
        private void stateBelowWhenCut() {
            javafx.scene.Node text = getChildrenUnmodifiable().stream().filter(c -> c instanceof javafx.scene.text.Text)
                    .findFirst().orElse(null);
            if (text == null) {
                return;
            }
            double start = Math.min(text.getLayoutX(), badge.getLayoutX());
            double room = getWidth() - snappedRightInset() - start;
            measure.setFont(getFont());
            boolean below = width(getText()) + getGraphicTextGap() + badge.prefWidth(-1) > room;
            ContentDisplay want = below ? ContentDisplay.BOTTOM : ContentDisplay.RIGHT;
            if (getContentDisplay() != want) {
                setContentDisplay(want);
                super.layoutChildren();
                // the tree sized this cell for one line (or two) before this pass: asked again, it sizes it anew
                javafx.application.Platform.runLater(this::requestLayout);
            }
        }

        private final javafx.scene.text.Text measure = new javafx.scene.text.Text();

        /**
         * A snapshot sits a level deeper than its volume: at 1024 px its name was cut in the middle
         * ("before…pgrade", a proposed name's date hidden in "snap-2…-0812"). Where it does not fit on
         * one line it wraps at its separators ({@link #wrapped}), whole; the width alone decides, so a
         * layout pass changes the text at most once. True when the text changed.
         */
        private boolean fitSnapshotName() {
            NavItem item = getItem();
            if (item == null || isEmpty() || !item.key().startsWith("snapshot:")) {
                return false;
            }
            javafx.scene.Node text = getChildrenUnmodifiable().stream().filter(c -> c instanceof javafx.scene.text.Text)
                    .findFirst().orElse(null);
            if (text == null) {
                return false;
            }
            double graphic = getGraphic() == null ? 0 : getGraphic().prefWidth(-1) + getGraphicTextGap();
            double room = getWidth() - snappedRightInset() - text.getLayoutX() - graphic;
            measure.setFont(getFont());
            String want = width(item.label()) <= room ? item.label() : wrapped(item.label(), room);
            if (want.equals(getText())) {
                return false;
            }
            boolean taller = getText() == null || want.split("\n").length != getText().split("\n").length;
            setText(want);
            if (taller) {
                // the tree sized this cell for the old text before this layout; asked again once this
                // pass is over, it sizes the cell for the lines now (else a name added while shown
                // kept one line's height: "before-restore-", its date below, hidden)
                javafx.application.Platform.runLater(this::requestLayout);
            }
            return true;
        }

        /**
         * {@code name} in lines of at most {@code room} px, each broken after a '-', '_' or '.' (a
         * word wrap at the separators: "snap-20261202-" / "0812"); unchanged when it has none.
         */
        private String wrapped(String name, double room) {
            java.util.List<String> pieces = new java.util.ArrayList<>();
            int from = 0;
            for (int i = 0; i < name.length() - 1; i++) {
                if ("-_.".indexOf(name.charAt(i)) >= 0) {
                    pieces.add(name.substring(from, i + 1));
                    from = i + 1;
                }
            }
            pieces.add(name.substring(from));
            StringBuilder out = new StringBuilder();
            String line = "";
            for (String p : pieces) {
                if (!line.isEmpty() && width(line + p) > room) {
                    out.append(line).append('\n');
                    line = "";
                }
                line += p;
            }
            return out.append(line).toString();
        }

        private double width(String s) {
            measure.setText(s);
            return measure.getLayoutBounds().getWidth();
        }

        @Override
        protected void updateItem(NavItem item, boolean empty) {
            super.updateItem(item, empty);
            if (empty || item == null) {
                setText(null);
                setGraphic(null);
                setId(null);
            } else {
                setText(item.label());
                String id = "nav-" + item.key().replace(':', '-');
                if (!id.equals(getId())) { // a new id re-runs CSS on the cell: only when it changes
                    setId(id);
                }
                StateLook look = item.look();
                badge.show(look);
                // a cell is reused for other entries: each starts from the one-line look its layout then fits
                badge.setCompact(false);
                setContentDisplay(ContentDisplay.RIGHT);
                setGraphic(look == null ? null : badge);
                tip.setText(hint(item));
                setTooltip(tip);
            }
        }
    }
}
