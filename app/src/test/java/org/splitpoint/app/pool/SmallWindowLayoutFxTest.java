package org.splitpoint.app.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.pair.PairConsoleView;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;


/**
 * At 1024x700, after the window shrank from its default size, the Jobs pane gives its room back to
 * the detail: the pair console's controls are inside the window and its boxes' words (volume names,
 * a split pair's changed-track count with its size) show in full, not ellipsised (the Jobs pane kept
 * ~290 px before, and "181 tracks changed (11.3 MiB)" read "181 tracks changed (11.3...").
 */
class SmallWindowLayoutFxTest extends PairConsoleWindowFxTest {

    /** What is wrong with the console on screen: a control outside the window, a label cut short. */
    private List<String> problems() throws Exception {
        return onFx(() -> {
            PairConsoleView console = fx.view.consoleProperty().get();
            Bounds window = new javafx.geometry.BoundingBox(0, 0, stage.getScene().getWidth(), stage.getScene().getHeight());
            List<String> out = new ArrayList<>();
            for (String sel : List.of(".pair-std", ".pair-bcv", "#pairState", "#throttle", "#onDemand", "#restorePair",
                    "#cancelCopy", "#protectBcv")) {
                for (Node n : console.lookupAll(sel)) {
                    Bounds b = n.localToScene(n.getBoundsInLocal());
                    if (b.getMinX() < window.getMinX() - 1 || b.getMaxX() > window.getMaxX() + 1) {
                        out.add(sel + " " + (int) b.getMinX() + ".." + (int) b.getMaxX() + " outside the window");
                    }
                }
            }
            for (String box : List.of(".pair-std", ".pair-bcv")) {
                for (Node l : console.lookup(box).lookupAll(".label")) {
                    if (l instanceof Labeled lab && lab.getText() != null && !lab.getText().isEmpty()) {
                        Text shown = (Text) lab.lookup(".text");
                        if (shown != null && !shown.getText().replace("\n", " ").equals(lab.getText().replace("\n", " "))) {
                            out.add(box + " shows '" + shown.getText() + "' for '" + lab.getText() + "'");
                        }
                    }
                }
            }
            return out;
        });
    }

