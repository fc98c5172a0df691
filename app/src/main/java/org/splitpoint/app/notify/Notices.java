package org.splitpoint.app.notify;

import javafx.geometry.Pos;
import javafx.stage.Window;
import org.controlsfx.control.Notifications;

/**
 * Shows the feed's notices as ControlsFX notifications in the window's bottom right corner:
 * bad news as an error that stays 20 s, the rest as information for 8 s. Clicking one closes it.
 */
public final class Notices {

    private Notices() {
    }

    /** Shows every notice of {@code feed} over {@code owner}'s window. */
    public static void show(NoticeFeed feed, javafx.scene.Node owner) {
        feed.onNotice(n -> {
            Window w = owner.getScene() == null ? null : owner.getScene().getWindow();
            if (w == null || !w.isShowing()) {
                return; // no window to show it over (closing): the event log and the history keep it
            }
            Notifications popup = Notifications.create().title(n.title()).text(n.text()).owner(w)
                    .position(Pos.BOTTOM_RIGHT).hideAfter(javafx.util.Duration.seconds(n.critical() ? 20 : 8));
            if (n.critical()) {
                popup.showError();
            } else {
                popup.showInformation();
            }
        });
    }
}
