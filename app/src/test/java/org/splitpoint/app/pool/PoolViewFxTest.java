package org.splitpoint.app.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.TableRow;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.BackgroundTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.StateBadge;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.VolumeState;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.matcher.control.LabeledMatchers;
import org.testfx.util.WaitForAsyncUtils;

/** The main window against a real pool: fail a drive, replace it, watch DEGRADED → REBUILDING → OPTIMAL. */
@ExtendWith(ApplicationExtension.class)
class PoolViewFxTest {

    @TempDir
    static Path tmp;
    private PoolViewModel vm;

    @Start
    void start(Stage stage) throws Exception {
        Path dir = TestPools.demo(tmp.resolve("t" + System.nanoTime()));
        vm = new PoolViewModel(PoolBridge.open(dir, new BackgroundTaskExecutor(), Platform::runLater));
        PoolView view = new PoolView();
        view.bind(vm);
        stage.setScene(new Scene(view, 1200, 760));
        stage.show();
        vm.start();
    }

    @AfterEach
    void close() {
        vm.close();
    }

    private static <T> T onFx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(5, TimeUnit.SECONDS);
    }

    /** The state word rendered in {@code table}'s row for {@code name}, or "" if not shown. */
    private static String shownState(FxRobot robot, String table, String name) throws Exception {
        return onFx(() -> {
            for (Node n : robot.lookup("#" + table + " .table-row-cell").queryAll()) {
                TableRow<?> row = (TableRow<?>) n;
                if (row.getItem() != null && row.getItem().toString().startsWith(name + " ")) {
                    StateBadge badge = (StateBadge) row.lookup(".state-badge");
                    return badge == null ? "" : badge.text();
                }
            }
            return "";
        });
    }

    private static void waitUntilShown(FxRobot robot, String table, String name, String word, int seconds)
            throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> word.equals(shownState(robot, table, name)));
    }

    @Test
    void failingAndReplacingADriveShowsDegradedThenRebuildingThenOptimal(FxRobot robot) throws Exception {
        waitUntilShown(robot, "volumesTable", "db", "OPTIMAL", 10);
        List<VolumeState> dbStates = new CopyOnWriteArrayList<>();
        robot.interact(() -> vm.volumes().row("db").stateProperty().addListener((o, was, now) -> dbStates.add(now)));
        assertThat(robot.lookup("#failDrive").queryAs(Button.class).isDisabled()).isTrue();

        robot.clickOn(robot.lookup("#drivesTable .table-cell").match(LabeledMatchers.hasText("d3")).queryAs(Node.class));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !robot.lookup("#failDrive").queryAs(Button.class).isDisabled());
        robot.clickOn("#failDrive");

        waitUntilShown(robot, "volumesTable", "db", "DEGRADED", 10);
        assertThat(shownState(robot, "drivesTable", "d3")).isEqualTo("FAILED");
        assertThat(robot.lookup("#volumesTable .table-cell").match(LabeledMatchers.hasText("DEGRADED: d3 FAILED"))
                .tryQuery()).isPresent();

        // slow the rebuild down (1 MB/s for 4 MiB) so the window can be seen REBUILDING
        robot.clickOn("#jobLimit").clickOn("1 MB/s");
        robot.clickOn("#replaceDrive");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmDriveName").tryQuery().isPresent());
        assertThat(robot.lookup("#confirmReplace").queryAs(Button.class).isDisabled()).isTrue();
        robot.clickOn("#confirmDriveName").write("d3");
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#confirmReplace");

        waitUntilShown(robot, "volumesTable", "db", "REBUILDING", 10);
        assertThat(shownState(robot, "drivesTable", "d3")).isEqualTo("REBUILDING");
        assertThat(robot.lookup("#jobsList .job-title").match(LabeledMatchers.hasText("rebuild d3 of db"))
                .tryQuery()).isPresent();

        waitUntilShown(robot, "volumesTable", "db", "OPTIMAL", 30);
        assertThat(shownState(robot, "drivesTable", "d3")).isEqualTo("ONLINE");
        assertThat(dbStates).containsSubsequence(VolumeState.DEGRADED, VolumeState.REBUILDING, VolumeState.OPTIMAL);
    }
}
