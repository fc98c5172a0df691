package org.splitpoint.app.pool;

import java.util.List;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.DoubleBinding;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;
import org.controlsfx.control.StatusBar;

/**
 * The status bar's two sentences share the room its fixed items (health, summary, host I/O) leave:
 * the standing problems on the left and the last action's message on the right. The bar's grid gave
 * the problems' line all it wanted, and a drive image's removal, whose sentence names the image's
 * whole path, left the message "1..." (at 1310 px) or nothing (at 1024 px). Now the problems take
 * at most half of what is left while there is a message, all of it otherwise.
 *
 * <p>The bar is one line, as a status bar is: each sentence ends in an ellipsis where its share ends, and
 * is whole in its label's tooltip. Sentences wrapped within
 * their shares once, the bar growing to their lines, and each long message then took a line or two
 * from the view above it and gave them back when the next short one came, the whole window's
 * content jumping by a line (13 px and more) as actions ended.
 *
 * <p>At 1024 px the fixed items leave a message about 290 px. The pool's summary ("12 drives · 4
 * volumes · 1 pair · no jobs running", which the navigation tree and the Jobs panel say too) gives
 * its room to a message that would not fit beside it, and is back once the message fits or goes.
 * UI thread only.
 */
final class StatusShare {

    /** The grid's gaps, the bar's insets and the window's edges: room neither sentence gets, px. */
    private static final double RESERVED = 60;
    /** The jobs' progress bar while jobs run, with its gap, px. */
    private static final double PROGRESS = 110;
    /** Below this a sentence says nothing useful; the problems keep it even in a narrow window, px. */
    private static final double LEAST = 120;

    /** The bar's height with one line, as ControlsFX sets it, px. */
    private static final double BAR_HEIGHT = 30;

    private StatusShare() {
    }

    /**
     * Sizes {@code problems} (in the bar's left items, after {@code fixed}) to its share; the bar's grid
     * gives the right items, {@code message}, what the left ones leave.
     */
    static void between(StatusBar bar, Label problems, Label message, List<Region> fixed, Region yielding) {
        // the window's width, not the bar's: the bar grows with its items' minimum, which this sets, so
        // reading its own width kept the first layout's width (the problem's whole sentence) for good
        // and the window's content ran past its right edge
        javafx.beans.binding.DoubleBinding window = Bindings.selectDouble(bar.sceneProperty(), "width");
        Observable[] deps = new Observable[fixed.size() + 5];
        deps[0] = window;
        deps[1] = bar.progressProperty();
        deps[2] = message.textProperty();
        deps[3] = problems.textProperty();
        deps[4] = yielding.managedProperty();
        for (int i = 0; i < fixed.size(); i++) {
            deps[i + 5] = fixed.get(i).widthProperty();
        }
        // the summary steps aside for a message that would not fit on the line beside it (measured
        // with the summary's own width, shown or not, so its stepping aside does not bring it back)
        javafx.beans.binding.BooleanBinding yields = Bindings.createBooleanBinding(() -> {
            String m = message.getText();
            if (m == null || m.isEmpty()) {
                return false;
            }
            double left = window.get() - RESERVED - (bar.getProgress() > 0 ? PROGRESS : 0);
            for (Region r : fixed) {
                left -= (r == yielding ? yielding.prefWidth(-1) : r.getWidth()) + 14;
            }
            double toProblems = problems.getText() == null || problems.getText().isEmpty() ? 0
                    : Math.min(Math.max(LEAST, left / 2), problems.prefWidth(-1));
            // the text's own width: the label's preference lags its text until its skin has seen it
            javafx.scene.text.Text one = new javafx.scene.text.Text(m);
            one.setFont(message.getFont());
            return one.getLayoutBounds().getWidth() > left - toProblems;
        }, java.util.stream.Stream.concat(java.util.Arrays.stream(deps).filter(d -> d != deps[4]),
                java.util.stream.Stream.of(message.fontProperty())).toArray(Observable[]::new));
        yielding.visibleProperty().bind(yields.not());
        yielding.managedProperty().bind(yielding.visibleProperty());
        DoubleBinding room = Bindings.createDoubleBinding(() -> {
            double left = window.get() - RESERVED - (bar.getProgress() > 0 ? PROGRESS : 0);
            for (Region r : fixed) {
                if (r.isManaged()) {
                    left -= r.getWidth() + 14; // .left-items spacing
                }
            }
            boolean sharing = message.getText() != null && !message.getText().isEmpty();
            double share = Math.max(LEAST, sharing ? left / 2 : left);
            return Math.min(share, problems.getText() == null || problems.getText().isEmpty() ? 0
                    : problems.prefWidth(-1));
        }, deps);
        // beside a message, min and max alike: the grid shrinks the left items to their minimum first,
        // and the problems had none, so they showed nothing at 1024 px once the message had its due;
        // alone, only a least minimum, so the bar never asks the window for more than it has
        problems.minWidthProperty().bind(Bindings.createDoubleBinding(() -> message.getText() == null
                || message.getText().isEmpty() ? Math.min(LEAST, room.get()) : room.get(), room, message.textProperty()));
        problems.maxWidthProperty().bind(room);
        whole(problems);
        whole(message);
        oneLine(problems);
        oneLine(message);
        // one line tall whatever the sentences: ControlsFX's skin computed a minimum of 60 px with items of
        // 31 px or less (a one-line message at 1440x900 left the bar two lines tall), so its sizes are set
        // (a line of the message's font and its padding, should a theme's font want more than ControlsFX's 30 px)
        DoubleBinding line = Bindings.createDoubleBinding(() -> {
            javafx.scene.text.Text one = new javafx.scene.text.Text("Xg");
            one.setFont(message.getFont());
            return Math.max(BAR_HEIGHT, Math.ceil(one.getLayoutBounds().getHeight()) + 12);
        }, message.fontProperty());
        bar.minHeightProperty().bind(line);
        bar.prefHeightProperty().bind(line);
        bar.maxHeightProperty().bind(line);
    }

    /** The label stays on one line, ending in an ellipsis where its share ends; its tooltip has the rest. */
    private static void oneLine(Label l) {
        l.setWrapText(false);
        l.setTextOverrun(javafx.scene.control.OverrunStyle.ELLIPSIS);
    }

    /** The label's whole text as its tooltip, since the bar may show it ellipsised. */
    private static void whole(Label l) {
        Tooltip t = new Tooltip();
        t.setWrapText(true);
        t.setMaxWidth(520);
        t.setShowDelay(javafx.util.Duration.millis(300)); // the only place a cut sentence is read whole here
        t.textProperty().bind(l.textProperty());
        l.setTooltip(t);
    }
}
