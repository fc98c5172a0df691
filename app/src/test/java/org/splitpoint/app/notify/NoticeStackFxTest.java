package org.splitpoint.app.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Notices are cards in the window's own scene: no window of their own, the newest at the bottom, at
 * most four (the oldest goes), bad news marked, a click closes one.
 */
@ExtendWith(ApplicationExtension.class)
class NoticeStackFxTest {

    private NoticeStack stack;

    @Start
    void start(Stage stage) {
        stack = new NoticeStack();
        StackPane root = new StackPane(new Label("window"), stack);
        StackPane.setAlignment(stack, javafx.geometry.Pos.BOTTOM_RIGHT);
        stage.setScene(new Scene(root, 900, 600));
        stage.show();
    }

    private List<String> titles() throws Exception {
        return onFx(() -> stack.getChildren().stream()
                .map(card -> ((Label) card.lookup(".notice-title")).getText()).toList());
    }

    @Test
    void cardsStackUpToFourAndAClickClosesOne(FxRobot robot) throws Exception {
        int windows = onFx(() -> javafx.stage.Window.getWindows().size());
        for (int k = 1; k <= 5; k++) {
            Notice n = new Notice("notice " + k, "backup v" + k + " DONE in 0:0" + k, k == 5);
            onFx(() -> {
                stack.show(n);
                return null;
            });
        }
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(titles()).as("the oldest went when the fifth came").containsExactly("notice 2", "notice 3", "notice 4", "notice 5");
        assertThat(onFx(() -> javafx.stage.Window.getWindows().size())).as("windows: the notices opened none").isEqualTo(windows);
        Node last = onFx(() -> stack.getChildren().get(3));
        assertThat(last.getStyleClass()).contains("notice", "notice-critical");
        assertThat(onFx(() -> stack.getChildren().get(0).getStyleClass())).contains("notice-info").doesNotContain("notice-critical");
        assertThat(onFx(() -> ((Label) last.lookup(".notice-text")).getText())).isEqualTo("backup v5 DONE in 0:05");

        robot.clickOn(onFx(() -> stack.getChildren().get(1)));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(titles()).as("after a click on notice 3").containsExactly("notice 2", "notice 4", "notice 5");
    }
}
