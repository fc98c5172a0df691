package org.splitpoint.app.drill;

import java.util.Locale;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.common.StateLook;

/**
 * One line of a drill's timeline: the step's state (glyph: ring to come, arrows running, check
 * done, cross failed), its name, when it started (+s from the drill's start) and how long it took
 * (live while it runs), and under it what it does (what the engine said it did, once done; its
 * job's percent while it runs). Updated in place, so the timeline does not flicker at five frames a second.
 */
final class StepLine extends HBox {

    private static final PseudoClass PENDING = PseudoClass.getPseudoClass("pending");
    private static final PseudoClass RUNNING = PseudoClass.getPseudoClass("running");
    private static final PseudoClass SKIPPED = PseudoClass.getPseudoClass("skipped");

    private final StateBadge badge = new StateBadge();
    private final Label name = new Label();
    private final Label at = new Label();
    private final Label took = new Label();
    private final Label detail = new Label();
    private final Tooltip tip = new Tooltip();
    private DrillTimeline.Row shown;

    StepLine() {
        getStyleClass().add("step-line");
        setAlignment(Pos.TOP_LEFT);
        setSpacing(6);
        badge.setMinWidth(HBox.USE_PREF_SIZE);
        name.getStyleClass().add("step-name");
        name.setMinWidth(Label.USE_PREF_SIZE); // "second failure" whole beside the time columns
        at.getStyleClass().add("step-at");
        took.getStyleClass().add("step-took");
        detail.getStyleClass().add("step-detail");
        detail.setWrapText(true);
        detail.setMinHeight(Label.USE_PREF_SIZE);
        detail.setMinWidth(0);
        HBox head = new HBox(6, name, new javafx.scene.layout.Region(), at, took);
        HBox.setHgrow(head.getChildren().get(1), Priority.ALWAYS);
        head.setAlignment(Pos.BASELINE_LEFT);
        VBox text = new VBox(0, head, detail);
        HBox.setHgrow(text, Priority.ALWAYS);
        text.setMinWidth(0);
        getChildren().addAll(badge, text);
        tip.setWrapText(true);
        tip.setMaxWidth(480);
        Tooltip.install(this, tip);
    }

    void show(DrillTimeline.Row r) {
        if (r.equals(shown)) {
            return;
        }
        shown = r;
        badge.show(look(r.state()));
        name.setText(r.name());
        boolean started = r.startSeconds() >= 0;
        at.setText(started ? String.format(Locale.ROOT, "+%.1f s", r.startSeconds()) : "");
        took.setText(started ? String.format(Locale.ROOT, "%.2f s", r.seconds()) : "");
        detail.setText(r.live().isEmpty() ? r.detail() : r.detail() + " — " + r.live());
        tip.setText(r.name() + ": " + detail.getText());
        pseudoClassStateChanged(PENDING, r.state() == DrillTimeline.StepState.PENDING);
        pseudoClassStateChanged(RUNNING, r.state() == DrillTimeline.StepState.RUNNING);
        pseudoClassStateChanged(SKIPPED, r.state() == DrillTimeline.StepState.SKIPPED);
        setAccessibleText(r.name() + " " + r.state().name().toLowerCase(Locale.ROOT) + " " + took.getText());
    }

    /** The state shown (tests). */
    DrillTimeline.Row row() {
        return shown;
    }

    static StateLook look(DrillTimeline.StepState s) {
        return switch (s) {
            case PENDING -> new StateLook("", StateLook.Glyph.RING, StateLook.Tone.IDLE);
            case RUNNING -> new StateLook("", StateLook.Glyph.ARROWS, StateLook.Tone.BUSY);
            case DONE -> new StateLook("", StateLook.Glyph.CHECK, StateLook.Tone.OK);
            case SKIPPED -> new StateLook("", StateLook.Glyph.RING, StateLook.Tone.IDLE);
            case FAILED -> new StateLook("", StateLook.Glyph.CROSS, StateLook.Tone.BAD);
        };
    }
}
