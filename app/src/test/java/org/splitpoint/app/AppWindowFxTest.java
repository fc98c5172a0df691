package org.splitpoint.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.PoolLocation;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.session.AppPrefs;
import org.splitpoint.app.testing.Dialogs;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.Pool;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The window around the pools, driven by its menus and keys: a failed open keeps the pool on display
 * and says why in a sentence for the app; another pool opens before the current one closes; Quit,
 * closing the window and opening another pool ask first while a workload runs, naming it; the demo
 * workload is a remembered File-menu choice, off until chosen.
 */
@ExtendWith(ApplicationExtension.class)
class AppWindowFxTest {

    @TempDir
    static Path tmp;
    private Path dir;
    private Path poolA;
    private Path poolB;
    private Path broken;
    private AppPrefs prefs;
    private AppWindow window;
    private Stage stage;
    private final AtomicInteger exits = new AtomicInteger();

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        dir = Files.createDirectories(tmp.resolve("t" + System.nanoTime()));
        poolA = TestPools.demo(dir.resolve("a"));
        broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("pool.json"), "this is not a pool's metadata");
        prefs = new AppPrefs(dir.resolve("config/splitpoint/app.properties"));
        prefs.saveBounds(new AppPrefs.Bounds(0, 0, 1260, 780, false)); // within the headless screen (1440x900, app/pom.xml)
        prefs.opened(broken);
        window = new AppWindow(stage, prefs, exits::incrementAndGet);
        window.show(new PoolLocation(poolA, true)); // pool a is opened as the demo pool would be
    }

    /** A second pool, listed under File → Open recent (made only by the tests that open it: pools take a while). */
    private void makePoolB() throws Exception {
        poolB = TestPools.demo(dir.resolve("b"));
        prefs.opened(poolB); // the menu lists it when it next shows
    }

    @AfterEach
    void close() {
        window.closePool();
    }

    private Path shownPool() throws Exception {
        return onFx(() -> window.model() == null || window.viewProperty().get() == null ? null
                : Path.of(window.model().poolPathProperty().get()));
    }

    private void awaitPool(Path p) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> p.equals(shownPool()));
    }

    private String openProblem(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup("#openProblem").tryQueryAs(Label.class).map(Label::getText).orElse(""));
    }

    private void startStdWorkload(FxRobot robot) throws Exception {
        robot.interact(() -> window.model().nav().selectedProperty().set(NavItem.pair("prod-pair")));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#workloadToggle").tryQuery().isPresent());
        robot.clickOn("#workloadToggle");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> window.model().workloads().runningVolumes())
                .contains("prod"));
    }

    /**
     * File → Open recent → {@code pool}, clicking the items of the menus on screen. A menu rebuilt while
     * the robot moves to it (the live menus' texts change as the first snapshots arrive) is tried again.
     */
    private void openRecent(FxRobot robot, Path pool) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                robot.clickOn("_File");
                WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> shown(robot, "Open _recent") != null);
                javafx.scene.Node recent = shown(robot, "Open _recent");
                robot.clickOn(recent);
                WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> shown(robot, pool.toString()) != null);
                javafx.scene.Node item = shown(robot, pool.toString());
                // along the "Open recent" row into the submenu first: a diagonal would cross the next
                // row of the File menu, which closes the submenu
                javafx.geometry.Bounds from = onFx(() -> recent.localToScreen(recent.getBoundsInLocal()));
                javafx.geometry.Bounds to = onFx(() -> item.localToScreen(item.getBoundsInLocal()));
                robot.moveTo(new javafx.geometry.Point2D(to.getMinX() + 4, from.getCenterY()));
                robot.clickOn(item);
                return;
            } catch (RuntimeException | java.util.concurrent.TimeoutException e) {
                if (attempt == 3) {
                    throw e;
                }
                robot.type(KeyCode.ESCAPE).type(KeyCode.ESCAPE);
                WaitForAsyncUtils.waitForFxEvents();
            }
        }
    }

    private static javafx.scene.Node shown(FxRobot robot, String text) throws Exception {
        return onFx(() -> robot.lookup(text).match(n -> n.getScene() != null && n.getScene().getWindow() != null
                && n.getScene().getWindow().isShowing() && n.isVisible()).tryQuery().orElse(null));
    }

    private void ctrl(FxRobot robot, KeyCode key) {
        robot.press(KeyCode.CONTROL).type(key).release(KeyCode.CONTROL);
    }

    /**
     * Each section of the navigation tree under the pool has its Ctrl+digit, Serving (NBD) too: it had
     * none, the only section the keyboard could not reach but through the tree.
     */
    @Test
    void everySectionOfTheTreeHasItsShortcut(FxRobot robot) throws Exception {
        awaitPool(poolA);
        KeyCode[] digits = {KeyCode.DIGIT1, KeyCode.DIGIT2, KeyCode.DIGIT3, KeyCode.DIGIT4, KeyCode.DIGIT5, KeyCode.DIGIT6};
        String[] sections = {NavItem.DRIVES, NavItem.VOLUMES, NavItem.PAIRS, NavItem.BACKUPS, NavItem.DRILLS, NavItem.SERVE};
        for (int i = digits.length - 1; i >= 0; i--) { // from the last, so no section is selected before its key
            ctrl(robot, digits[i]);
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(onFx(() -> window.model().nav().selectedProperty().get())).as("Ctrl+%d", i + 1).isEqualTo(sections[i]);
        }
    }

    /**
     * A Go to shortcut leaves the focus on a control of the section it shows, one that shows its focus and takes
     * keys: seen by hand under Xvfb, after Ctrl+2 the focus was on no control at all (on the page shown at the
     * open, a pane, then on a node of the page Ctrl+2 replaced), so the arrow keys did nothing and no focus ring
     * showed until Tab went back to the tree.
     */
    @Test
    void aGoToShortcutPutsTheFocusOnTheSectionsFirstControl(FxRobot robot) throws Exception {
        awaitPool(poolA);
        KeyCode[] digits = {KeyCode.DIGIT1, KeyCode.DIGIT2, KeyCode.DIGIT3, KeyCode.DIGIT4, KeyCode.DIGIT5, KeyCode.DIGIT6};
        for (int i = digits.length - 1; i >= 0; i--) {
            ctrl(robot, digits[i]);
            WaitForAsyncUtils.waitForFxEvents(5);
            String where = onFx(() -> {
                javafx.scene.Node f = stage.getScene().getFocusOwner();
                javafx.scene.Node page = stage.getScene().getRoot().lookup(".detail-scroll");
                if (f == null) {
                    return "no focus";
                }
                boolean inPage = false;
                for (javafx.scene.Node p = f; p != null; p = p.getParent()) {
                    inPage |= p == page;
                }
                return !inPage || f.getScene() == null ? "outside the section shown: " + f
                        : !f.isFocusTraversable() ? "on a node Tab never stops at: " + f : "ok";
            });
            assertThat(where).as("the focus after Ctrl+%d", i + 1).isEqualTo("ok");
        }
    }

    @Test
    void aFailedOpenKeepsThePoolShownAndSaysWhyForTheApp(FxRobot robot) throws Exception {
        makePoolB();
        awaitPool(poolA);
        var before = onFx(() -> window.model());

        openRecent(robot, broken);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !openProblem(robot).isEmpty());
        assertThat(openProblem(robot)).startsWith("Splitpoint could not open pool " + broken + ": ")
                .doesNotContain("'pool create'");
        assertThat(onFx(() -> window.model())).as("pool a still open").isSameAs(before);
        assertThat(shownPool()).isEqualTo(poolA);
        robot.type(KeyCode.ENTER); // the alert's OK
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> openProblem(robot).isEmpty());

        Path notAPool = Files.createDirectories(dir.resolve("photos"));
        robot.interact(() -> window.open(new PoolLocation(notAPool, false)));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !openProblem(robot).isEmpty());
        assertThat(openProblem(robot)).isEqualTo(notAPool + " is not a Splitpoint pool: it has no pool.json."
                + " Choose the folder that holds pool.json, or make a pool with File → New pool….");
        assertThat(onFx(() -> window.model())).isSameAs(before);
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> openProblem(robot).isEmpty());

        // a good pool opens first, then the one shown before is closed (another process may open it then)
        openRecent(robot, poolB);
        awaitPool(poolB);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> {
            try (Pool p = Pool.open(poolA)) {
                return true;
            } catch (Exception held) {
                return false;
            }
        });
    }

    @Test
    void quitAsksWhileAWorkloadRunsNamingItAndEnterOrEscapeKeepIt(FxRobot robot) throws Exception {
        awaitPool(poolA);
        startStdWorkload(robot);

        for (KeyCode key : new KeyCode[] {KeyCode.ESCAPE, KeyCode.ENTER}) {
            ctrl(robot, KeyCode.Q);
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isPresent());
            assertThat(Dialogs.stopDialogText(robot)).contains("Quit Splitpoint while work is running?")
                    .contains("the verified workload on prod").contains("The workloads stop.").doesNotContain("NBD");
            robot.type(key);
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isEmpty());
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(exits.get()).as("after " + key).isZero();
        }

        // closing the window asks the same; keeping it consumes the close request
        CompletableFuture<Boolean> consumed = new CompletableFuture<>();
        Platform.runLater(() -> {
            WindowEvent e = new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST);
            stage.getOnCloseRequest().handle(e);
            consumed.complete(e.isConsumed());
        });
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isPresent());
        robot.type(KeyCode.ESCAPE);
        assertThat(consumed.get(5, TimeUnit.SECONDS)).as("the window stays").isTrue();

        ctrl(robot, KeyCode.Q);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
        robot.clickOn("#stopAction");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> exits.get() == 1);
    }

    @Test
    void openingAnotherPoolAsksWhileAWorkloadRunsAndKeepingItStaysOnThePool(FxRobot robot) throws Exception {
        makePoolB();
        awaitPool(poolA);
        startStdWorkload(robot);

        openRecent(robot, poolB);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isPresent());
        assertThat(Dialogs.stopDialogText(robot)).contains("Open another pool while work is running?")
                .contains("the verified workload on prod");
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopKeep").tryQuery().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(shownPool()).isEqualTo(poolA);
        assertThat(onFx(() -> window.model().workloads().runningVolumes())).containsExactly("prod");

        openRecent(robot, poolB);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#stopAction").tryQuery().isPresent());
        robot.clickOn("#stopAction");
        awaitPool(poolB);
    }

    @Test
    void theDemoWorkloadIsOffUntilChosenInTheFileMenuAndTheChoiceIsRemembered(FxRobot robot) throws Exception {
        awaitPool(poolA); // opened as the demo pool, with the choice not made yet
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(onFx(() -> window.model().workloads().runningVolumes())).as("not started unasked").isEmpty();

        robot.clickOn("_File").clickOn("Run the demo _workload");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> window.model().workloads().runningVolumes())
                .contains("prod"));
        assertThat(new AppPrefs(prefs.file()).demoWorkload()).isTrue();

        robot.clickOn("_File").clickOn("Run the demo _workload");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> window.model().workloads().runningVolumes())
                .isEmpty());
        assertThat(new AppPrefs(prefs.file()).demoWorkload()).isFalse();
    }
}
