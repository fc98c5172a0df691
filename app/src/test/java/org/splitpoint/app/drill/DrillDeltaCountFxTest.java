package org.splitpoint.app.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.ServiceStepScale;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * While a drive is in its window, the Drills view says the delta twice: the drive's line ("reset ·
 * pointers · 66 tracks") and the map's caption ("… · 65 tracks owed to d2 (the delta)"). Seen by hand
 * during a drill under Xvfb: the two disagreed as the writes went on, the line taken from the pool's
 * snapshot (every 500 ms), the caption from the map's sample (every 200 ms). Every pair of counts
 * shown together must agree.
 */
@ExtendWith(ApplicationExtension.class)
class DrillDeltaCountFxTest {

    private static final Pattern DRIVE_COUNT = Pattern.compile("· ([\\d,]+) tracks?$");
    private static final Pattern MAP_COUNT = Pattern.compile("([\\d,]+) tracks? owed to ");

    private static ServiceStepScale steps;

    @TempDir
    static Path tmp;
    private FxPools fx;

    @BeforeAll
    static void fastSteps() {
        steps = ServiceStepScale.set("0");
    }

    @AfterAll
    static void restoreSteps() {
        steps.close();
    }

    @Start
    void start(Stage stage) throws Exception {
        fx = FxPools.open(stage, TestPools.plain(tmp.resolve("t" + System.nanoTime()), 16L << 20), List.of());
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static Long count(Pattern p, String text) {
        Matcher m = p.matcher(text == null ? "" : text);
        return m.find() ? Long.parseLong(m.group(1).replace(",", "")) : null;
    }

    @Test
    void theDrivesLineAndTheMapsCaptionCountTheSameDelta(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-drills").tryQuery().isPresent());
        robot.clickOn("#nav-drills");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#mapLine").tryQuery().isPresent());
        Label driveLine = robot.lookup("#driveLine").queryAs(Label.class);
        Label mapLine = robot.lookup("#mapLine").queryAs(Label.class);
        List<String> shown = new CopyOnWriteArrayList<>(); // every pair of counts drawn together, as it changed
        onFx(() -> {
            driveLine.getScene().addPostLayoutPulseListener(() -> { // what a pulse draws, as the eye sees it
                Long d = count(DRIVE_COUNT, driveLine.getText());
                Long m = count(MAP_COUNT, mapLine.getText());
                String pair = d + "/" + m;
                if (d != null && m != null && (shown.isEmpty() || !shown.get(shown.size() - 1).equals(pair))) {
                    shown.add(pair);
                }
            });
            return null;
        });

        TestPools.call(fx.bridge, pool -> pool.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS));
        for (int round = 0; round < 4; round++) { // the hosts write on, a few tracks at a time
            int first = round * 8;
            TestPools.call(fx.bridge, pool -> {
                for (int t = first; t < first + 8; t++) {
                    pool.device("prod").write(t * 3L * 64 * 1024, ByteBuffer.allocate(4096));
                }
                return null;
            });
            long delta = TestPools.call(fx.bridge, pool -> pool.snapshot().drive("d2").service().deltaTracks());
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() ->
                    Long.valueOf(delta).equals(count(DRIVE_COUNT, driveLine.getText()))
                            && Long.valueOf(delta).equals(count(MAP_COUNT, mapLine.getText()))));
        }

        assertThat(shown).as("the counts shown").isNotEmpty();
        assertThat(shown).as("drive line / map caption, as shown together")
                .allMatch(p -> p.split("/")[0].equals(p.split("/")[1]));
    }
}
