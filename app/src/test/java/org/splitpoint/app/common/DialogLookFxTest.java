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

    /**
     * Delete image with images building on it: the refusal (four lines: tick the chain's box) is said
     * before the name is asked, the name's field takes nothing meanwhile, and ticking the box makes the
     * refusal go without the field or the buttons moving (the dialog lost 72 px at its top, by hand
     * under Xvfb at 1440x900: 413 then 341 px tall).
     */
    @Test
    void aTypedConfirmationSaysItsRefusalBeforeTheNameAndKeepsStillWhenItGoes(FxRobot robot) throws Exception {
        javafx.scene.control.CheckBox chain = new javafx.scene.control.CheckBox("and the images that build on it (1)");
        var refused = javafx.beans.binding.Bindings.createStringBinding(() -> chain.isSelected() ? ""
                : "image full-1 is the parent of inc-2; deleting it would break their chain: delete those first, or tick "
                + "\u201cand the images that build on it\u201d to delete them too, as a sentence of four lines does",
                chain.selectedProperty());
        Confirmation c = new Confirmation("Delete image", "Delete full-1?",
                java.util.List.of("Deleting image full-1 cannot be undone."), "full-1", "Delete");
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        javafx.application.Platform.runLater(() -> answered.set(TypedConfirmDialog.ask(stage, c, chain, refused)));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        settle();
        javafx.scene.control.TextField name = robot.lookup("#confirmName").queryAs(javafx.scene.control.TextField.class);
        Label why = robot.lookup("#confirmRefused").queryAs(Label.class);
        javafx.scene.control.Button go = robot.lookup("#confirmAction").queryAs(javafx.scene.control.Button.class);
        double[] refusedAt = WaitForAsyncUtils.asyncFx(() -> new double[] {name.getScene().getWindow().getHeight(),
                topOf(name), topOf(go), topOf(why)}).get(5, TimeUnit.SECONDS);
        assertThat(name.isDisabled()).as("no name asked while the delete would be refused").isTrue();
        assertThat(refusedAt[3]).as("the refusal above the name's field").isLessThan(refusedAt[1]);
        assertThat(go.isDisabled()).isTrue();

        robot.interact(() -> chain.setSelected(true));
        settle();
        double[] allowedAt = WaitForAsyncUtils.asyncFx(() -> new double[] {name.getScene().getWindow().getHeight(),
                topOf(name), topOf(go)}).get(5, TimeUnit.SECONDS);
        assertThat(why.getText()).isEmpty();
        assertThat(name.isDisabled()).as("the name asked once allowed").isFalse();
        assertThat(allowedAt[0]).as("the dialog's height once the refusal went").isCloseTo(refusedAt[0], Offset.offset(1.0));
        assertThat(allowedAt[1]).as("the name field's top").isCloseTo(refusedAt[1], Offset.offset(1.0));
        assertThat(allowedAt[2]).as("the Delete button's top").isCloseTo(refusedAt[2], Offset.offset(1.0));
        robot.interact(() -> name.setText("full-1"));
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(go.isDisabled()).isFalse();
        robot.interact(go::fire);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, answered::get);
    }
}
