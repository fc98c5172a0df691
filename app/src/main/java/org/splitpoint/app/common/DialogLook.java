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

    private DialogLook() {
    }

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
        if (owner != null && owner.getScene() != null) {
            d.getDialogPane().getStylesheets().setAll(owner.getScene().getRoot().getStylesheets());
            d.getDialogPane().getStyleClass().addAll(owner.getScene().getRoot().getStyleClass());
        } else {
            d.getDialogPane().getStylesheets().add(Fxml.resource("Theme.css").toExternalForm());
        }
    }

    /**
     * A form's problem line that keeps its room while it is empty (one line: a form's sentence of
     * one line then moves nothing), wraps a longer sentence and fits the dialog to it. Replaces a
     * line laid out only while it said something, which grew and shrank the dialog at each keystroke
     * that made the form right or wrong.
     */
    public static void problemLine(javafx.scene.control.Label line, Dialog<?> d) {
        line.setWrapText(true);
        line.setMinHeight(javafx.scene.control.Label.USE_PREF_SIZE); // an empty label is one line tall
        line.textProperty().addListener(o -> fit(d));
    }

    /**
     * Later on the UI thread: the dialog's window takes its content's size again with its bottom edge
     * where it was, so its buttons stay under the mouse (it grows or shrinks at its top), and moves
     * as far as needed to stay on its screen, so its buttons are never below the screen's edge.
     */
    public static void fit(Dialog<?> d) {
        Platform.runLater(() -> {
            Window w = d.getDialogPane().getScene() == null ? null : d.getDialogPane().getScene().getWindow();
            if (w == null || !w.isShowing()) {
                return;
            }
            double x = w.getX();
            double bottom = w.getY() + w.getHeight();
            w.sizeToScene();
            if (!Double.isNaN(bottom)) {
                w.setX(x);
                w.setY(bottom - w.getHeight());
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
        });
    }
}
