package org.splitpoint.app.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A dialog given the window's look keeps its buttons' row where it was when its window is sized to
 * new content after it is shown: the Enable journal dialog sizes its window to a field's line when
 * the line wraps (a two-line problem in place of a one-line note), and it grew downwards, its buttons
 * 16 px lower under the mouse (by hand, at 1024x700).
 */
@ExtendWith(ApplicationExtension.class)
class DialogLookFxTest {

    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        stage.setScene(new Scene(new StackPane(), 800, 600));
        stage.setX(0);
        stage.setY(0);
        stage.show();
    }

    private static double buttonTop(Dialog<?> d) {
        Node ok = d.getDialogPane().lookupButton(ButtonType.OK);
        Bounds b = ok.localToScreen(ok.getLayoutBounds());
        return b.getMinY();
    }

    @Test
    void aShownDialogSizedToLongerContentKeepsItsButtonsStill(FxRobot robot) throws Exception {
        Label line = new Label("one line");
        line.setWrapText(true);
        line.setMinHeight(Label.USE_PREF_SIZE);
        Dialog<ButtonType> d = WaitForAsyncUtils.asyncFx(() -> {
            Dialog<ButtonType> made = new Dialog<>();
            DialogLook.apply(made, stage);
            made.getDialogPane().setContent(new StackPane(line));
            made.getDialogPane().setPrefWidth(400);
            made.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
            made.show();
            return made;
        }).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents(5);
        double[] before = WaitForAsyncUtils.asyncFx(() -> new double[] {buttonTop(d), d.getHeight()}).get(5, TimeUnit.SECONDS);

        robot.interact(() -> { // as the journal dialog's lines do: new text, then the window sized to its scene
            line.setText("a sentence long enough to wrap to several lines in a dialog four hundred pixels wide, "
                    + "as a field's problem does in place of its note, and then some more words to make it three");
            d.getDialogPane().getScene().getWindow().sizeToScene();
        });
        WaitForAsyncUtils.waitForFxEvents(5);
        double[] after = WaitForAsyncUtils.asyncFx(() -> new double[] {buttonTop(d), d.getHeight()}).get(5, TimeUnit.SECONDS);
        robot.interact(d::close);

        assertThat(after[1]).as("the dialog grew").isGreaterThan(before[1] + 10);
        assertThat(after[0]).as("the OK button's top on the screen").isCloseTo(before[0], Offset.offset(1.0));
    }
}
