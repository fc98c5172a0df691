package org.splitpoint.app.notify;

import javafx.geometry.Pos;
import javafx.stage.Window;
import org.controlsfx.control.Notifications;

/**
 * Shows the feed's notices as ControlsFX notifications in the window's bottom right corner:
 * bad news as an error that stays 20 s, the rest as information for 8 s. Clicking one closes it.
 * A long sentence is broken into lines: the popup does not wrap, and one line wider than the window
 * was cut at both ends.
 */
public final class Notices {

    private Notices() {
    }

    /** The width, in characters, of a notice's line. */
    static final int LINE = 72;
    /** The lines a notice shows at most; the event log keeps the whole sentence. */
    static final int MAX_LINES = 5;

    /** {@code text} broken at spaces into lines of at most {@link #LINE} characters (its own line breaks kept), at most {@link #MAX_LINES}. */
    static String lines(String text) {
        if (text == null) {
            return null;
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String para : text.split("\n", -1)) {
            StringBuilder line = new StringBuilder();
            for (String word : para.split(" ")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > LINE) {
                    out.add(line.toString());
                    line.setLength(0);
                }
                line.append(line.length() > 0 ? " " : "").append(word);
            }
            out.add(line.toString());
        }
        if (out.size() > MAX_LINES) {
            out = new java.util.ArrayList<>(out.subList(0, MAX_LINES));
            out.set(MAX_LINES - 1, out.get(MAX_LINES - 1) + " …");
        }
        return String.join("\n", out);
    }

    /** Shows every notice of {@code feed} over {@code owner}'s window. */
    public static void show(NoticeFeed feed, javafx.scene.Node owner) {
        feed.onNotice(n -> {
            Window w = owner.getScene() == null ? null : owner.getScene().getWindow();
            if (w == null || !w.isShowing()) {
                return; // no window to show it over (closing): the event log and the history keep it
            }
            Notifications popup = Notifications.create().title(n.title()).text(lines(n.text())).owner(w)
                    .position(Pos.BOTTOM_RIGHT).hideAfter(javafx.util.Duration.seconds(n.critical() ? 20 : 8));
            if (n.critical()) {
                popup.showError();
            } else {
                popup.showInformation();
            }
        });
    }
}
