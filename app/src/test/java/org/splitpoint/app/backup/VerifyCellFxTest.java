package org.splitpoint.app.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.List;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableView;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.splitpoint.app.common.Fxml;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Verify column as wide as BackupsView.fxml makes it (132 px): a verify under way showed its word
 * cut to "verif…" beside the bar.
 */
@ExtendWith(ApplicationExtension.class)
class VerifyCellFxTest {

    private final SimpleObjectProperty<VerifyState> state = new SimpleObjectProperty<>(
            VerifyState.verifying(0.357, "376 MB/s · ETA 0:02"));
    private TreeTableView<BackupRow> table;

    @Start
    void start(Stage stage) {
        TreeTableColumn<BackupRow, VerifyState> verify = new TreeTableColumn<>("Verify");
        verify.setPrefWidth(132);
        verify.setCellValueFactory(c -> state);
        verify.setCellFactory(c -> new VerifyCell());
        table = new TreeTableView<>(new TreeItem<>(null));
        table.getColumns().add(verify);
        Scene scene = new Scene(table, 300, 200);
        // the view's own sheet too: its rule for the bar's width met the bar's bound width, and the badge lost its look
        scene.getStylesheets().addAll(Fxml.resource("Theme.css").toExternalForm(), Fxml.resource("BackupsView.css").toExternalForm());
        stage.setScene(scene);
        stage.show();
    }

    private VerifyCell cell(FxRobot robot) {
        return robot.lookup((Node n) -> n instanceof VerifyCell c && !c.isEmpty()).queryAs(VerifyCell.class);
    }

    /**
     * The verify line's figures hold their words together with no-break spaces (VerifyControl.pace): a
     * wrapped label breaks at the spaces between them, not at those (it put 'ETA' and its time on two
     * lines). Guards that the toolkit's line breaking keeps to that.
     */
    @Test
    void aWrappedLineBreaksBetweenTheFiguresNotInsideOne() throws Exception {
        // a line as wide as 'aaaa ETA 0:0': the pair 'ETA 0:02' does not fit after 'aaaa', and fits alone;
        // the second line's first character tells where the line broke
        List<Integer> secondLineStarts = onFx(() -> {
            double room = new Text("aaaa ETA 0:0").getLayoutBounds().getWidth();
            List<Integer> starts = new java.util.ArrayList<>();
            for (String s : new String[] {"aaaa ETA" + VerifyControl.NBSP + "0:02", "aaaa ETA 0:02"}) {
                Text t = new Text(s);
                t.setWrappingWidth(room);
                Bounds b = t.getLayoutBounds();
                starts.add(t.hitTest(new javafx.geometry.Point2D(b.getMinX() + 1, b.getMinY() + b.getHeight() * 0.75))
                        .getCharIndex());
            }
            return starts;
        });
        assertThat(secondLineStarts).as("no-break: 'ETA 0:02' on the second line; a plain space: '0:02' alone")
                .isEqualTo(List.of(5, 9));
    }

    @Test
    void aVerifyUnderWayShowsItsShareWholeAndTheBarWithinTheColumn(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        VerifyCell cell = cell(robot);
        Label word = onFx(() -> (Label) cell.lookup(".state-word"));
        String shown = onFx(() -> ((Text) word.lookup(".text")).getText());
        assertThat(shown).as("the word as drawn, not cut").isEqualTo("35.7%");
        assertThat(onFx(cell::getText)).isEqualTo("verifying 35.7% · 376 MB/s · ETA 0:02");
        assertThat(onFx(() -> cell.getTooltip().getText())).isEqualTo("verifying 35.7% · 376 MB/s · ETA 0:02");
        ProgressBar bar = onFx(() -> (ProgressBar) cell.lookup(".progress-bar"));
        Bounds inCell = onFx(() -> cell.sceneToLocal(bar.localToScene(bar.getBoundsInLocal())));
        double width = onFx(cell::getWidth);
        assertThat(onFx(bar::isVisible)).isTrue();
        assertThat(inCell.getMaxX()).as("the bar ends inside the cell (" + width + " px)").isLessThanOrEqualTo(width);
        assertThat(inCell.getWidth()).as("the bar is there to read").isGreaterThanOrEqualTo(12);
    }

    /** Under X the share kept the busy look only until its first change, then read black and not bold. */
    @Test
    void theShareKeepsTheBusyLookAsItChanges(FxRobot robot) throws Exception {
        for (int i = 1; i <= 30; i++) {
            double f = i / 100.0;
            onFx(() -> {
                state.set(VerifyState.verifying(f, "50.0 MB/s · ETA 0:10"));
                return null;
            });
            if (i % 3 == 0) {
                WaitForAsyncUtils.waitForFxEvents();
            }
        }
        WaitForAsyncUtils.waitForFxEvents();
        VerifyCell cell = cell(robot);
        Label word = onFx(() -> (Label) cell.lookup(".state-word"));
        assertThat(onFx(() -> ((Text) word.lookup(".text")).getText())).isEqualTo("30.0%");
        assertThat(onFx(word::getTextFill)).as("the busy tone's colour").isEqualTo(javafx.scene.paint.Color.web("#1565c0"));
        assertThat(onFx(() -> word.getFont().getStyle())).containsIgnoringCase("bold");
    }

    @Test
    void aFinishedVerifyShowsItsWordAndNoBar(FxRobot robot) throws Exception {
        onFx(() -> {
            state.set(VerifyState.damaged("image x: 1 of 256 tracks fail their SHA-256"));
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        VerifyCell cell = cell(robot);
        Label word = onFx(() -> (Label) cell.lookup(".state-word"));
        assertThat(onFx(() -> ((Text) word.lookup(".text")).getText())).isEqualTo("DAMAGED");
        assertThat(onFx(() -> cell.lookup(".progress-bar").isVisible())).isFalse();
    }
}
