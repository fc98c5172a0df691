package org.splitpoint.app.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
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
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * During a firmware drill the Jobs panel and the drill's timeline both say how far the firmware steps
 * are. Seen by hand under Xvfb: the panel said "75.0% · 2 of 4 steps" while the timeline said "70.0% ·
 * activate (step 3 of 4)": the panel took each new pool snapshot at once, the timeline its percent at
 * the window map's next tick and its step from the step events. Everything drawn together must come
 * from one sample: the same percent, and the timeline's step the one after the panel's steps done.
 */
@ExtendWith(ApplicationExtension.class)
class DrillStepProgressFxTest {

    /** "75.0% · 2 of 4 steps · no data moves". */
    private static final Pattern JOB = Pattern.compile("^([\\d.]+)% · (\\d+) of (\\d+) steps");
    /** "… — 70.0% · activate (step 3 of 4)", or "… — 70.0% · step 3 of 4". */
    private static final Pattern STEP = Pattern.compile("— ([\\d.]+)% · (?:\\w+ \\()?step (\\d+) of (\\d+)");

    private static ServiceStepScale steps;

    @TempDir
    static Path tmp;
    private FxPools fx;

    @BeforeAll
    static void timedSteps() {
        steps = ServiceStepScale.set("1"); // four seconds of firmware steps: many samples of each
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

    /** What the Jobs panel and the running step say together, as "job% done/total | step% k/total". */
    private static String together(Node root) {
        String job = null;
        for (Node n : root.lookupAll(".job-line")) {
            Matcher m = JOB.matcher(((Label) n).getText() == null ? "" : ((Label) n).getText());
            if (n.isVisible() && m.find()) {
                job = m.group(1) + "% " + m.group(2) + "/" + m.group(3);
            }
        }
        String step = null;
        for (Node n : root.lookupAll(".step-detail")) {
            Matcher m = STEP.matcher(((Label) n).getText() == null ? "" : ((Label) n).getText());
            if (n.isVisible() && m.find()) {
                step = m.group(1) + "% " + m.group(2) + "/" + m.group(3);
            }
        }
        return job == null || step == null ? null : job + " | " + step;
    }

    @Test
    void theJobsPanelAndTheTimelineSayTheFirmwareStepsFromOneSample(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-drills").tryQuery().isPresent());
        robot.clickOn("#nav-drills");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#startDrill").tryQuery().isPresent());
        robot.clickOn("#drillDrive");
        robot.clickOn(robot.lookup((Node n) -> n instanceof ListCell<?> c && "d2".equals(c.getText())).<Node>query());
        robot.interact(() -> fx.vm.drills().form().writesForProperty().set(6)); // the window outlasts the steps
        Node root = onFx(() -> robot.lookup("#startDrill").query().getScene().getRoot());
        List<String> shown = new CopyOnWriteArrayList<>(); // every pair drawn together, as it changed
        onFx(() -> {
            root.getScene().addPostLayoutPulseListener(() -> { // what a pulse draws, as the eye sees it
                String t = together(root);
                if (t != null && (shown.isEmpty() || !shown.get(shown.size() - 1).equals(t))) {
                    shown.add(t);
                }
            });
            return null;
        });

        robot.clickOn("#startDrill");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#confirmName").tryQuery().isPresent());
        robot.clickOn("#confirmName").write(onFx(() -> fx.vm.drills().form().volumeProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#confirmAction");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#resultCard").tryQuery()
                .map(Node::isVisible).orElse(false));

        assertThat(shown).as("the firmware steps' progress seen in both places").hasSizeGreaterThan(3);
        assertThat(shown).as("Jobs panel | timeline, as shown together").allSatisfy(p -> {
            String[] two = p.split(" \\| ");
            String[] job = two[0].split("[% /]+");
            String[] step = two[1].split("[% /]+");
            assertThat(step[0]).as("the percent, " + p).isEqualTo(job[0]);
            assertThat(Long.parseLong(step[1])).as("the step running, " + p)
                    .isEqualTo(Math.min(Long.parseLong(job[1]) + 1, Long.parseLong(job[2])));
        });
    }
}
