package org.splitpoint.app.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.beans.property.SimpleStringProperty;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.CheckBox;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Where the keyboard focus is in a typed confirmation that the engine refuses for a while (a restore
 * refused because the pair was established meanwhile): the name's field takes no name then, and the
 * focus was asked for it all the same, so it went nowhere useful and stayed there once the field was
 * enabled. It is on Cancel while refused, and the field takes it when it is enabled, unless the user
 * moved it elsewhere meanwhile.
 */
@ExtendWith(ApplicationExtension.class)
class TypedConfirmFocusFxTest {

    private Stage stage;
    private final SimpleStringProperty refused = new SimpleStringProperty("pair p is Synchronized: split it first");
    private CheckBox extra;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        extra = new CheckBox("an option");
        stage.setScene(new Scene(new StackPane(), 800, 600));
        stage.show();
    }

    private void open(FxRobot robot) throws Exception {
        Confirmation c = new Confirmation("Restore prod", "Overwrite prod with prod-bcv?",
                List.of("Restore copies prod-bcv → prod: 3 tracks."), "prod", "Restore prod");
        Platform.runLater(() -> TypedConfirmDialog.ask(stage, c, extra, refused));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents(5);
    }

    private String focused(FxRobot robot) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            Node n = robot.lookup("#confirmName").query().getScene().getFocusOwner();
            return n == null ? "nothing" : n == extra ? "extra" : String.valueOf(n.getId());
        }).get(5, TimeUnit.SECONDS);
    }

    private void close(FxRobot robot) {
        robot.interact(() -> refused.set("closing"));
        robot.clickOn("#confirmCancel");
    }

    @Test
    void openedRefusedTheFocusIsOnCancelAndTheFieldTakesItWhenTheRefusalGoes(FxRobot robot) throws Exception {
        open(robot);
        assertThat(focused(robot)).as("refused: the field takes no name").isEqualTo("confirmCancel");

        robot.interact(() -> refused.set(""));
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(focused(robot)).as("allowed: the name is typed at once").isEqualTo("confirmName");
        close(robot);
    }

    @Test
    void aFocusTheUserMovedMeanwhileStaysWhereTheyPutIt(FxRobot robot) throws Exception {
        open(robot);
        robot.interact(extra::requestFocus); // the user tabbed to the option
        robot.interact(() -> refused.set(""));
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(focused(robot)).isEqualTo("extra");
        close(robot);
    }

    @Test
    void aRefusalThatComesWhileTheNameIsTypedPutsTheFocusOnCancelAndGivesItBack(FxRobot robot) throws Exception {
        robot.interact(() -> refused.set(""));
        open(robot);
        assertThat(focused(robot)).isEqualTo("confirmName");

        robot.interact(() -> refused.set("pair p is Synchronized: split it first"));
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(focused(robot)).isEqualTo("confirmCancel");
        robot.interact(() -> refused.set(""));
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(focused(robot)).isEqualTo("confirmName");
        close(robot);
    }
}
