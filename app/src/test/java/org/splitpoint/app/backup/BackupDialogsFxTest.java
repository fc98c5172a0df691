package org.splitpoint.app.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TreeTableCell;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The backup dialogs reached as a user reaches them, against a real pool and store: an incremental
 * backup taken with the Backups view's buttons; then "Restore…" of the full image onto the healthy
 * volume, whose data it replaces: a wrong name typed is refused, Cancel changes nothing (the host's
 * later write stays, no restore runs), and with the name typed the volume holds the image again.
 */
@ExtendWith(ApplicationExtension.class)
class BackupDialogsFxTest {

    private static final int WAIT = 60;

    @TempDir
    static Path tmp;
    private FxPools fx;
    private BackupPools.Made made;

    @Start
    void start(Stage stage) throws Exception {
        made = BackupPools.withBackup(tmp.resolve("t" + System.nanoTime()));
        fx = FxPools.open(stage, made.pool(), List.of(made.store()));
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static Optional<Node> cellStarting(FxRobot robot, String text) {
        return robot.lookup((Node n) -> n instanceof TreeTableCell<?, ?> c && c.getText() != null
                && c.getText().startsWith(text) && c.isVisible()).tryQuery();
    }

    private static String text(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).tryQueryAs(Label.class).map(Label::getText).orElse(""));
    }

    private static boolean enabled(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).tryQuery().map(n -> !n.isDisabled() && n.isVisible()).orElse(false));
    }

    private static void waitFor(java.util.concurrent.Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, c);
    }

    /** The first byte of "data" as a host reads it now. */
    private byte firstByte() throws Exception {
        return TestPools.call(fx.bridge, pool -> {
            ByteBuffer b = ByteBuffer.allocate(512);
            pool.device(BackupPools.VOLUME).read(0, b);
            return b.get(0);
        });
    }

    @Test
    void aBackupTakenAndItsRestoreRefusesAWrongNameCancelChangesNothingAndTheTypedNameRestores(FxRobot robot)
            throws Exception {
        // a host overwrites the first track after the full backup
        TestPools.call(fx.bridge, pool -> {
            pool.device(BackupPools.VOLUME).write(0, ByteBuffer.allocate(BackupPools.TRACK));
            pool.device(BackupPools.VOLUME).flush();
            return null;
        });
        assertThat(firstByte()).isZero();

        waitFor(() -> robot.lookup("#nav-backups").tryQuery().isPresent());
        robot.clickOn("#nav-backups");
        waitFor(() -> cellStarting(robot, made.image()).isPresent());

        // take a backup: incremental into the store of the last one, from the view's buttons
        robot.clickOn("#backupIncremental");
        waitFor(() -> enabled(robot, "#backUp"));
        robot.clickOn("#backUp");
        waitFor(() -> text(robot, "#backupProgressText").equals("backup of data finished · 100%"));
        waitFor(() -> onFx(() -> robot.lookup((Node n) -> n instanceof TreeTableCell<?, ?> c && c.getText() != null
                && c.getText().startsWith("data-") && c.isVisible()).queryAll().size()) == 2); // the full and the new one

        // Restore… of the full image: the healthy volume's name must be typed
        robot.clickOn(cellStarting(robot, made.image()).get());
        waitFor(() -> enabled(robot, "#restoreImage"));
        robot.clickOn("#restoreImage");
        waitFor(() -> robot.lookup("#confirmName").tryQuery().isPresent());
        Button start = robot.lookup("#restoreStart").queryAs(Button.class);
        robot.clickOn("#confirmName").write("dta");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(start.isDisabled()).as("a wrong name is refused").isTrue();

        robot.clickOn("#restoreCancel");
        waitFor(() -> robot.lookup("#confirmName").tryQuery().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(onFx(() -> fx.vm.nav().selectedProperty().get())).as("no restore page opened").isEqualTo("backups");
        assertThat(firstByte()).as("the host's write stays").isZero();
        long restores = TestPools.call(fx.bridge, pool -> pool.jobs().stream()
                .filter(j -> j.kind().contains("restore")).count());
        assertThat(restores).as("no restore job").isZero();

        robot.clickOn("#restoreImage");
        waitFor(() -> robot.lookup("#confirmName").tryQuery().isPresent());
        robot.clickOn("#confirmName").write("data");
        waitFor(() -> enabled(robot, "#restoreStart"));
        robot.clickOn("#restoreStart");
        waitFor(() -> "restore:data".equals(onFx(() -> fx.vm.nav().selectedProperty().get())));
        waitFor(() -> text(robot, "#restoreProgressText").equals("restore finished · 100%"));
        assertThat(firstByte()).as("the volume holds the image's bytes again").isEqualTo(BackupPools.pattern(0));
    }

    /**
     * Restore… of a backup stays open while the pool moves on: a drive of the volume taken into a service
     * window meanwhile makes the engine refuse the restore, and the dialog said so under a name's field that
     * still asked for the name. The field now takes no name while the restore is refused.
     */
    @Test
    void aBackupRestoreRefusedWhileItsDialogIsOpenAsksNoName(FxRobot robot) throws Exception {
        waitFor(() -> robot.lookup("#nav-backups").tryQuery().isPresent());
        robot.clickOn("#nav-backups");
        waitFor(() -> cellStarting(robot, made.image()).isPresent());
        robot.clickOn(cellStarting(robot, made.image()).get());
        waitFor(() -> enabled(robot, "#restoreImage"));
        robot.clickOn("#restoreImage");
        waitFor(() -> robot.lookup("#confirmName").tryQuery().isPresent());
        javafx.scene.control.TextField name = robot.lookup("#confirmName").queryAs(javafx.scene.control.TextField.class);
        assertThat(name.isDisabled()).as("allowed when the dialog opened: the name is asked").isFalse();

        TestPools.call(fx.bridge, pool -> pool.service().offline("d2", org.splitpoint.engine.pool.OfflineReason.DIAGNOSTICS,
                org.splitpoint.engine.pool.LogMode.POINTERS));
        waitFor(() -> text(robot, "#restoreRefused").contains("service window"));
        assertThat(name.isDisabled()).as("no name asked for a restore the engine refuses").isTrue();
        assertThat(robot.lookup("#restoreStart").queryAs(Button.class).isDisabled()).isTrue();
        robot.clickOn("#restoreCancel");
    }
}
