package org.splitpoint.app.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Add store dialog looks at the typed path off the FX thread: a path whose look hangs (an
 * automounted or dead network directory) leaves the window answering, and its sentence shows when
 * the look ends (after a moment without it, the dialog says the look has not answered). The look ran in
 * the field's listener on the FX thread, so each key froze the window for as long as the file system took.
 */
@ExtendWith(ApplicationExtension.class)
class AddStoreDialogFxTest {

    private static final String SLOW = "/net/gone/backups";

    private Stage stage;
    private final CountDownLatch slowLookEnds = new CountDownLatch(1);
    private final CountDownLatch slowAnswered = new CountDownLatch(1);
    private final CompletableFuture<Optional<String>> answer = new CompletableFuture<>();

    @Start
    void start(Stage stage) {
        this.stage = stage;
        stage.setScene(new Scene(new StackPane(), 400, 300));
        stage.show();
    }

    @AfterEach
    void release() {
        slowLookEnds.countDown();
    }

    /** A look at the file system that hangs on SLOW until the test lets it end; others answer at once. */
    private String look(String typed) {
        if (SLOW.equals(typed)) {
            try {
                slowLookEnds.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "the backup store " + typed + " does not answer";
        }
        return "";
    }

    /** The judge as the app's: the look on a background thread, its answer on the FX thread. */
    private void judge(String typed, Consumer<String> onFx) {
        Thread t = new Thread(() -> {
            String why = look(typed);
            Platform.runLater(() -> {
                onFx.accept(why);
                if (SLOW.equals(typed)) {
                    slowAnswered.countDown();
                }
            });
        }, "test-look");
        t.setDaemon(true);
        t.start();
    }

    private void open(FxRobot robot) throws Exception {
        Platform.runLater(() -> answer.complete(AddStoreDialog.ask(stage, "Add a backup store", null, this::judge)));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#storePath").tryQuery().isPresent());
    }

    private static String problem(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup("#storeProblem").queryAs(Label.class).getText());
    }

    @Test
    void aPathWhoseLookHangsLeavesTheWindowAnswering(FxRobot robot) throws Exception {
        open(robot);
        TextField field = robot.lookup("#storePath").queryAs(TextField.class);
        WaitForAsyncUtils.asyncFx(() -> field.setText(SLOW)); // as if pasted

        // the FX thread runs other work while the look hangs (it was held in the field's listener)
        assertThat(WaitForAsyncUtils.asyncFx(() -> field.getText()).get(3, TimeUnit.SECONDS)).isEqualTo(SLOW);
        // after a moment the dialog says the look has not answered, and Add store waits
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> problem(robot).startsWith("looking at " + SLOW + "…"));
        assertThat(onFx(() -> robot.lookup("#storeAdd").queryAs(Button.class).isDisabled())).isTrue();
        assertThat(slowLookEnds.getCount()).as("the look is still hanging").isEqualTo(1);

        slowLookEnds.countDown();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> problem(robot).equals("the backup store " + SLOW
                + " does not answer"));
        assertThat(onFx(() -> robot.lookup("#storeAdd").queryAs(Button.class).isDisabled())).isTrue();
        assertThat(onFx(() -> field.getStyleClass().contains("error"))).as("the field is marked").isTrue();
        robot.press(javafx.scene.input.KeyCode.ESCAPE).release(javafx.scene.input.KeyCode.ESCAPE);
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEmpty();
    }

    /** An answer for a path since changed is dropped: the sentence is about the path shown. */
    @Test
    void aLateAnswerForAPathSinceChangedIsDropped(FxRobot robot) throws Exception {
        open(robot);
        TextField field = robot.lookup("#storePath").queryAs(TextField.class);
        WaitForAsyncUtils.asyncFx(() -> field.setText(SLOW));
        onFx(() -> {
            field.setText("/tmp/store");
            return null;
        });
        slowLookEnds.countDown();
        assertThat(slowAnswered.await(5, TimeUnit.SECONDS)).as("the slow answer came, last").isTrue();
        assertThat(problem(robot)).isEmpty();
        assertThat(onFx(() -> robot.lookup("#storeAdd").queryAs(Button.class).isDisabled())).isFalse();

        robot.clickOn("#storeAdd");
        assertThat(answer.get(5, TimeUnit.SECONDS)).contains("/tmp/store");
    }
}
