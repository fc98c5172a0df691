package org.splitpoint.app.common;

import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.control.Dialog;
import javafx.stage.Screen;
import javafx.stage.Window;

/**
 * Gives a dialog the window's look: its stylesheets and theme (light or dark), as the window's own
 * dialogs have; and fits a dialog whose content grew after it was shown (a preview read in the
 * background, a sentence that wraps) to that content, inside its screen, its buttons' row kept where
 * it was: a dialog that grew downwards when a problem line appeared moved its buttons under the
 * mouse, the one about to be clicked among them.
 */
public final class DialogLook {

    /** The style class the window's root carries in the dark theme (none in the light one). */
    public static final String DARK = "theme-dark";

    private DialogLook() {
    }

    /**
     * Every dialog of the app is made through here, once, before it is shown: its owner, the owner's
     * stylesheets and theme class, and its buttons' row kept still when it grows. With no owner's scene
     * (none shown yet) it takes the app's own stylesheets, light.
     */
    public static void apply(Dialog<?> d, Window owner) {
        d.initOwner(owner);
        // whatever resizes the dialog once shown (a fit, a line that sizes its window to its new lines, as the
        // journal dialog's notes do), its bottom edge, the buttons' row, stays where it was: Enable journal grew
        // 16 px downwards when a field's two-line problem replaced its one-line note, the buttons with it
        d.heightProperty().addListener((o, was, now) -> {
            if (d.isShowing() && was.doubleValue() > 0 && !Double.isNaN(was.doubleValue()) && !Double.isNaN(d.getY())) {
                d.setY(d.getY() - (now.doubleValue() - was.doubleValue()));
            }
        });
        javafx.scene.control.DialogPane pane = d.getDialogPane();
        if (owner != null && owner.getScene() != null) {
            javafx.scene.Parent root = owner.getScene().getRoot();
            pane.getStylesheets().setAll(root.getStylesheets());
            for (String c : root.getStyleClass()) {
                if (!pane.getStyleClass().contains(c)) {
                    pane.getStyleClass().add(c);
                }
            }
            // a dialog left open (the non-modal ones: the holder went away) follows the window when its
            // theme is switched (Ctrl+Shift+D), instead of staying white on a dark window or dark on a light one
            javafx.collections.ListChangeListener<String> follow = change -> {
                boolean dark = root.getStyleClass().contains(DARK);
                if (dark && !pane.getStyleClass().contains(DARK)) {
                    pane.getStyleClass().add(DARK);
                } else if (!dark) {
                    pane.getStyleClass().remove(DARK);
                }
            };
            root.getStyleClass().addListener(follow);
            d.addEventHandler(javafx.scene.control.DialogEvent.DIALOG_HIDDEN,
                    e -> root.getStyleClass().removeListener(follow));
        } else {
            pane.getStylesheets().addAll(Fxml.resource("Theme.css").toExternalForm(),
                    Fxml.resource("PoolView.css").toExternalForm()); // the form styles (.form-error) are there
        }
    }

    /**
     * A form's problem line in a room two lines tall, empty or not (a form's sentence of one or two
     * lines then moves nothing), that wraps a longer sentence and fits the dialog to it; the caller lays
     * out the room returned, not the line. Replaces a line laid out only while it said something, which
     * grew and shrank the dialog at each keystroke that made the form right or wrong; and then a room
     * one line tall, which grew the dialog 16 px at its top when a sentence wrapped (by hand at 1024x700
     * in New volume: "9G" typed into Size, two lines, every field 16 px up under the mouse, and the next
     * click meant for Size landed on its note). An invisible two-line label of the line's style keeps the
     * room, as Enable journal's store line does; a minimum bound to the line's width instead was asked
     * during the dialog's own sizing at passing widths and grew it by lines it never showed.
     */
    public static javafx.scene.Node problemLine(javafx.scene.control.Label line, Dialog<?> d) {
        line.setWrapText(true);
        line.setMinHeight(javafx.scene.control.Label.USE_PREF_SIZE); // a longer sentence is never cut: it grows the room
        line.textProperty().addListener(o -> fit(d));
        return twoLinesTall(line);
    }

