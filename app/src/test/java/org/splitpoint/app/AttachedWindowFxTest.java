package org.splitpoint.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.PoolLocation;
import org.splitpoint.app.session.AppPrefs;
import org.splitpoint.app.testing.ServeHolder;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The window opening a pool {@code serve} holds: its title says it is attached and to whom; when
 * the holder goes away the window says so and, on request, opens the pool itself.
 */
@ExtendWith(ApplicationExtension.class)
class AttachedWindowFxTest {

    private static final long WAIT = 60; // seconds: a loaded 2-CPU CI box

    @TempDir
    static Path tmp;
    private ServeHolder holder;
    private AppWindow window;
    private Stage stage;
    private Path dir;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        dir = TestPools.demo(tmp.resolve("t" + System.nanoTime()));
        holder = new ServeHolder(dir);
        AppPrefs prefs = new AppPrefs(tmp.resolve("config-" + System.nanoTime()).resolve("app.properties"));
        prefs.saveBounds(new AppPrefs.Bounds(0, 0, 1200, 760, false)); // within the headless screen (1440x900, app/pom.xml)
        window = new AppWindow(stage, prefs);
        window.show(new PoolLocation(dir, false));
    }

    @AfterEach
    void close() throws Exception {
        window.closePool();
        holder.close();
    }

    @Test
    void whenTheHolderGoesAwayTheWindowSaysSoAndOpensThePoolOnRequest(FxRobot robot) throws Exception {
        String attached = "Splitpoint — " + dir + " (attached to serve, pid " + ProcessHandle.current().pid() + ")";
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> attached.equals(onFx(stage::getTitle)));

        holder.close(); // serve stops: the pool's lock and socket are free
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> robot.lookup("#holderGoneOpen").tryQuery().isPresent());
        assertThat(onFx(stage::getTitle)).endsWith("(not live: its holder went away)");

        robot.clickOn("#holderGoneOpen");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> ("Splitpoint — " + dir).equals(onFx(stage::getTitle))
                && window.model() != null);
        assertThat(window.model().titleProperty().get()).as("held here now, not attached").doesNotContain("attached");
    }

    /** Attached, the holder serves: the Serve view lists its clients and has nothing to start here. */
    @Test
    void theServeViewHasNothingToStartWhileAttached(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> window.model() != null
                && robot.lookup("Serving (NBD)").tryQuery().isPresent());
        robot.clickOn("Serving (NBD)");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> robot.lookup("#serveToggle").tryQuery().isPresent());
        assertThat(robot.lookup("#serveToggle").query().isDisabled()).as("Start serving").isTrue();
        assertThat(robot.lookup("#serveAddress").query().isDisabled()).as("Listen on").isTrue();
    }
}
