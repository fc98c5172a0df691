package org.splitpoint.app.testing;

import java.util.stream.Collectors;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import org.testfx.api.FxRobot;

/** Reading the confirmation dialog on screen, for TestFX tests. */
public final class Dialogs {

    private Dialogs() {
    }

    /** The header and every label of the dialog showing {@code #stopKeep}, one per line; "" when none shows. */
    public static String stopDialogText(FxRobot robot) throws Exception {
        return FxPools.onFx(() -> robot.lookup("#stopKeep").tryQuery().map(b -> {
            DialogPane pane = (DialogPane) b.getScene().getRoot();
            String labels = pane.lookupAll(".label").stream().filter(n -> n instanceof Label)
                    .map(n -> ((Label) n).getText()).filter(t -> t != null && !t.isEmpty())
                    .collect(Collectors.joining("\n"));
            return (pane.getHeaderText() == null ? "" : pane.getHeaderText() + "\n") + labels;
        }).orElse(""));
    }
}
