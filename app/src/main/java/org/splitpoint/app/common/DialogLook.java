package org.splitpoint.app.common;

import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.control.Dialog;
import javafx.stage.Screen;
import javafx.stage.Window;

/**
 * Gives a dialog the window's look: its stylesheets and theme (light or dark), as the window's own
 * dialogs have; and fits a dialog whose content grew after it was shown (a preview read in the
 * background, a sentence that wraps) to that content, inside its screen.
 */
public final class DialogLook {

    private DialogLook() {
    }

    public static void apply(Dialog<?> d, Window owner) {
        d.initOwner(owner);
        if (owner != null && owner.getScene() != null) {
            d.getDialogPane().getStylesheets().setAll(owner.getScene().getRoot().getStylesheets());
            d.getDialogPane().getStyleClass().addAll(owner.getScene().getRoot().getStyleClass());
        } else {
            d.getDialogPane().getStylesheets().add(Fxml.resource("Theme.css").toExternalForm());
        }
    }

    /**
     * Later on the UI thread: the dialog's window takes its content's size again, and moves up (or
     * left) as far as needed to stay on its screen, so its buttons are never below the screen's edge.
     */
    public static void fit(Dialog<?> d) {
        Platform.runLater(() -> {
            Window w = d.getDialogPane().getScene() == null ? null : d.getDialogPane().getScene().getWindow();
            if (w == null || !w.isShowing()) {
                return;
            }
            w.sizeToScene();
            var screens = Screen.getScreensForRectangle(w.getX(), w.getY(), w.getWidth(), w.getHeight());
            Rectangle2D b = (screens.isEmpty() ? Screen.getPrimary() : screens.get(0)).getVisualBounds();
            if (w.getY() + w.getHeight() > b.getMaxY()) {
                w.setY(Math.max(b.getMinY(), b.getMaxY() - w.getHeight()));
            }
            if (w.getX() + w.getWidth() > b.getMaxX()) {
                w.setX(Math.max(b.getMinX(), b.getMaxX() - w.getWidth()));
            }
        });
    }
}
