package org.splitpoint.app.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The drill's "Writes for" seconds take digits only: letters typed there threw NumberFormatException
 * on the UI thread when the field lost focus and stayed in the field beside a plan of 5 s (seen by
 * hand); an emptied field left the spinner without a value.
 */
@ExtendWith(ApplicationExtension.class)
class DrillSecondsFxTest {

    @TempDir
    static Path tmp;
    private FxPools fx;
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler before;

    @Start
    void start(Stage stage) throws Exception {
        fx = FxPools.open(stage, TestPools.plain(tmp.resolve("t" + System.nanoTime()), 16L << 20), List.of());
        before = Thread.currentThread().getUncaughtExceptionHandler();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    }

    @AfterEach
    void close() throws Exception {
        onFx(() -> {
            Thread.currentThread().setUncaughtExceptionHandler(before);
            return null;
        });
        fx.close();
    }

    private void typeInto(FxRobot robot, Node field, String text) {
        robot.doubleClickOn(field).press(KeyCode.CONTROL, KeyCode.A).release(KeyCode.A, KeyCode.CONTROL)
                .type(KeyCode.BACK_SPACE);
        if (!text.isEmpty()) {
            robot.write(text);
        }
        robot.type(KeyCode.TAB); // the field loses focus: what was typed counts
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The Drills view's "Writes for" spinner, the view opened. */
    private static Spinner<Integer> writesFor(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-drills").tryQuery().isPresent());
        robot.clickOn("#nav-drills");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#drillWritesFor").tryQuery().isPresent());
        return robot.lookup("#drillWritesFor").query();
    }

    @Test
    void lettersAreNotTakenAndAnEmptiedFieldKeepsItsSeconds(FxRobot robot) throws Exception {
        Spinner<Integer> spinner = writesFor(robot);
        TextField editor = onFx(spinner::getEditor);

        typeInto(robot, editor, "abc");
        assertThat(uncaught).as("nothing thrown on the UI thread").isEmpty();
        assertThat(onFx(() -> (Object) editor.getText())).isEqualTo("5");
        assertThat(onFx(() -> fx.vm.drills().form().writesForProperty().get())).isEqualTo(5);

        typeInto(robot, editor, "");
        assertThat(uncaught).isEmpty();
        assertThat(onFx(() -> (Object) spinner.getValue())).as("an emptied field keeps the value it had").isEqualTo(5);
        assertThat(onFx(() -> (Object) editor.getText())).isEqualTo("5");

        typeInto(robot, editor, "7");
        assertThat(onFx(() -> fx.vm.drills().form().writesForProperty().get())).isEqualTo(7);
        assertThat(uncaught).isEmpty();
    }

    /** 99999 typed in "Writes for" became 600 without a word; it stays as typed and Start says why not. */
    @Test
    void aNumberTypedOutOfRangeIsRefusedAsTypedNotCappedInSilence(FxRobot robot) throws Exception {
        Spinner<Integer> spinner = writesFor(robot);
        TextField editor = onFx(spinner::getEditor);

        typeInto(robot, editor, "99999");
        assertThat(onFx(() -> (Object) editor.getText())).isEqualTo("99999");
        assertThat(onFx(() -> fx.vm.drills().form().writesForProperty().get())).isEqualTo(99999);
        javafx.scene.control.Label blocked = robot.lookup("#startBlocked").query();
        assertThat(onFx(() -> (Object) blocked.getText())).isEqualTo("the writes last 1 to 600 s, not 99999 s");
        assertThat(onFx(() -> robot.lookup("#startDrill").query().isDisabled())).isTrue();

        onFx(() -> {
            spinner.decrement(); // the arrows step back into the range
            return null;
        });
        assertThat(onFx(() -> fx.vm.drills().form().writesForProperty().get())).isEqualTo(600);
        assertThat(onFx(() -> (Object) blocked.getText())).isNotEqualTo("the writes last 1 to 600 s, not 99999 s");
        assertThat(uncaught).isEmpty();
    }

    /** "-3" typed became 3, the sign dropped in silence (by hand); it is -3 now, and Start says why not. */
    @Test
    void aNegativeNumberIsRefusedInWordsNotTakenWithoutItsSign(FxRobot robot) throws Exception {
        Spinner<Integer> spinner = writesFor(robot);
        TextField editor = onFx(spinner::getEditor);

        typeInto(robot, editor, "-3");
        assertThat(onFx(() -> (Object) editor.getText())).isEqualTo("-3");
        assertThat(onFx(() -> fx.vm.drills().form().writesForProperty().get())).isEqualTo(-3);
        javafx.scene.control.Label blocked = robot.lookup("#startBlocked").query();
        assertThat(onFx(() -> (Object) blocked.getText())).isEqualTo("the writes last 1 to 600 s, not -3 s");
        assertThat(onFx(() -> robot.lookup("#startDrill").query().isDisabled())).isTrue();

        typeInto(robot, editor, "-");
        assertThat(onFx(() -> (Object) editor.getText())).as("a lone sign keeps the value it had").isEqualTo("-3");
        assertThat(uncaught).isEmpty();
    }

    /**
     * "1.5" typed became 15 without a word: the point was refused and the 5 kept (h132 by hand). A
     * fraction is not taken now: the field goes back to its seconds and a note under it says why;
     * a letter typed is refused with a note too. "7.0" is 7.
     */
    @Test
    void aFractionIsNotTakenAndANoteSaysWhy(FxRobot robot) throws Exception {
        Spinner<Integer> spinner = writesFor(robot);
        TextField editor = onFx(spinner::getEditor);

        typeInto(robot, editor, "1.5");
        assertThat(onFx(() -> (Object) editor.getText())).isEqualTo("5");
        assertThat(onFx(() -> fx.vm.drills().form().writesForProperty().get())).isEqualTo(5);
        assertThat(onFx(() -> org.splitpoint.app.common.WholeNumberSpinner.refusalShown(spinner)))
                .isEqualTo("Whole seconds only: 1.5 is not taken; 5 stays.");

        typeInto(robot, editor, "7.0");
        assertThat(onFx(() -> fx.vm.drills().form().writesForProperty().get())).isEqualTo(7);

        robot.clickOn(editor).write("x");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(onFx(() -> org.splitpoint.app.common.WholeNumberSpinner.refusalShown(spinner)))
                .isEqualTo("Whole seconds only: 'x' is not taken.");
        assertThat(uncaught).isEmpty();
    }
}
