package org.splitpoint.app.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.input.KeyCode;
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
 * A RAID5 volume whose two drive images were deleted opens FAILED; its page shows the banner, the
 * dialog preselects the newest image, and the restore view's map fills (slowly at 2 MB/s, then at
 * full speed once the throttle slider goes to unlimited) until the restore is done.
 */
@ExtendWith(ApplicationExtension.class)
class InstantRestoreFxTest {

    private static final Pattern CURRENT = Pattern.compile("256 tracks × 64 KiB · ([\\d,]+) current");

    @TempDir
    static Path tmp;
    private FxPools fx;
    private BackupPools.Made made;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        made = BackupPools.failed(tmp.resolve("t" + System.nanoTime()));
        fx = FxPools.open(stage, made.pool(), List.of(made.store()));
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static String text(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    /** Tracks current as the map's line says, or -1 before the first sample. */
    /** The map's count of current tracks, -1 without the map; looked up on the FX thread (the view changes under a restore). */
    private static long current(FxRobot robot) throws Exception {
        String info = onFx(() -> robot.lookup("#mapInfo").tryQuery().map(n -> ((Label) n).getText()).orElse(null));
        Matcher m = info == null ? null : CURRENT.matcher(info);
        return m != null && m.matches() ? Long.parseLong(m.group(1).replace(",", "")) : -1;
    }

    @Test
    void aFailedVolumeIsRestoredFromTheBannerAndTheOverwriteMapFillsUntilDone(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-data").tryQuery().isPresent());
        robot.clickOn("#nav-volume-data");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#restoreFromBackup").tryQuery()
                .map(Node::isVisible).orElse(false) && text(robot, ".banner-text").contains(made.image()));

        robot.clickOn("#restoreFromBackup");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#restoreImageChoice").tryQuery()
                .map(n -> ((ComboBox<?>) n).getValue() != null).orElse(false));
        ImageChoice chosen = onFx(() -> robot.lookup("#restoreImageChoice").<ComboBox<ImageChoice>>query().getValue());
        assertThat(chosen.image().id()).as("the newest image is preselected").isEqualTo(made.image());
        assertThat(onFx(() -> robot.lookup("#confirmName").tryQuery().map(Node::isVisible).orElse(false)))
                .as("a FAILED volume needs no typed name").isFalse();
        robot.clickOn("#restoreThrottle");
        robot.clickOn(robot.lookup((Node n) -> n instanceof ListCell<?> c && "2 MB/s".equals(c.getText()))
                .<Node>query());
        robot.clickOn("#restoreStart");

        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "restore:data".equals(
                onFx(() -> fx.vm.nav().selectedProperty().get())));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> current(robot) > 0 && current(robot) < 256);
        byte[] read = TestPools.call(fx.bridge, pool -> { // a host reads a track not restored yet
            ByteBuffer b = ByteBuffer.allocate(BackupPools.TRACK);
            pool.device("data").read(250L * BackupPools.TRACK, b);
            return b.array();
        });
        assertThat(read[0]).isEqualTo(BackupPools.pattern(250L * BackupPools.TRACK));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> text(robot, "#onDemand").startsWith("1 track fetched"));
        long partly = current(robot);
        assertThat(partly).isBetween(1L, 255L);

        // a click on the thumb focuses the slider without moving it (a click on its track would set a
        // faster limit, and the restore could finish before End reaches a slider then disabled)
        robot.clickOn(robot.lookup("#throttle .thumb").<Node>query()).type(KeyCode.END); // unlimited
        try {
            WaitForAsyncUtils.waitFor(3, TimeUnit.SECONDS, () -> text(robot, "#throttleText").equals("unlimited"));
        } catch (java.util.concurrent.TimeoutException keyLost) {
            // on a loaded CI box the key can reach the control before the click gave it focus: press again
            robot.clickOn(robot.lookup("#throttle .thumb").<Node>query()).type(KeyCode.END);
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> text(robot, "#throttleText").equals("unlimited"));
        }
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> text(robot, "#restoreProgressText")
                .equals("restore finished · 100%"));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> current(robot) == 256);
        assertThat(text(robot, "#throttleText")).isEqualTo("unlimited");
        robot.clickOn("#nav-volume-data");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup(".state-word").queryAll().stream()
                .anyMatch(n -> n.isVisible() && "OPTIMAL".equals(((Label) n).getText())));
        assertThat(robot.lookup("#restoreFromBackup").tryQuery().map(Node::isVisible).orElse(false)).isFalse();
    }

    /** A label's text and what it shows on screen (its own Text node: "…" where it was cut), read at once. */
    private static List<String> textAndShown(FxRobot robot, String id) throws Exception {
        return onFx(() -> {
            Label l = robot.lookup(id).queryAs(Label.class);
            return List.of(l.getText(), l.getChildrenUnmodifiable().stream().filter(c -> c instanceof javafx.scene.text.Text)
                    .map(c -> ((javafx.scene.text.Text) c).getText()).findFirst().orElse(""), "width " + l.getWidth());
        });
    }

    /**
     * At 1024x700 the overwrite map's header read "2,048 tracks × 64 KiB · 80 cu…": the count of
     * current tracks, what the map is about, was cut to make room for the on-demand count. The
     * header now puts the on-demand count on a second line when both do not fit; neither is cut.
     * This pool's volume has 256 tracks, a shorter line: the window is at its narrowest, 960 px.
     */
    @Test
    void atTheNarrowestWindowTheMapsHeaderShowsItsCountsInFull(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> pool.instantRestores().restore("data", made.store(), made.image(), false,
                100_000)); // 0.1 MB/s: the restore outlives the test
        robot.interact(() -> fx.vm.nav().selectedProperty().set("restore:data"));
        Stage stage = (Stage) fx.view.getScene().getWindow();
        robot.interact(() -> {
            stage.setWidth(960); // the window's minimum width, 64 px under the smallest supported size
            stage.setHeight(700);
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> current(robot) >= 0);
        WaitForAsyncUtils.waitForFxEvents(5);
        List<String> info = textAndShown(robot, "#mapInfo");
        assertThat(info.get(1)).as(info.toString()).isEqualTo(info.get(0));
        List<String> onDemand = textAndShown(robot, "#onDemand");
        assertThat(onDemand.get(1)).as(onDemand.toString()).isEqualTo(onDemand.get(0)).startsWith("0 tracks fetched on demand");
    }

    /**
     * The dialog follows the volume's state while it is open: a volume that is no longer FAILED holds
     * readable data again, so its name is asked (the field shown, the first sentence says what is
     * replaced) and Restore waits for it; FAILED again, the field goes. The look is handed to the form
     * here (a FAILED volume does not come back within one opening but for a service window's return,
     * which a restore waits for), then the pool's own picture again.
     */
    @Test
    void theNameIsAskedOnceTheVolumeIsNoLongerFailedWhileTheDialogIsOpen(FxRobot robot) throws Exception {
        org.splitpoint.engine.pool.PoolSnapshot whole;
        try (org.splitpoint.engine.pool.Pool p = org.splitpoint.engine.pool.Pool.open(
                BackupPools.withBackup(tmp.resolve("w" + System.nanoTime())).pool())) {
            whole = p.snapshot();
        }
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-data").tryQuery().isPresent());
        RestoreForm form = onFx(() -> fx.vm.restore("data").restoreForm(null));
        javafx.application.Platform.runLater(() -> RestoreDialog.ask(stage, form));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#restoreImageChoice").tryQuery()
                .map(n -> ((ComboBox<?>) n).getValue() != null).orElse(false));
        Node field = robot.lookup("#confirmName").query();
        Node start = robot.lookup("#restoreStart").query();
        assertThat(onFx(() -> List.of(field.isVisible(), start.isDisabled()))).isEqualTo(List.of(false, false));
        List<Object> afterLook = onFx(() -> {
            form.applySnapshot(whole); // as a live picture would say it, read before the next one comes
            return List.of(field.isVisible(), field.isManaged(), start.isDisabled(), sentences(robot).get(0));
        });
        assertThat(afterLook).isEqualTo(List.of(true, true, true, "Restoring data replaces all its data (16 MiB) with"
                + " the image's; what it holds now is lost."));
        org.splitpoint.engine.pool.PoolSnapshot failed = TestPools.call(fx.bridge, pool -> pool.snapshot());
        List<Object> failedAgain = onFx(() -> {
            form.applySnapshot(failed);
            return List.of(field.isVisible(), field.isManaged(), start.isDisabled(), sentences(robot).get(0));
        });
        assertThat(failedAgain).isEqualTo(List.of(false, false, false, "Volume data is FAILED (d1 MISSING, d2 MISSING):"
                + " its lost drives get blank images, then it is restored from the image chosen."));
        // the sentences just changed are laid out at the next pulse and the window fitted after it: until
        // then Cancel may still sit where the taller look put it, under the window's edge
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#restoreCancel")
                .match(org.testfx.util.NodeQueryUtils.isVisible()).tryQuery().isPresent());
        robot.clickOn("#restoreCancel");
    }

    /** The dialog's sentences about the volume (what is replaced, or that it is FAILED), as shown. */
    private static List<String> sentences(FxRobot robot) {
        return robot.lookup(".confirm-dialog").lookup(".label").queryAll().stream().map(n -> (Label) n)
                .filter(l -> l.isVisible() && l.getText() != null && (l.getText().startsWith("Restoring data")
                        || l.getText().startsWith("Volume data is FAILED"))).map(Label::getText).toList();
    }

    /** Opens the FAILED volume's page and its restore dialog, the newest image chosen. */
    private static void openRestoreDialog(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-data").tryQuery().isPresent());
        robot.clickOn("#nav-volume-data");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#restoreFromBackup").tryQuery()
                .map(Node::isVisible).orElse(false));
        robot.clickOn("#restoreFromBackup");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#restoreImageChoice").tryQuery()
                .map(n -> ((ComboBox<?>) n).getValue() != null).orElse(false));
    }

    /** The first sentence of the open confirmation dialog, or "" when none is open. */
    private static String confirmFirst(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup(".confirm-dialog").lookup(".label").queryAll().stream()
                .map(n -> ((Label) n).getText()).filter(t -> t.startsWith("The bulk copy stops")).findFirst().orElse(""));
    }

    /**
     * "Cancel…" asks with what the cancel leaves not restored; the bulk copy goes on while the
     * dialog is open, and the count follows it (it stayed as the dialog opened: hundreds of tracks
     * said not restored of a restore nearly done).
     */
    @Test
    void theCancelDialogsCountFollowsTheBulkCopy(FxRobot robot) throws Exception {
        openRestoreDialog(robot);
        robot.clickOn("#restoreThrottle");
        robot.clickOn(robot.lookup((Node n) -> n instanceof ListCell<?> c && "2 MB/s".equals(c.getText()))
                .<Node>query());
        robot.clickOn("#restoreStart");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> current(robot) > 0 && current(robot) < 200);

        robot.clickOn("#cancelRestore");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !confirmFirst(robot).isEmpty());
        String first = confirmFirst(robot);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !confirmFirst(robot).equals(first));
        Pattern owed = Pattern.compile(".*with ([\\d,]+) tracks .*");
        Matcher before = owed.matcher(first);
        Matcher after = owed.matcher(confirmFirst(robot));
        assertThat(before.matches() && after.matches()).as(first).isTrue();
        assertThat(Long.parseLong(after.group(1).replace(",", ""))).isLessThan(Long.parseLong(before.group(1).replace(",", "")));
        robot.clickOn("#confirmCancel");
    }

    /**
     * The typed confirmation of a cancel, open when the restore ends, says so and cancels nothing:
     * it stayed open asking to cancel a restore that had finished, its action still enabled (the Jobs
     * panel's the same, seen by hand).
     */
    @Test
    void theCancelDialogOfARestoreThatEndsMeanwhileSaysSoAndCancelsNothing(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> pool.instantRestores().restore("data", made.store(), made.image(), false,
                200_000));
        robot.interact(() -> fx.vm.nav().selectedProperty().set("restore:data"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> current(robot) >= 0 && robot.lookup("#cancelRestore")
                .tryQuery().map(n -> !n.isDisabled()).orElse(false));
        robot.clickOn("#cancelRestore");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !confirmFirst(robot).isEmpty());
        javafx.scene.control.Button action = robot.lookup("#confirmAction").queryAs(javafx.scene.control.Button.class);
        robot.clickOn("#confirmName").write("data");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !action.isDisabled());

        TestPools.call(fx.bridge, pool -> { // the restore ends while the dialog is open
            pool.jobs().forEach(j -> j.setThrottle(0));
            return null;
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> action.isDisabled());
        assertThat(onFx(() -> robot.lookup(".confirm-dialog").lookup(".label").queryAll().stream()
                .map(n -> ((Label) n).getText()).anyMatch(t -> t.contains("ended")))).as("the dialog says the restore ended")
                .isTrue();
    }

    /**
     * The restore dialog of a FAILED volume cut its sentences to one line each ("its lost drives get
     * blank images, then it is restored …", "Hosts can use data at once: … a bulk …", and the line
     * under the image): wrapped labels in a dialog got one line's height. Each is shown in full now,
     * and the dialog's window grows to hold them (its buttons were cut at its bottom edge).
     */
    @Test
    void theRestoreDialogShowsItsSentencesInFull(FxRobot robot) throws Exception {
        openRestoreDialog(robot);
        WaitForAsyncUtils.waitForFxEvents(5);
        List<List<String>> cut = onFx(() -> robot.lookup(".confirm-dialog").lookup(".label").queryAll().stream()
                .map(n -> (Label) n).filter(l -> l.isVisible() && !l.getText().isEmpty())
                .map(l -> List.of(l.getText(), l.getChildrenUnmodifiable().stream()
                        .filter(c -> c instanceof javafx.scene.text.Text).map(c -> ((javafx.scene.text.Text) c).getText())
                        .findFirst().orElse("")))
                .filter(ts -> !ts.get(1).equals(ts.get(0))).toList());
        assertThat(cut).as("labels cut (text, shown)").isEmpty();
        // and the dialog grew to hold them: its buttons stay whole inside its window
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> {
            Node ok = robot.lookup("#restoreStart").query();
            return ok.localToScene(ok.getBoundsInLocal()).getMaxY() <= ok.getScene().getHeight();
        }));
        robot.clickOn("#restoreCancel");
    }
}
