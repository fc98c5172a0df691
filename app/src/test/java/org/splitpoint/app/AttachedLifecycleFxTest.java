package org.splitpoint.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.ChoiceBox;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.PoolLocation;
import org.splitpoint.app.session.AppPrefs;
import org.splitpoint.app.testing.ServeHolder;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.Layout;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The lifecycle dialogs by clicks and keys while the window is attached to a pool {@code serve}
 * holds: Pair → New pair… makes the pair in the holder, its console's Delete pair… (the typed
 * confirmation) deletes it there; the status bar reports each once the holder's stream shows it.
 */
@ExtendWith(ApplicationExtension.class)
class AttachedLifecycleFxTest {

    private static final long WAIT = 60; // seconds: a loaded 2-CPU CI box

    @TempDir
    static Path tmp;
    private ServeHolder holder;
    private AppWindow window;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path dir = TestPools.demo(tmp.resolve("t" + System.nanoTime()));
        holder = new ServeHolder(dir);
        // two free volumes of one size, made in the holder (as an administrator did earlier from a shell)
        List<String> d = List.of(holder.pool.admin().addDrive(0), holder.pool.admin().addDrive(0),
                holder.pool.admin().addDrive(0), holder.pool.admin().addDrive(0));
        holder.pool.admin().createVolume("app", Layout.RAID1, d.subList(0, 2), 0);
        holder.pool.admin().createVolume("app-bcv", Layout.RAID1, d.subList(2, 4), 0);
        AppPrefs prefs = new AppPrefs(tmp.resolve("config-" + System.nanoTime()).resolve("app.properties"));
        prefs.saveBounds(new AppPrefs.Bounds(0, 0, 1260, 780, false)); // within the headless screen (1440x900, app/pom.xml)
        window = new AppWindow(stage, prefs);
        window.show(new PoolLocation(dir, false));
    }

    @AfterEach
    void close() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.closePool()).get(60, TimeUnit.SECONDS);
        holder.close();
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    private void waitFor(java.util.concurrent.Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, c);
    }

    private boolean enabled(FxRobot robot, String query) throws Exception {
        return onFx(() -> robot.lookup(query).tryQuery().map(n -> !n.isDisabled() && n.isVisible()).orElse(false));
    }

    private void click(FxRobot robot, String query) throws Exception {
        waitFor(() -> enabled(robot, query));
        robot.clickOn(query);
    }

    private void typeInto(FxRobot robot, String query, String text) throws Exception {
        click(robot, query);
        robot.push(KeyCode.CONTROL, KeyCode.A);
        robot.write(text);
    }

    private String statusLine() throws Exception {
        return window.model() == null ? "" : onFx(() -> window.model().status().messageProperty().get());
    }

    @Test
    void aPairIsCreatedAndDeletedByTheHolderFromTheDialogs(FxRobot robot) throws Exception {
        waitFor(() -> onFx(stage::getTitle).endsWith("(attached to serve, pid " + ProcessHandle.current().pid() + ")"));
        waitFor(() -> robot.lookup("#nav-volume-app-bcv").tryQuery().isPresent());

        // Pair → New pair… (Ctrl+Shift+P): the free volumes of one size are offered, as when the pool is held here
        robot.push(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.P);
        typeInto(robot, "#newPairName", "app-pair");
        waitFor(() -> "app".equals(onFx(() -> robot.lookup("#newPairStd").queryAs(ChoiceBox.class).getValue()))
                && "app-bcv".equals(onFx(() -> robot.lookup("#newPairBcv").queryAs(ChoiceBox.class).getValue())));
        click(robot, "#newPairGo");
        waitFor(() -> holder.pool.pairs().query(null).stream().anyMatch(p -> p.name().equals("app-pair")));
        waitFor(() -> statusLine().endsWith("Created pair app-pair: STD app, BCV app-bcv; NeverEstab"));

        // its console, from the tree (the stream brought it); Delete pair… asks for the pair's name
        click(robot, "#nav-pair-app-pair");
        click(robot, "#deletePair");
        typeInto(robot, "#confirmName", "app-pair");
        click(robot, "#confirmAction");
        waitFor(() -> holder.pool.pairs().query(null).stream().noneMatch(p -> p.name().equals("app-pair")));
        waitFor(() -> statusLine().endsWith("Deleted pair app-pair; volumes app and app-bcv are independent"));
        waitFor(() -> !robot.lookup("#nav-pair-app-pair").tryQuery().map(Node::isVisible).orElse(false));
    }
}