    @Test
    void afterShrinkingTo1024x700ThePairConsoleHasTheRoomAndItsCountsShowInFull(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        // split, then a host changes 181 tracks of the STD: its box counts them, with their size
        TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(List.of("prod-pair"));
            byte[] track = new byte[64 << 10];
            java.util.Arrays.fill(track, (byte) 0x5a);
            for (int t = 0; t < 181; t++) {
                pool.device("prod").write(t * 5L * track.length % pool.device("prod").size(), java.nio.ByteBuffer.wrap(track));
            }
            pool.device("prod").flush();
            return null;
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> {
            Node b = fx.view.consoleProperty().get().lookup(".pair-std .pair-invalid");
            return b instanceof Labeled l && l.getText() != null && l.getText().replace("\n", " ").equals("181 tracks changed (11.3 MiB)");
        }));
        fx.resize(robot, 1024, 700);
        try { // the dividers move a pulse after the resize: wait for it, then say what is still wrong
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> problems().isEmpty());
        } catch (java.util.concurrent.TimeoutException e) {
            // asserted below, with the problems named
        }
        assertThat(problems()).as("at 1024x700").isEmpty();
    }

    /**
     * A copy's Pause and Cancel wrap together: at 1024x700 Pause ended the progress line and Cancel
     * began the next one, beside the throttle, as if it were the throttle's.
     */
    @Test
    void at1024x700PauseAndCancelStayOnOneLine(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitForFxEvents(5);
        double[] tops = onFx(() -> {
            Node pause = fx.view.consoleProperty().get().lookup("#pauseCopy");
            Node cancel = fx.view.consoleProperty().get().lookup("#cancelCopy");
            return new double[] {pause.localToScene(pause.getBoundsInLocal()).getMinY(),
                    cancel.localToScene(cancel.getBoundsInLocal()).getMinY()};
        });
        assertThat(tops[1]).as("Cancel's top against Pause's").isEqualTo(tops[0], org.assertj.core.data.Offset.offset(1.0));
    }

    /**
     * At 1024x700 the event log showed two rows and a half (seen by hand): it shows three whole ones.
     * This scene has no menu bar above the pool view, as the app's window has (27 px): it is that much shorter.
     */
    @Test
    void at1024x700TheEventLogShowsThreeWholeRows(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        fx.resize(robot, 1024, 700 - 27);
        WaitForAsyncUtils.waitForFxEvents(5);
        long whole = onFx(() -> {
            Node list = fx.view.lookup("#eventsList");
            Bounds shown = list.localToScene(list.getBoundsInLocal());
            return list.lookupAll(".list-cell").stream().filter(c -> c.isVisible()
                    && c instanceof javafx.scene.control.ListCell<?> cell && cell.getItem() != null).filter(c -> {
                Bounds b = c.localToScene(c.getBoundsInLocal());
                return b.getHeight() > 0 && b.getMinY() >= shown.getMinY() - 1 && b.getMaxY() <= shown.getMaxY() + 1;
            }).count();
        });
        assertThat(whole).as("event rows shown whole").isGreaterThanOrEqualTo(3);
    }

    /**
     * The header's sentence of what the pair's state means wraps under a narrow header: at 1024x700
     * a split pair's read "split: STD and BCV are independent; each records…", with no tooltip.
     */
    @Test
    void at1024x700ThePairStatesMeaningShowsInFull(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(List.of("prod-pair"));
            return null;
        });
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> ((Labeled) fx.view.consoleProperty().get()
                .lookup("#meaning")).getText().startsWith("split: ")));
        WaitForAsyncUtils.waitForFxEvents(5);
        String[] meaning = onFx(() -> {
            Labeled l = (Labeled) fx.view.consoleProperty().get().lookup("#meaning");
            Text shown = (Text) l.lookup(".text");
            return new String[] {l.getText(), shown == null ? "" : shown.getText().replace("\n", " ")};
        });
        assertThat(meaning[1]).isEqualTo(meaning[0]);
    }

    /**
     * A synchronized pair's sentence fits on one line of the header at 1024x700: it read "mirroring: host
     * writes to the STD go to the BCV" with "too" alone on a second line (seen by hand).
     */
    @Test
    void at1024x700ASynchronizedPairsMeaningTakesOneLine(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> ((Labeled) fx.view.consoleProperty().get()
                .lookup("#meaning")).getText().startsWith("mirroring: ")));
        WaitForAsyncUtils.waitForFxEvents(5);
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // the dividers move a pulse after the resize
        WaitForAsyncUtils.waitForFxEvents(5);
        double[] heights = onFx(() -> {
            Labeled l = (Labeled) fx.view.consoleProperty().get().lookup("#meaning");
            Text shown = (Text) l.lookup(".text");
            Text one = new Text("M");
            one.setFont(l.getFont());
            return new double[] {shown.getLayoutBounds().getHeight(), one.getLayoutBounds().getHeight()};
        });
        assertThat(heights[0] / heights[1]).as("lines of the sentence").isLessThan(1.5);
    }

    /** What is cut in the Jobs pane: a job's title ellipsised, a control of its row outside the pane. */
    private List<String> jobProblems() throws Exception {
        return onFx(() -> {
            Node pane = stage.getScene().getRoot().lookup(".jobs-view");
            Node list = pane.lookup(".list-view");
            Bounds port = list.localToScene(list.getBoundsInLocal());
            List<String> out = new ArrayList<>();
            Node title = list.lookup(".job-title");
            if (title == null) {
                out.add("no job shown");
                return out;
            }
            Text shown = (Text) title.lookup(".text");
            if (shown == null || !shown.getText().equals(((Labeled) title).getText())) {
                out.add("the title shows '" + (shown == null ? "" : shown.getText()) + "' for '" + ((Labeled) title).getText() + "'");
            }
            for (Node n : list.lookupAll(".job-cell *")) {
                if (!n.isVisible() || !(n instanceof javafx.scene.control.Control)) {
                    continue;
                }
                Bounds b = n.localToScene(n.getBoundsInLocal());
                if (b.getMaxX() > port.getMaxX() + 1) {
                    out.add(n.getClass().getSimpleName() + " " + (int) b.getMinX() + ".." + (int) b.getMaxX() + " beyond "
                            + (int) port.getMaxX());
                }
            }
            return out;
        });
    }

    @Test
    void at1024x700ARunningJobsTitleAndItsSpeedLimitShowInTheJobsPane(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx.view.consoleProperty().get() != null);
        TestPools.call(fx.bridge, pool -> { // a full establish at 1 MB/s: it runs for a minute
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().establish("prod-pair", true, 1_000_000);
        });
        fx.resize(robot, 1024, 700);
        try {
            WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> jobProblems().isEmpty());
        } catch (java.util.concurrent.TimeoutException e) {
            // asserted below, with the problems named
        }
        assertThat(jobProblems()).as("the Jobs pane at 1024x700").isEmpty();
    }
}
