package org.splitpoint.app.session;

import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.Window;

/**
 * Says that the process the app was attached to (it held the pool) went away, so the views are no
 * longer live, and offers to open the pool in this app. Non-modal: the last picture of the pool
 * stays readable behind it. "Keep looking" is the default, since opening takes the pool's lock.
 */
public final class HolderGoneDialog {

    public static final ButtonType OPEN_HERE = new ButtonType("Open the pool here", ButtonBar.ButtonData.YES);
    public static final ButtonType KEEP = new ButtonType("Keep looking", ButtonBar.ButtonData.CANCEL_CLOSE);

    private HolderGoneDialog() {
    }

    /** Shows the question; {@code openHere} runs when the administrator chooses to open the pool here. */
    public static Alert show(Window owner, String pool, String why, Runnable openHere) {
        Alert a = new Alert(Alert.AlertType.WARNING, "", OPEN_HERE, KEEP);
        org.splitpoint.app.common.DialogLook.apply(a, owner);
        a.setTitle("The pool's holder went away");
        a.setHeaderText("Pool " + pool + " is no longer shown live");
        a.setContentText(why + ".\n\nNo process holds the pool now unless another one took it meanwhile. Open it in this"
                + " app to carry on (its jobs resume here), or keep looking at its last picture.");
        Button open = (Button) a.getDialogPane().lookupButton(OPEN_HERE);
        open.setId("holderGoneOpen");
        open.setDefaultButton(false);
        Button keep = (Button) a.getDialogPane().lookupButton(KEEP);
        keep.setId("holderGoneKeep");
        keep.setDefaultButton(true);
        a.resultProperty().addListener((o, was, now) -> {
            if (now == OPEN_HERE) {
                openHere.run();
            }
        });
        a.show();
        return a;
    }
}
