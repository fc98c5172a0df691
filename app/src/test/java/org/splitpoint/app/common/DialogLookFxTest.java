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

    private static double topOf(Node n) {
        return n.localToScreen(n.getLayoutBounds()).getMinY();
    }

    private static void settle() {
        WaitForAsyncUtils.waitForFxEvents(5);
        WaitForAsyncUtils.sleep(200, TimeUnit.MILLISECONDS); // the fit runs later on the UI thread
        WaitForAsyncUtils.waitForFxEvents(5);
    }

    /**
     * A form's problem line that wrapped to four lines grew the dialog (at its top, its buttons kept);
     * when the sentence went, the dialog shrank back at its top and every field above moved down
     * under the mouse. It now keeps its height while open: the field and the buttons stay put.
     */
    @Test
    void aDialogGrownForALongProblemDoesNotShrinkBackWhenTheProblemGoes(FxRobot robot) throws Exception {
        Label problem = new Label();
        javafx.scene.control.TextField field = new javafx.scene.control.TextField();
        Dialog<ButtonType> d = WaitForAsyncUtils.asyncFx(() -> {
            Dialog<ButtonType> made = new Dialog<>();
            DialogLook.apply(made, stage);
            javafx.scene.layout.VBox body = new javafx.scene.layout.VBox(8, new Label("Size"), field,
                    DialogLook.problemLine(problem, made));
            body.setPrefWidth(400);
            made.getDialogPane().setContent(body);
            made.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
            made.show();
            return made;
        }).get(10, TimeUnit.SECONDS);
        settle();
        robot.interact(() -> problem.setText("a sentence long enough to wrap to several lines in a dialog four hundred "
                + "pixels wide, as the engine's refusal of an image with others building on it does, naming both images "
                + "and what to tick instead, and then some more words to make it four lines at the least"));
        settle();
        double[] grown = WaitForAsyncUtils.asyncFx(() -> new double[] {d.getHeight(), topOf(field), buttonTop(d)})
                .get(5, TimeUnit.SECONDS);
        robot.interact(() -> problem.setText(""));
        settle();
        double[] gone = WaitForAsyncUtils.asyncFx(() -> new double[] {d.getHeight(), topOf(field), buttonTop(d)})
                .get(5, TimeUnit.SECONDS);
        robot.interact(d::close);

        assertThat(gone[0]).as("the dialog's height once the problem went").isCloseTo(grown[0], Offset.offset(1.0));
        assertThat(gone[1]).as("the field's top on the screen").isCloseTo(grown[1], Offset.offset(1.0));
        assertThat(gone[2]).as("the OK button's top on the screen").isCloseTo(grown[2], Offset.offset(1.0));
    }
}
