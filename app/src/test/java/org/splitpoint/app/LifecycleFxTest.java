package org.splitpoint.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Labeled;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.PoolLocation;
import org.splitpoint.app.pool.PoolView;
import org.splitpoint.app.session.AppPrefs;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A pool's whole life in the app, by clicks and keys: File → New pool without the demo, the empty
 * pool's guide, Add drives, two volumes from spares, a pair of them, the pair deleted, a volume
 * deleted; then a drive of a volume failed and a SPARE put in its place, rebuilt to OPTIMAL.
 */
@ExtendWith(ApplicationExtension.class)
class LifecycleFxTest {

    private static final long WAIT = 60;

    @TempDir
    static Path tmp;
    private AppWindow window;
    private Path poolDir;

    @Start
    void start(Stage stage) throws Exception {
        AppPrefs prefs = new AppPrefs(tmp.resolve("config-" + System.nanoTime()).resolve("app.properties"));
        prefs.saveBounds(new AppPrefs.Bounds(0, 0, 1260, 780, false)); // within the headless screen (1440x900, app/pom.xml)
        window = new AppWindow(stage, prefs);
        poolDir = tmp.resolve("p" + System.nanoTime());
        // no pool there yet: the window opens on its start page, as a first run does
        window.show(new PoolLocation(tmp.resolve("none-" + System.nanoTime()), false));
    }

