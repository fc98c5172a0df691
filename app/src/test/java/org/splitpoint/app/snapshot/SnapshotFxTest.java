package org.splitpoint.app.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.text.Text;
import javafx.scene.control.ListCell;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.SnapshotPools;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A volume's snapshot timeline against the real engine: a snapshot taken from the card (its name
 * judged as typed), the volume written through the engine, then restored to the snapshot from the
 * timeline through the dialogs (the plan's numbers, the safety snapshot ticked, the volume's name
 * typed, a slow copy); the track map fills while a host read is served on demand, the cancel
 * question keeps the restore by default, and the restore ends with the volume's bytes the
 * snapshot's. The navigation tree lists the snapshots under the volume and selects them on it.
 */
@ExtendWith(ApplicationExtension.class)
class SnapshotFxTest {

    private static final Pattern CURRENT = Pattern.compile("256 tracks × 64 KiB · ([\\d,]+) current");

    @TempDir
    static Path tmp;
    private FxPools fx;

    @Start
    void start(Stage stage) throws Exception {
        fx = FxPools.open(stage, SnapshotPools.withSaveArea(tmp.resolve("t" + System.nanoTime())), List.of());
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static String text(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    /** True when the node is in the scene and it and every parent are visible. */
    private static boolean showing(FxRobot robot, String id) {
        Node n = robot.lookup(id).tryQuery().orElse(null);
        if (n == null || n.getScene() == null) {
            return false;
        }
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** Tracks current as the map's line says, or -1 before the first sample. */
    private static long current(FxRobot robot) throws Exception {
        Matcher m = CURRENT.matcher(text(robot, "#restoreMapInfo"));
        return m.matches() ? Long.parseLong(m.group(1).replace(",", "")) : -1;
    }

    @Test
    void aSnapshotTakenFromTheTimelineIsRestoredThroughTheDialogsAndTheVolumeIsAsItWas(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-prod").tryQuery().isPresent());
        robot.clickOn("#nav-volume-prod");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> showing(robot, "#takeSnapshot"));
        assertThat(showing(robot, "#useSaveArea")).as("the pool has a save area").isFalse();
        assertThat(showing(robot, "#snapshotTimeline")).as("no snapshots yet").isFalse();

        // take a snapshot: the name is proposed from the time, judged as typed
        robot.clickOn("#takeSnapshot");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#snapshotTake").tryQuery().isPresent());
        assertThat(onFx(() -> robot.lookup("#snapshotName").queryAs(TextField.class).getText())).matches("snap-\\d{8}-\\d{4}");
        robot.clickOn("#snapshotName").push(KeyCode.CONTROL, KeyCode.A).write("9lives");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(text(robot, "#snapshotNameLine")).isEqualTo("'9lives' is not a valid snapshot name (a letter, then up"
                + " to 62 letters, digits, '_', '.' or '-')");
        assertThat(robot.lookup("#snapshotTake").queryAs(Button.class).isDisabled()).isTrue();
        robot.push(KeyCode.CONTROL, KeyCode.A).write("base");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#snapshotTake").queryAs(Button.class).isDisabled()).isFalse();
        robot.clickOn("#snapshotTake");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> showing(robot, "#snapPoint-base"));
        assertThat(text(robot, "#selectedLine")).startsWith("base · taken ").endsWith(" · holds nothing yet");
        assertThat(onFx(() -> robot.lookup("#snapshotTimeline").queryAs(SnapshotTimelineView.class).labelled()))
                .containsExactly("base");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#nav-snapshot-prod@base").tryQuery().isPresent());
        byte[] image = TestPools.call(fx.bridge, pool -> SnapshotPools.read(pool.device(SnapshotPools.VOLUME)));

        // hosts write 32 tracks; the snapshot now holds them
        TestPools.call(fx.bridge, pool -> {
            SnapshotPools.write(pool, 100, 32, 7);
            return null;
        });
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> text(robot, "#selectedLine").contains("holds 2 MiB"));

        // the tree selects the volume's page with the snapshot selected; a click on the timeline does the same
        robot.clickOn("#nav-volume-prod");
        onFx(() -> {
            fx.vm.snapshots("prod").select(null);
            return null;
        });
        robot.clickOn("#snapPoint-base");
        assertThat(onFx(() -> fx.vm.nav().selectedProperty().get())).isEqualTo(NavItem.snapshot("prod", "base"));

        // restore: the plan, the safety snapshot ticked, a slow copy, the volume's name typed
        robot.clickOn("#restoreSnapshot");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        assertThat(robot.lookup((Node n) -> n instanceof Label l && l.getText() != null && l.getText().startsWith(
                "Restoring prod to base (taken ")).<Label>query().getText()).endsWith(" changes 32 tracks (2 MiB) of its 256:"
                + " those written since the snapshot.");
        assertThat(onFx(() -> robot.lookup("#safetySnapshot").queryAs(CheckBox.class).isSelected())).isTrue();
        robot.clickOn("#restoreThrottle");
        robot.clickOn(robot.lookup((Node n) -> n instanceof ListCell<?> c && "1 MB/s".equals(c.getText())).<Node>query());
        assertThat(robot.lookup("#confirmAction").queryAs(Button.class).isDisabled()).isTrue();
        robot.clickOn("#confirmName").write("prod");
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#confirmAction");

        // the map fills, a read of a track not yet restored is served on demand
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> showing(robot, "#restorePane")
                && current(robot) >= 224 && current(robot) < 256);
        assertThat(text(robot, "#restoreTitle")).isEqualTo("Restoring prod to snapshot base");
        assertThat(text(robot, "#restoreProgressText")).matches("\\d+\\.\\d% · [\\d.]+ MB/s · ETA (\\d+:\\d\\d|--:--) · \\d+/32"
                + " tracks");
        assertThat(showing(robot, "#showSnapshotRestore")).as("the banner at the top of the page").isTrue();
        byte[] read = TestPools.call(fx.bridge, pool -> {
            ByteBuffer b = ByteBuffer.allocate(SnapshotPools.TRACK);
            pool.device("prod").read(131L * SnapshotPools.TRACK, b);
            return b.array();
        });
        assertThat(read).isEqualTo(java.util.Arrays.copyOfRange(image, 131 * SnapshotPools.TRACK, 132 * SnapshotPools.TRACK));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> text(robot, "#restoreOnDemand").startsWith("1 track read on demand"));
        AtomicLong partly = new AtomicLong(current(robot));
        assertThat(partly.get()).isBetween(224L, 255L);

        // cancelling asks first, and keeping the restore is the default
        robot.clickOn("#cancelRestore");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isPresent());
        assertThat(robot.lookup("#stopKeep").queryAs(Button.class).isDefaultButton()).isTrue();
        assertThat(robot.lookup("#stopAction").queryAs(Button.class).isDefaultButton()).isFalse();
        robot.type(KeyCode.ENTER); // the default: keep restoring
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isEmpty());

        // it ends: the map full, the volume's bytes the snapshot's, the safety snapshot on the timeline
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> text(robot, "#restoreProgressText")
                .equals("restore finished · 100% · 32 tracks copied back"));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> current(robot) == 256);
        assertThat(text(robot, "#restoreTitle")).isEqualTo("Restored prod to snapshot base");
        byte[] after = TestPools.call(fx.bridge, pool -> SnapshotPools.read(pool.device(SnapshotPools.VOLUME)));
        assertThat(after).isEqualTo(image);
        assertThat(onFx(() -> fx.vm.snapshots("prod").axisProperty().get().points()))
                .anyMatch(p -> p.safety() && p.valid());
        assertThat(showing(robot, "#showSnapshotRestore")).isFalse();
        robot.clickOn("#dismissRestore");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !showing(robot, "#restorePane"));
    }

    /** The first sentence of the open stop dialog ("The copy stops and …"), or "" when none is open. */
    private static String stopFirst(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup(".confirm-dialog").lookup(".label").queryAll().stream()
                .map(n -> ((Label) n).getText()).filter(t -> t != null && t.startsWith("The copy stops")).findFirst().orElse(""));
    }

    /**
     * "Cancel…" of a restore to a snapshot says how many tracks it leaves not restored; the copy goes
     * on while the dialog is open, and the count follows it, as the instant restore's does (f419acc):
     * it stayed as the dialog opened.
     */
    @Test
    void theCancelDialogsCountFollowsTheCopy(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.snapshots().create(SnapshotPools.VOLUME, "base");
            SnapshotPools.write(pool, 100, 128, 7); // 8 MiB to copy back: 8 s at 1 MB/s
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-snapshot-prod@base").tryQuery().isPresent());
        robot.clickOn("#nav-snapshot-prod@base");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> showing(robot, "#restoreSnapshot"));
        robot.clickOn("#restoreSnapshot");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        robot.clickOn("#restoreThrottle");
        robot.clickOn(robot.lookup((Node n) -> n instanceof ListCell<?> c && "1 MB/s".equals(c.getText())).<Node>query());
        robot.clickOn("#confirmName").write("prod");
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#confirmAction");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> showing(robot, "#restorePane")
                && current(robot) > 128 && current(robot) < 200);

        robot.clickOn("#cancelRestore");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !stopFirst(robot).isEmpty());
        String first = stopFirst(robot);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !stopFirst(robot).equals(first));
        Pattern owed = Pattern.compile(".*with ([\\d,]+) tracks? .*");
        Matcher before = owed.matcher(first);
        Matcher after = owed.matcher(stopFirst(robot));
        assertThat(before.matches() && after.matches()).as(first).isTrue();
        assertThat(Long.parseLong(after.group(1).replace(",", ""))).isLessThan(Long.parseLong(before.group(1).replace(",", "")));
        robot.clickOn("#stopKeep");
    }

    /**
     * A name refused in two lines grows the Take snapshot dialog: its buttons were cut off at the
     * bottom (the dialog kept the height of the one-line hint).
     */
    @Test
    void aRefusedNameLeavesTheDialogsButtonsWhole(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-prod").tryQuery().isPresent());
        robot.clickOn("#nav-volume-prod");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> showing(robot, "#takeSnapshot"));
        robot.clickOn("#takeSnapshot");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#snapshotTake").tryQuery().isPresent());
        robot.clickOn("#snapshotName").push(KeyCode.CONTROL, KeyCode.A).write("bad name");
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        Button cancel = robot.lookup("#snapshotCancel").queryAs(Button.class);
        double bottom = onFx(() -> cancel.localToScene(cancel.getLayoutBounds()).getMaxY());
        double height = onFx(() -> cancel.getScene().getHeight());
        assertThat(bottom).as("the buttons' bottom within the dialog").isLessThanOrEqualTo(height);
        robot.clickOn("#snapshotCancel");
    }

    /**
     * By hand under Xvfb at 1024x700: "my snap/1" typed as the name made its line two lines ("... not a
     * valid snapshot name: it may hold only ... / and A-Z, digits, ...") and the dialog grew 16 px at its
     * top, the Name field with it, under the mouse. The line keeps a room two lines tall, as the form
     * dialogs' problem lines do.
     */
    @Test
    void theNameFieldStaysStillWhenARefusedNameTakesTwoLines(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-prod").tryQuery().isPresent());
        robot.clickOn("#nav-volume-prod");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> showing(robot, "#takeSnapshot"));
        robot.clickOn("#takeSnapshot");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#snapshotTake").tryQuery().isPresent());
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        java.util.concurrent.Callable<double[]> where = () -> {
            Node name = robot.lookup("#snapshotName").query();
            Label line = robot.lookup("#snapshotNameLine").queryAs(Label.class);
            return new double[] {name.localToScreen(name.getLayoutBounds()).getMinY(), name.getScene().getWindow().getHeight(),
                    line.getHeight(), line.getFont().getSize()};
        };
        double[] hint = onFx(where);
        robot.interact(() -> robot.lookup("#snapshotName").queryAs(TextField.class).setText("my snap/1"));
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // the dialog's fit runs later on the UI thread
        WaitForAsyncUtils.waitForFxEvents();
        double[] refused = onFx(where);
        robot.clickOn("#snapshotCancel");

        assertThat(refused[2]).as("the refusal takes two lines").isGreaterThan(refused[3] * 1.8);
        assertThat(refused[0]).as("the Name field's top").isCloseTo(hint[0], org.assertj.core.data.Offset.offset(1.0));
        assertThat(refused[1]).as("the dialog's height").isCloseTo(hint[1], org.assertj.core.data.Offset.offset(1.0));
    }

    /**
     * At 1024x700 the restore's map header read "2,048 tracks × 64 KiB · 1,…" (seen under Xvfb): the
     * count of current tracks, the line's one moving part, cut off beside the on-demand counter. The
     * counter goes under it where both do not fit on one line, as on the instant restore's view.
     */
    @Test
    void atTheSmallestWindowTheRestoresMapLineShowsItsCurrentCountWhole(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.snapshots().create(SnapshotPools.VOLUME, "base");
            SnapshotPools.write(pool, 100, 128, 7); // 8 MiB to copy back: 8 s at 1 MB/s
            return pool.snapshots().restore(SnapshotPools.VOLUME, "base", false, 1_000_000);
        });
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-prod").tryQuery().isPresent());
        robot.clickOn("#nav-volume-prod");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> showing(robot, "#restorePane") && current(robot) >= 0);
        // the count moves with the copy: the drawn text may be a pulse behind the label's; a cut one never catches up
        String[][] line = new String[1][];
        try {
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> {
                line[0] = onFx(() -> {
                    Label l = robot.lookup("#restoreMapInfo").queryAs(Label.class);
                    Text shown = (Text) l.lookup(".text");
                    return new String[] {l.getText(), shown == null ? "" : shown.getText()};
                });
                return line[0][1].equals(line[0][0]);
            });
        } catch (java.util.concurrent.TimeoutException e) {
            // said below with both texts
        }
        assertThat(line[0][1]).isEqualTo(line[0][0]);
    }
}
