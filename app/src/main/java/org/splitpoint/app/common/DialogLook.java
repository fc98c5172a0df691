package org.splitpoint.app.common;

import javafx.scene.control.Dialog;
import javafx.stage.Window;

/** Gives a dialog the window's look: its stylesheets and theme (light or dark), as the window's own dialogs have. */
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
}