    @AfterEach
    void close() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.closePool()).get(60, TimeUnit.SECONDS);
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    /** The pool as the engine has it now (asked on the bridge's executor, as the app asks). */
    private PoolSnapshot lastSnapshot() throws Exception {
        return org.splitpoint.app.testing.TestPools.call(bridge(), p -> p.snapshot());
    }

    private org.splitpoint.app.bridge.PoolBridge bridge() {
        return window.model().bridge();
    }

    private boolean shown(FxRobot robot, String query) throws Exception {
        return onFx(() -> robot.lookup(query).tryQuery().map(Node::isVisible).orElse(false));
    }

    private String text(FxRobot robot, String query) throws Exception {
        return onFx(() -> robot.lookup(query).tryQueryAs(Labeled.class).map(Labeled::getText).orElse(""));
    }

    private void waitFor(java.util.concurrent.Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, c);
    }

    /** The field carries the ControlsFX validation mark (its error style class) of the form's problem. */
    private boolean marked(FxRobot robot, String query) throws Exception {
        return onFx(() -> robot.lookup(query).tryQuery().map(n -> n.getStyleClass().contains("error")).orElse(false));
    }

    private boolean enabled(FxRobot robot, String query) throws Exception {
        return onFx(() -> robot.lookup(query).tryQuery().map(n -> !n.isDisabled() && n.isVisible()).orElse(false));
    }

    /** Clicks {@code query} once it is shown and enabled (a dialog's button waits for the engine's answer). */
    private void click(FxRobot robot, String query) throws Exception {
        waitFor(() -> enabled(robot, query));
        robot.clickOn(query);
    }

    private void typeInto(FxRobot robot, String query, String text) throws Exception {
        waitFor(() -> enabled(robot, query));
        robot.clickOn(query);
        robot.push(KeyCode.CONTROL, KeyCode.A);
        robot.write(text);
    }

    private String chosen(FxRobot robot, String choiceBox) throws Exception {
        return onFx(() -> {
            ChoiceBox<?> box = robot.lookup(choiceBox).queryAs(ChoiceBox.class);
            @SuppressWarnings("unchecked")
            javafx.util.StringConverter<Object> words = (javafx.util.StringConverter<Object>) box.getConverter();
            return words == null ? String.valueOf(box.getValue()) : words.toString(box.getValue());
        });
    }

    /** Opens the choice box and clicks {@code item} in its popup once the popup is laid out (it opens over the box). */
    private void choose(FxRobot robot, String choiceBox, String item) throws Exception {
        for (int attempt = 0; attempt < 5 && !item.equals(chosen(robot, choiceBox)); attempt++) {
            click(robot, choiceBox);
            waitFor(() -> onFx(() -> robot.lookup(".context-menu .label").match(
                    org.testfx.matcher.control.LabeledMatchers.hasText(item)).tryQuery().map(Node::isVisible).orElse(false)));
            WaitForAsyncUtils.waitForFxEvents();
            robot.clickOn(robot.lookup(".context-menu .label").match(
                    org.testfx.matcher.control.LabeledMatchers.hasText(item)).queryAs(Node.class));
            WaitForAsyncUtils.waitForFxEvents();
        }
        assertThat(chosen(robot, choiceBox)).isEqualTo(item);
    }

    private void newPoolWithoutTheDemo(FxRobot robot) throws Exception {
        waitFor(() -> robot.lookup("New pool…").tryQuery().isPresent());
        robot.push(KeyCode.CONTROL, KeyCode.N);
        typeInto(robot, "#newPoolDir", poolDir.toString());
        typeInto(robot, "#newPoolDriveSize", "4M");
        robot.clickOn("Create pool");
        waitFor(() -> window.viewProperty().get() != null && window.model() != null);
    }

    private void newVolume(FxRobot robot, String opener, String name, String layout, List<String> drives) throws Exception {
        click(robot, opener);
        typeInto(robot, "#newVolumeName", name);
        choose(robot, "#newVolumeLayout", layout);
        for (String d : drives) {
            click(robot, "#newVolumeDrive-" + d);
        }
        waitFor(() -> text(robot, "#newVolumeRule").contains("Chosen: " + drives.size() + " drives"));
        click(robot, "#newVolumeGo");
        waitFor(() -> lastSnapshot().volume(name) != null && !shown(robot, "#newVolumeGo"));
    }

    @Test
    void aNewPoolWithoutTheDemoIsTakenThroughTheWholeLifecycle(FxRobot robot) throws Exception {
        newPoolWithoutTheDemo(robot);
        assertThat(Files.exists(poolDir.resolve("pool.json"))).isTrue();

        // the empty pool says what to do next, with the buttons that do it
        waitFor(() -> shown(robot, "#emptyPoolGuide") && text(robot, "#nextStep").contains("no volume yet"));
        assertThat(text(robot, "#nextStep")).contains("6 SPARE drives");

        click(robot, "#guideAddDrives");
        typeInto(robot, "#addDrivesCount", "none"); // refused where it is typed, the field marked
        waitFor(() -> marked(robot, "#addDrivesCount"));
        assertThat(text(robot, "#addDrivesProblem")).isEqualTo("the number of drives must be a whole number from 1 to 64,"
                + " not 'none'");
        assertThat(enabled(robot, "#addDrivesGo")).isFalse();
        assertThat(marked(robot, "#addDrivesSize")).isFalse();
        // drives that outgrow the free space: said as typed, Add waits for the tick (8 × 8 TiB beats any disk here)
        typeInto(robot, "#addDrivesCount", "8");
        double countY = onFx(() -> robot.lookup("#addDrivesCount").query().localToScreen(0, 0).getY());
        typeInto(robot, "#addDrivesSize", "8T");
        waitFor(() -> shown(robot, "#addDrivesThin"));
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents(5);
        org.testfx.util.WaitForAsyncUtils.sleep(300, java.util.concurrent.TimeUnit.MILLISECONDS); // a fit runs later
        // the tick box's row is kept while hidden: shown, it moved the fields above 40 px under the typing
        assertThat(onFx(() -> robot.lookup("#addDrivesCount").query().localToScreen(0, 0).getY()))
                .as("Drives stays where it was").isEqualTo(countY);
        assertThat(text(robot, "#addDrivesProvisioning")).startsWith("8 drives × 8 TiB = 64 TiB of images on a file system with ")
                .contains("the drives are thin");
        assertThat(enabled(robot, "#addDrivesGo")).isFalse();
        click(robot, "#addDrivesThin");
        waitFor(() -> enabled(robot, "#addDrivesGo"));
        typeInto(robot, "#addDrivesSize", "");
        robot.push(KeyCode.BACK_SPACE); // empty: the pool's size
        typeInto(robot, "#addDrivesCount", "2");
        waitFor(() -> !marked(robot, "#addDrivesCount") && !shown(robot, "#addDrivesThin"));
        assertThat(text(robot, "#addDrivesProvisioning")).startsWith("2 drives × 4 MiB = 8 MiB of images on a file system with ")
                .doesNotContain("thin");
        click(robot, "#addDrivesGo");
        waitFor(() -> lastSnapshot().drives().size() == 8);
        assertThat(lastSnapshot().drive("d8").state()).isEqualTo(DriveState.SPARE);

        // a first volume from the guide: the rule line follows the ticks, Create waits for enough drives
        click(robot, "#guideNewVolume");
        typeInto(robot, "#newVolumeName", "db");
        choose(robot, "#newVolumeLayout", "raid5");
        click(robot, "#newVolumeDrive-d1");
        waitFor(() -> text(robot, "#newVolumeRule").contains("Chosen: 1 of the 3 needed"));
        assertThat(enabled(robot, "#newVolumeGo")).isFalse();
        assertThat(text(robot, "#newVolumeProblem")).isEqualTo("raid5 needs at least 3 drives; tick 2 more");
        waitFor(() -> marked(robot, "#newVolumeDrive-d4")); // the drives are what is wrong, not the name
        assertThat(marked(robot, "#newVolumeName")).isFalse();
        click(robot, "#newVolumeDrive-d2");
        click(robot, "#newVolumeDrive-d3");
        waitFor(() -> text(robot, "#newVolumeRule").contains("Chosen: 3 drives, holding"));
        click(robot, "#newVolumeGo");
        waitFor(() -> lastSnapshot().volume("db") != null);
        assertThat(lastSnapshot().volume("db").drives()).containsExactly("d1", "d2", "d3");
        waitFor(() -> !shown(robot, "#emptyPoolGuide"));

        // a second one of the same size, from the volumes bar under the bay
        newVolume(robot, "#newVolume", "db-bcv", "raid5", List.of("d4", "d5", "d6"));
        assertThat(lastSnapshot().volume("db-bcv").size()).isEqualTo(lastSnapshot().volume("db").size());

        // a pair of them (Pair → New pair…, Ctrl+Shift+P): the BCV offered is the one of the STD's size
        robot.push(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.P);
        typeInto(robot, "#newPairName", "db-pair");
        waitFor(() -> "db".equals(onFx(() -> robot.lookup("#newPairStd").queryAs(ChoiceBox.class).getValue()))
                && "db-bcv".equals(onFx(() -> robot.lookup("#newPairBcv").queryAs(ChoiceBox.class).getValue())));
        click(robot, "#newPairGo");
        waitFor(() -> !TestPoolsQuery.pairs(bridge()).isEmpty());

        // its console, from the tree; Delete pair… asks for the pair's name
        click(robot, "#nav-pair-db-pair");
        click(robot, "#deletePair");
        typeInto(robot, "#confirmName", "db-pair");
        click(robot, "#confirmAction");
        waitFor(() -> TestPoolsQuery.pairs(bridge()).isEmpty());
        // the tree drops the pair's row: a click meant for a volume's row must not land while the rows move
        waitFor(() -> onFx(() -> robot.lookup("#nav-pair-db-pair").tryQuery().isEmpty()));
        WaitForAsyncUtils.waitForFxEvents();

        // the BCV volume's page, from the tree; Delete volume… names what is lost
        click(robot, "#nav-volume-db-bcv");
        waitFor(() -> "volume:db-bcv".equals(onFx(() -> window.model().nav().selectedProperty().get())));
        click(robot, "#deleteVolume");
        waitFor(() -> robot.lookup("#confirmName").tryQuery().isPresent());
        String lost = onFx(() -> robot.lookup(".dialog-pane").queryAs(javafx.scene.control.DialogPane.class)
                .getContent().lookupAll(".label").stream().map(n -> ((Labeled) n).getText())
                .reduce("", (a, b) -> a + "\n" + b));
        assertThat(lost).contains("Volume db-bcv (raid5, ").contains("are lost. This cannot be undone.")
                .contains("Drives d4, d5, d6 go back to the bay as SPARE drives.");
        typeInto(robot, "#confirmName", "db-bcv");
        click(robot, "#confirmAction");
        waitFor(() -> lastSnapshot().volume("db-bcv") == null);
        for (String d : List.of("d4", "d5", "d6")) {
            assertThat(lastSnapshot().drive(d).state()).isEqualTo(DriveState.SPARE);
        }
        assertThat(lastSnapshot().volumes()).extracting(PoolSnapshot.VolumeView::name).containsExactly("db");
    }

    @Test
    void aFailedDriveIsReplacedByASpareAndTheRebuildFinishes(FxRobot robot) throws Exception {
        newPoolWithoutTheDemo(robot);
        newVolume(robot, "#guideNewVolume", "db", "raid5", List.of("d1", "d2", "d3"));
        // the failure itself is the setup (the bay's Fail drive has tests of its own)
        org.splitpoint.app.testing.TestPools.call(bridge(), p -> {
            p.admin().failDrive("d2");
            return null;
        });
        waitFor(() -> "FAILED".equals(onFx(() -> window.viewProperty().get().drives().shownState("d2"))));

        click(robot, "#nav-drives");
        click(robot, "#slot-d2");
        click(robot, "#replaceWithSpare");
        waitFor(() -> robot.lookup("#spareChoice").tryQuery().isPresent());
        choose(robot, "#spareChoice", "d5");
        typeInto(robot, "#spareLimit", "200");
        click(robot, "#spareGo");
        waitFor(() -> lastSnapshot().volume("db").drives().contains("d5"));
        waitFor(() -> lastSnapshot().volume("db").state() == VolumeState.OPTIMAL);
        waitFor(() -> "ONLINE".equals(onFx(() -> window.viewProperty().get().drives().shownState("d5"))));
        assertThat(lastSnapshot().volume("db").drives()).containsExactly("d1", "d5", "d3");
        assertThat(lastSnapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
        assertThat(lastSnapshot().drive("d2").volume()).isNull();
        long mismatches = org.splitpoint.app.testing.TestPools.call(bridge(), p -> p.admin().verify("db", false, null));
        assertThat(mismatches).isZero();
    }

    /** Pair queries through the bridge's executor. */
    private static final class TestPoolsQuery {
        static List<org.splitpoint.engine.pool.PairAdmin.PairView> pairs(org.splitpoint.app.bridge.PoolBridge b)
                throws Exception {
            return org.splitpoint.app.testing.TestPools.call(b, p -> p.pairs().query(null));
        }
    }
}
