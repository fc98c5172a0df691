package org.splitpoint.app.restore;

import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/**
 * The banner over a volume's page and its restore view: while the volume is FAILED it says why and
 * offers "Rebuild from backup + journal…" when its journal can bring it back to its last write, else
 * "Restore from backup…" (the newest image of the known stores preselected); on the volume's page,
 * while a restore or a rebuild runs (or, {@link #bindRunning}, a restore to a snapshot), it says how
 * far it is and offers to show it. Hidden otherwise.
 * Ids: {@code #rebuildFromJournal}, {@code #restoreFromBackup}, {@code #showRestore}, {@code #showSnapshotRestore}.
 */
public final class RestoreBanner extends HBox {

    private final StateBadge badge = new StateBadge();
    private final Label text = new Label();
    private final Button action = new Button();

    public RestoreBanner() {
        getStyleClass().add("restore-banner");
        text.getStyleClass().add("banner-text");
        text.setWrapText(true);
        text.setMinWidth(0);
        text.setMinHeight(USE_PREF_SIZE); // wraps rather than cuts the sentence off
        text.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(text, Priority.ALWAYS);
        action.setMinWidth(USE_PREF_SIZE);
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(10);
        getChildren().addAll(badge, text, action);
        setVisible(false);
        managedProperty().bind(visibleProperty());
    }

    /**
     * A banner for another restore of the volume (to a snapshot): shown while {@code running}, saying
     * {@code text}, with {@code action} (id {@code id}) running {@code show}.
     */
    public void bindRunning(javafx.beans.value.ObservableBooleanValue running, javafx.beans.value.ObservableStringValue text,
                            String action, String id, Runnable show) {
        Runnable update = () -> {
            if (running.get()) {
                showRunning(text, action, id, show);
            }
            setVisible(running.get());
        };
        running.addListener(o -> update.run());
        update.run();
    }

    private void showRunning(javafx.beans.value.ObservableStringValue line, String label, String id, Runnable show) {
        getStyleClass().remove("restoring");
        getStyleClass().add("restoring");
        badge.show(new StateLook("", StateLook.Glyph.ARROWS, StateLook.Tone.BUSY));
        text.textProperty().unbind();
        text.textProperty().bind(line);
        action.setText(label);
        action.setId(id);
        action.setOnAction(e -> show.run());
    }

    /**
     * Shows the FAILED banner of {@code vm}; {@code restore} opens the restore dialog, {@code rebuild}
     * the rebuild dialog. With {@code show} non-null (the volume's page), a running restore or rebuild
     * is announced with a button to it.
     */
    public void bind(InstantRestoreViewModel vm, Runnable restore, Runnable rebuild, Runnable show) {
        RebuildOffer offer = vm.rebuild();
        Runnable update = () -> {
            boolean failed = !vm.bannerProperty().get().isEmpty();
            boolean rebuildable = failed && !offer.bannerProperty().get().isEmpty();
            boolean running = show != null && vm.restoringProperty().get();
            boolean rebuilding = offer.rebuildingProperty().get();
            getStyleClass().remove("restoring");
            text.textProperty().unbind();
            if (rebuildable) {
                badge.show(new StateLook("", StateLook.Glyph.CROSS, StateLook.Tone.BAD));
                text.textProperty().bind(offer.bannerProperty());
                action.setText("Rebuild from backup + journal…");
                action.setId("rebuildFromJournal");
                action.setOnAction(e -> rebuild.run());
            } else if (failed) {
                badge.show(new StateLook("", StateLook.Glyph.CROSS, StateLook.Tone.BAD));
                text.textProperty().bind(vm.bannerProperty());
                action.setText("Restore from backup…");
                action.setId("restoreFromBackup");
                action.setOnAction(e -> restore.run());
            } else if (running) {
                showRunning(Bindings.concat(rebuilding ? "Being rebuilt from backup + journal: "
                        : "Being restored from a backup: ", vm.progressTextProperty()),
                        rebuilding ? "Show the rebuild" : "Show the restore", "showRestore", show);
            }
            setVisible(failed || running);
        };
        vm.bannerProperty().addListener(o -> update.run());
        vm.restoringProperty().addListener(o -> update.run());
        offer.bannerProperty().addListener(o -> update.run());
        offer.rebuildingProperty().addListener(o -> update.run());
        update.run();
    }
}
