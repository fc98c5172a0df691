package org.splitpoint.app.notify;

import javafx.animation.FadeTransition;
import javafx.animation.PauseTransition;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * The feed's notices as cards stacked in the window's bottom right corner, inside the window's own
 * scene: bad news red and for 20 s, the rest for 8 s; a click closes one; at most {@link #MAX_SHOWN}
 * at once (the oldest goes). Why not ControlsFX's Notifications, as before: each of its popups is a
 * window of its own, whose creation and first styling held the window's thread for 100-300 ms during
 * a restore (bench/gui-bench.sh, 2026-12-04), and it did not follow the dark theme.
 */
public final class NoticeStack extends VBox {

    /** Cards shown at most; a burst of bursts does not cover the window. */
    static final int MAX_SHOWN = 4;
    private static final Duration FADE = Duration.millis(180);
    /** One tooltip for every card (a tooltip is a popup window of its own when it shows). */
    private final javafx.scene.control.Tooltip closeTip = new javafx.scene.control.Tooltip("Click to close; Jobs › History and the event log keep it");

    public NoticeStack() {
        getStyleClass().add("notice-stack");
        setId("notices");
        setAlignment(Pos.BOTTOM_RIGHT);
        setSpacing(8);
        setMaxSize(Region.USE_PREF_SIZE, Region.USE_PREF_SIZE);
        setPickOnBounds(false); // the window under the gaps between cards stays clickable
        setFillWidth(true);
    }

    /** Shows every notice of {@code feed} here. */
    public void follow(NoticeFeed feed) {
        feed.onNotice(this::show);
    }

    /** Adds {@code n}'s card at the bottom; it closes by itself after its time or when clicked. */
    public void show(Notice n) {
        Label title = new Label(n.title());
        title.getStyleClass().add("notice-title");
        Label text = new Label(Notices.lines(n.text()));
        text.getStyleClass().add("notice-text");
        VBox card = new VBox(2, title, text);
        card.getStyleClass().addAll("notice", n.critical() ? "notice-critical" : "notice-info");
        card.setAccessibleText(n.title() + ": " + n.text());
        javafx.scene.control.Tooltip.install(card, closeTip);
        if (getChildren().size() >= MAX_SHOWN) {
            getChildren().remove(0);
        }
        getChildren().add(card);
        PauseTransition stay = new PauseTransition(Duration.seconds(n.critical() ? 20 : 8));
        stay.setOnFinished(e -> fadeOut(card));
        card.setOnMouseClicked(e -> {
            stay.stop();
            getChildren().remove(card);
        });
        stay.play();
    }

    private void fadeOut(VBox card) {
        if (!getChildren().contains(card)) {
            return;
        }
        FadeTransition fade = new FadeTransition(FADE, card);
        fade.setToValue(0);
        fade.setOnFinished(e -> getChildren().remove(card));
        fade.play();
    }
}