    /**
     * {@code line} in a room at least two lines tall, so that a sentence of one line or two moves
     * nothing around it (a longer one still grows the room): an invisible label of two lines, in the
     * line's style classes as they change, under the line. The form's problem line above, and the
     * Enable journal dialog's store, size and age lines, whose notes change at every key typed.
     */
    public static javafx.scene.layout.StackPane twoLinesTall(javafx.scene.control.Label line) {
        javafx.scene.control.Label room = new javafx.scene.control.Label("I\nI"); // two lines of the line's font, never shown
        javafx.beans.binding.Bindings.bindContent(room.getStyleClass(), line.getStyleClass());
        room.setMinHeight(javafx.scene.control.Label.USE_PREF_SIZE);
        room.setVisible(false);
        javafx.scene.layout.StackPane p = new javafx.scene.layout.StackPane(room, line);
        p.setAlignment(javafx.geometry.Pos.TOP_LEFT);
        return p;
    }

    /**
     * Later on the UI thread: {@link #fitNow} for the dialog's window, once its content's sizes are known.
     */
    public static void fit(Dialog<?> d) {
        Platform.runLater(() -> fitNow(d.getDialogPane().getScene() == null ? null : d.getDialogPane().getScene().getWindow()));
    }

    /**
     * A shown dialog's window whose content needs more height takes its content's size, with its bottom
     * edge where it was, so its buttons stay under the mouse (it grows at its top), and moves as far as
     * needed to stay on its screen, so its buttons are never below the screen's edge. It grows for a
     * longer sentence but does not shrink back while open: Delete image lost 72 px at its top when its
     * four-line refusal went away (the chain's box ticked), every line above the buttons moving under
     * the mouse; the room left stays blank above the buttons until the dialog closes, as a line that
     * may come back would need it again.
     */
    public static void fitNow(Window w) {
        if (w == null || !w.isShowing()) {
            return;
        }
        if (wantsTaller(w)) {
            double x = w.getX();
            double bottom = w.getY() + w.getHeight();
            w.sizeToScene();
            if (!Double.isNaN(bottom)) {
                w.setX(x);
                w.setY(bottom - w.getHeight());
            }
        }
        var screens = Screen.getScreensForRectangle(w.getX(), w.getY(), w.getWidth(), w.getHeight());
        Rectangle2D b = (screens.isEmpty() ? Screen.getPrimary() : screens.get(0)).getVisualBounds();
        if (w.getY() + w.getHeight() > b.getMaxY()) {
            w.setY(Math.max(b.getMinY(), b.getMaxY() - w.getHeight()));
        }
        if (w.getY() < b.getMinY()) { // grown past the screen's top: its buttons go down rather than its title out
            w.setY(b.getMinY());
        }
        if (w.getX() + w.getWidth() > b.getMaxX()) {
            w.setX(Math.max(b.getMinX(), b.getMaxX() - w.getWidth()));
        }
    }

    /**
     * True when the window's content needs more height than the window has (at its width): only then
     * is it sized to its scene. Sized to a shorter scene it shrank; and sizing it back up at once after
     * (tried first) made it flap between the two heights under X, whose window sizes and places arrive
     * later than asked, the buttons' row ending 16 px lower in New volume (by hand under Xvfb).
     */
    private static boolean wantsTaller(Window w) {
        javafx.scene.Scene scene = w.getScene();
        if (scene == null || scene.getRoot() == null || Double.isNaN(scene.getHeight())) {
            return true;
        }
        return scene.getRoot().prefHeight(scene.getWidth()) > scene.getHeight() + 0.5;
    }

    /**
     * {@code line} (a refusal above what it refuses) is laid out from the first time it says something
     * until its dialog closes, and keeps the tallest height it took: when the sentence goes, what sits
     * under it stays where it is instead of moving up under the mouse; hidden while it says nothing.
     */
    public static void keepsItsRoom(javafx.scene.control.Label line) {
        line.setWrapText(true);
        line.setMinHeight(javafx.scene.control.Label.USE_PREF_SIZE);
        line.visibleProperty().bind(line.textProperty().isNotEmpty());
        line.setManaged(line.isVisible());
        line.visibleProperty().addListener((o, was, now) -> {
            if (now) {
                line.setManaged(true);
            }
        });
        line.heightProperty().addListener((o, was, now) -> {
            if (line.isVisible() && now.doubleValue() > line.getMinHeight()) {
                line.setMinHeight(now.doubleValue()); // then the tallest it was: a shorter sentence or none keeps it
            }
        });
    }
}
