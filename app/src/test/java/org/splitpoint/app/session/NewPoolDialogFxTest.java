package org.splitpoint.app.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * File → New pool…: a field typed wrong is marked where it is (red, as the other dialogs mark theirs),
 * and only that field; the mark goes when it is put right. The dialog said the problem only in its
 * line under the fields, which named no field.
 */
@ExtendWith(ApplicationExtension.class)
class NewPoolDialogFxTest {

    @TempDir
    Path tmp;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        stage.setScene(new Scene(new StackPane(), 400, 300));
        stage.show();
    }

    @AfterEach
    void closeDialog(FxRobot robot) {
        if (robot.lookup("#newPoolDir").tryQuery().isPresent()) {
            robot.push(KeyCode.ESCAPE);
        }
    }

    private static boolean marked(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).tryQuery().map(n -> n.getStyleClass().contains("error")).orElse(false));
    }

    private static void type(FxRobot robot, String id, String text) throws Exception {
        onFx(() -> {
            TextInputControl t = robot.lookup(id).queryAs(TextInputControl.class);
            t.requestFocus();
            t.setText(text);
            return null;
        });
    }

    private static String problem(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup("#newPoolProblem").queryAs(Label.class).getText());
    }

    @Test
    void aWrongFieldIsMarkedWhereItIsTyped(FxRobot robot) throws Exception {
        Platform.runLater(() -> NewPoolDialog.ask(stage, tmp.resolve("new-pool")));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#newPoolDriveSize").tryQuery().isPresent());

        type(robot, "#newPoolDriveSize", "12Q");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> marked(robot, "#newPoolDriveSize"));
        assertThat(problem(robot)).startsWith("drive size: '12Q' is not a size");
        assertThat(marked(robot, "#newPoolDir")).isFalse();

        type(robot, "#newPoolDriveSize", "64M");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !marked(robot, "#newPoolDriveSize"));
        assertThat(problem(robot)).isEmpty();

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        type(robot, "#newPoolDir", file.toString());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> marked(robot, "#newPoolDir"));
        assertThat(problem(robot)).isEqualTo(file + " exists and is not a directory");
        assertThat(marked(robot, "#newPoolDriveSize")).isFalse();
    }

    /**
     * A directory whose look hangs (an automounted or dead network path) leaves the window answering;
     * after a moment the line under the fields says the look has not answered, Create waits, and the
     * answer shows when it comes. The look ran on the FX thread at every key in any field.
     */
    @Test
    void aDirectoryWhoseLookHangsLeavesTheWindowAnswering(FxRobot robot) throws Exception {
        String slow = "/net/gone/pool";
        java.util.concurrent.CountDownLatch ends = new java.util.concurrent.CountDownLatch(1);
        java.util.function.UnaryOperator<String> look = t -> {
            if (!slow.equals(t.trim())) {
                return NewPoolForm.directoryProblem(t);
            }
            try {
                ends.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return slow + " does not answer";
        };
        try {
            Platform.runLater(() -> NewPoolDialog.ask(stage, tmp.resolve("new-pool"), look));
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#newPoolDir").tryQuery().isPresent());
            TextInputControl field = robot.lookup("#newPoolDir").queryAs(TextInputControl.class);
            WaitForAsyncUtils.asyncFx(() -> field.setText(slow)); // as if pasted

            assertThat(WaitForAsyncUtils.asyncFx(() -> field.getText()).get(3, TimeUnit.SECONDS))
                    .as("the FX thread answers while the look hangs").isEqualTo(slow);
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> problem(robot).startsWith("looking at " + slow + "…"));
            assertThat(onFx(() -> create(robot).isDisabled())).as("Create waits for the answer").isTrue();
            assertThat(ends.getCount()).as("the look is still hanging").isEqualTo(1);

            ends.countDown();
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> problem(robot).equals(slow + " does not answer"));
            assertThat(marked(robot, "#newPoolDir")).isTrue();
            assertThat(onFx(() -> create(robot).isDisabled())).isTrue();
        } finally {
            ends.countDown();
        }
    }

    /**
     * 64 drives of 64 TiB on a file system with 77 GiB free (the free space handed in, as the
     * dialog's background look would find it): the sentence under the fields as the numbers are
     * typed, and Create waits for "I know the drives are thin"; a pool that fits asks nothing.
     */
    @Test
    void drivesThatOutgrowTheFreeSpaceAreSaidAndCreateWaitsForTheTick(FxRobot robot) throws Exception {
        java.util.concurrent.atomic.AtomicReference<java.util.Optional<NewPoolForm>> answer = new java.util.concurrent.atomic.AtomicReference<>();
        Platform.runLater(() -> answer.set(NewPoolDialog.ask(stage, tmp.resolve("new-pool"), NewPoolForm::directoryProblem,
                d -> Long.toString(77L << 30))));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#newPoolDriveSize").tryQuery().isPresent());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !onFx(() -> create(robot).isDisabled()));
        assertThat(text(robot, "#newPoolProvisioning")).isEqualTo("6 drives × 64 MiB = 384 MiB of images on a file system with 77 GiB free");
        assertThat(shown(robot, "#newPoolThin")).isFalse();

        onFx(() -> {
            robot.lookup("#newPoolDrives").queryAs(javafx.scene.control.Spinner.class).getValueFactory().setValue(64);
            return null;
        });
        type(robot, "#newPoolDriveSize", "64T");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> shown(robot, "#newPoolThin"));
        assertThat(text(robot, "#newPoolProvisioning")).isEqualTo("64 drives × 64 TiB = 4 PiB of images on a file system with"
                + " 77 GiB free: the drives are thin; writes fail with 'no space' once 77 GiB are used");
        assertThat(problem(robot)).isEqualTo("the drives can outgrow the free space: tick 'I know the drives are thin' to create the pool");
        assertThat(onFx(() -> create(robot).isDisabled())).isTrue();

        robot.clickOn("#newPoolThin");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> problem(robot).isEmpty());
        assertThat(onFx(() -> create(robot).isDisabled())).isFalse();
        type(robot, "#newPoolDriveSize", "32T"); // a tick given for one total is asked again for another
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> create(robot).isDisabled()));
        robot.clickOn("#newPoolThin");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !onFx(() -> create(robot).isDisabled()));
        robot.clickOn(create(robot));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> answer.get() != null);
        assertThat(answer.get()).hasValueSatisfying(f -> assertThat(f.driveBytes()).isEqualTo(32L << 40));
    }

    private static boolean shown(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).tryQuery().map(javafx.scene.Node::isVisible).orElse(false));
    }

    private static String text(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    private static javafx.scene.control.Button create(FxRobot robot) {
        return robot.lookup((javafx.scene.Node n) -> n instanceof javafx.scene.control.Button b
                && "Create pool".equals(b.getText())).queryAs(javafx.scene.control.Button.class);
    }
}
