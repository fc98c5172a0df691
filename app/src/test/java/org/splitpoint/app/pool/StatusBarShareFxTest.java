package org.splitpoint.app.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * While a problem stands (a drive image removed: its sentence names the image's whole path), the
 * status bar's last message still says what the last action did: the problem's line took all the
 * room, and "16:28:46 Drive d7 is OFFLINE (replacement); ..." read "1..." (seen by hand at 1310 px,
 * nothing at 1024 px). The two share what the bar leaves (about 140 px each at 1024 px); each
 * whole sentence is in its tooltip. The bar is one line tall whatever the sentences.
 */
class StatusBarShareFxTest extends PoolWindowFxTest {

    private static String shown(Label l) {
        Text t = (Text) l.lookup(".text");
        return t == null ? "" : t.getText();
    }

    /** {@code shown} is {@code whole} on one line, or its beginning ending in an ellipsis. */
    private static void oneLineOf(String shown, String whole, String what) {
        assertThat(shown).as(what + ": on one line").doesNotContain("\n").isNotEmpty();
        if (!shown.equals(whole)) {
            String ellipsis = shown.endsWith("...") ? "..." : "…"; // the label's ellipsis string, JavaFX's "..."
            assertThat(shown).as(what + ": cut with an ellipsis").endsWith(ellipsis);
            assertThat(whole).as(what + ": begins as shown").startsWith(shown.substring(0, shown.length() - ellipsis.length()));
        }
    }

    /** The status bar's height now. */
    private double barHeight() throws Exception {
        return onFx(() -> stage.getScene().getRoot().lookup(".status-bar").getLayoutBounds().getHeight());
    }

    private static void settle() {
        WaitForAsyncUtils.waitForFxEvents(5);
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass
        WaitForAsyncUtils.waitForFxEvents(5);
    }

    @Test
    void theLastMessageKeepsItsShareBesideAStandingProblem(FxRobot robot) throws Exception {
        fx.resize(robot, 1024, 700);
        Files.delete(fx.bridge.poolDir().resolve("drives").resolve("d6.img"));
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> !onFx(() -> fx.vm.problemsProperty().get()).isEmpty());
        // wider and back, with no message yet (the problems then have all the room): their share follows
        // the window and the bar stays within it (sized by the bar's own width, the share kept the bar as
        // wide as it once was: at the app's start, the problem's whole sentence wide)
        fx.resize(robot, 1400, 760);
        WaitForAsyncUtils.waitForFxEvents(5);
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitForFxEvents(5);
        double[] widths = onFx(() -> new double[] {
                stage.getScene().getRoot().lookup(".status-bar").getLayoutBounds().getWidth(), stage.getScene().getWidth()});
        assertThat(widths[0]).as("the status bar's width within the window's " + widths[1]).isLessThanOrEqualTo(widths[1] + 1);
        robot.interact(() -> fx.vm.status().succeeded("Drive d3 is OFFLINE (firmware); volume prod is in SERVICE,"
                + " writes kept as pointers"));
        WaitForAsyncUtils.waitForFxEvents(5);
        String[] texts = onFx(() -> {
            Label message = (Label) stage.getScene().getRoot().lookup(".status-bar .status-message");
            Label problems = (Label) stage.getScene().getRoot().lookup(".status-bar .problems");
            return new String[] {shown(message), shown(problems), problems.getTooltip() == null ? null
                    : problems.getTooltip().getText(), message.getTooltip() == null ? null : message.getTooltip().getText()};
        });
        assertThat(texts[0]).as("the last message as shown").contains("Drive d3");
        oneLineOf(texts[1], onFx(() -> fx.vm.problemsProperty().get()), "the problem as shown");
        assertThat(texts[1].length()).as("the problem as shown: " + texts[1]).isGreaterThan(12);
        assertThat(texts[2]).as("the problem's tooltip").isEqualTo(onFx(() -> fx.vm.problemsProperty().get()));
        assertThat(texts[3]).as("the message's tooltip").endsWith("writes kept as pointers");
    }

    /**
     * A message too long for its share leaves the bar one line tall, at 1024x700 and 1440x900: it
     * wrapped, the bar growing to its lines, and the whole window's content above moved up by a line
     * (13 px or more) until the next short message moved it back (by hand under Xvfb). It ends in
     * an ellipsis where its share ends, within the window; its tooltip holds it whole.
     */
    @Test
    void aLongMessageLeavesTheBarOneLineTallAtBothSizes(FxRobot robot) throws Exception {
        String sentence = "Pair prod-pair is Split: prod-bcv holds prod's image as it was at the split, and each side"
                + " records the tracks it changes from now on, which the next establish copies incrementally";
        for (int[] size : new int[][] {{1024, 700}, {1440, 900}, {1024, 700}}) {
            robot.interact(() -> fx.vm.status().succeeded("Snapshot prod@s1 taken"));
            fx.resize(robot, size[0], size[1]);
            settle();
            double oneLine = barHeight();
            robot.interact(() -> fx.vm.status().succeeded(sentence));
            settle();
            Object[] seen = onFx(() -> {
                Label message = (Label) stage.getScene().getRoot().lookup(".status-bar .status-message");
                javafx.geometry.Bounds b = message.localToScene(message.getBoundsInLocal());
                return new Object[] {shown(message), message.getText(),
                        b.getMaxX() <= stage.getScene().getWidth() + 1 && b.getMaxY() <= stage.getScene().getHeight() + 1,
                        b + " in " + stage.getScene().getWidth() + "x" + stage.getScene().getHeight(),
                        message.getTooltip().getText()};
            });
            assertThat(barHeight()).as("the bar's height with the long message at %dx%d", size[0], size[1])
                    .isEqualTo(oneLine);
            oneLineOf((String) seen[0], (String) seen[1], "the message at " + size[0] + "x" + size[1]);
            assertThat((Boolean) seen[2]).as("within the window at %dx%d: %s", size[0], size[1], seen[3]).isTrue();
            assertThat((String) seen[4]).as("the message's tooltip").endsWith("incrementally");
        }
    }

    /**
     * At 1024x700 a backup's start ("Backup of prod started: 2,048 tracks to copy (full) into" and the
     * store's path) took four lines of the status bar beside the pool's summary (last session, by hand).
     * The summary, which the navigation tree and the Jobs panel say too, steps aside for a message that
     * does not fit beside it, on one line; and it is back for a message that fits beside it.
     */
    @Test
    void aLongMessageTakesTheSummarysRoomAt1024x700(FxRobot robot) throws Exception {
        fx.resize(robot, 1024, 700);
        settle();
        double oneLine = barHeight();
        String sentence = "Backup of prod started: 2,048 tracks to copy (full) into"
                + " /home/administrator/.local/share/splitpoint/demo-backups";
        robot.interact(() -> fx.vm.status().succeeded(sentence));
        settle();
        Object[] seen = onFx(() -> {
            Label message = (Label) stage.getScene().getRoot().lookup(".status-bar .status-message");
            javafx.geometry.Bounds b = message.localToScene(message.getBoundsInLocal());
            return new Object[] {shown(message), message.getText(), b.getMaxY() <= stage.getScene().getHeight() + 1,
                    stage.getScene().getRoot().lookup(".status-bar .summary").isVisible()};
        });
        oneLineOf((String) seen[0], (String) seen[1], "the backup's message");
        assertThat((String) seen[0]).as("most of it shown").contains("tracks to copy");
        assertThat((Boolean) seen[2]).as("within the window").isTrue();
        assertThat((Boolean) seen[3]).as("the summary, beside a message that does not fit").isFalse();
        assertThat(barHeight()).as("the bar's height").isEqualTo(oneLine);

        robot.interact(() -> fx.vm.status().succeeded("Snapshot prod@s1 taken"));
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(onFx(() -> stage.getScene().getRoot().lookup(".status-bar .summary").isVisible()))
                .as("the summary, beside a message that fits").isTrue();
    }

    /**
     * A standing problem's long sentence (a drive image removed: it names the image's whole path and
     * the verb that helps) stays on one line at 1024x700 beside a message, cut with an ellipsis, whole in its
     * tooltip; the bar one line tall.
     */
    @Test
    void aLongProblemStaysOnOneLineBesideAMessage(FxRobot robot) throws Exception {
        fx.resize(robot, 1024, 700);
        settle();
        double oneLine = barHeight();
        Files.delete(fx.bridge.poolDir().resolve("drives").resolve("d6.img"));
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> !onFx(() -> fx.vm.problemsProperty().get()).isEmpty());
        robot.interact(() -> fx.vm.status().succeeded("Drive d3 is OFFLINE (firmware); volume prod is in SERVICE"));
        settle();
        Object[] seen = onFx(() -> {
            Label problems = (Label) stage.getScene().getRoot().lookup(".status-bar .problems");
            javafx.geometry.Bounds b = problems.localToScene(problems.getBoundsInLocal());
            return new Object[] {shown(problems), problems.getText(),
                    b.getMaxY() <= stage.getScene().getHeight() + 1, problems.getTooltip().getText()};
        });
        oneLineOf((String) seen[0], (String) seen[1], "the problem as shown");
        assertThat((Boolean) seen[2]).as("within the window").isTrue();
        assertThat((String) seen[3]).as("the problem's tooltip").isEqualTo(seen[1]).contains("the image of drive");
        assertThat(barHeight()).as("the bar's height").isEqualTo(oneLine);
    }

    /**
     * A message that fits on one line leaves the bar one line tall: at 1440x900 the split's "Pair
     * prod-pair is Split: prod-bcv holds the point-in-time image" (one line, 600 px to spare) made the bar
     * two lines tall, the message at its top, the left items at its bottom (seen under Xvfb).
     */
    @Test
    void aOneLineMessageLeavesTheBarOneLineTall(FxRobot robot) throws Exception {
        fx.resize(robot, 1440, 900);
        WaitForAsyncUtils.waitForFxEvents(5);
        double before = onFx(() -> stage.getScene().getRoot().lookup(".status-bar").getLayoutBounds().getHeight());
        for (String sentence : new String[] {"Pair prod-pair is Split: prod-bcv holds the point-in-time image",
                "Establishing prod-pair (full)…", "Restore of prod from prod-bcv started; the BCV stays protected",
                "Pair prod-pair is Split: prod-bcv holds the point-in-time image"}) {
            robot.interact(() -> fx.vm.status().succeeded(sentence));
            WaitForAsyncUtils.waitForFxEvents(5);
            Object[] seen = onFx(() -> {
                Label message = (Label) stage.getScene().getRoot().lookup(".status-bar .status-message");
                javafx.scene.layout.Region bar = (javafx.scene.layout.Region) stage.getScene().getRoot().lookup(".status-bar");
                String d = "message " + message.getWidth() + "x" + message.getHeight() + ", bar min " + bar.minHeight(-1);
                return new Object[] {shown(message), bar.getLayoutBounds().getHeight(), d};
            });
            assertThat((String) seen[0]).as("on one line: %s", seen[2]).doesNotContain("\n").endsWith(sentence);
            assertThat((Double) seen[1]).as("the bar's height with \"%s\" (%s), as without a message", sentence, seen[2])
                    .isEqualTo(before);
        }
    }
}
