package org.splitpoint.app.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.JournalPools;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.JournalAdmin;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A journaled RAID5 volume that lost two drives opens FAILED; its banner offers the rebuild from
 * backup + journal, the dialog shows the engine's preview (chain full first, entries, lost drives),
 * and the rebuild runs on the restore view's track map (rate and ETA at 2 MB/s, then unlimited)
 * until the volume is back as of its last acknowledged write.
 */
@ExtendWith(ApplicationExtension.class)
class RebuildFxTest {

    @TempDir
    static Path tmp;
    private FxPools fx;
    private JournalPools.Made made;

    @Start
    void start(Stage stage) throws Exception {
        made = JournalPools.lostWithJournal(tmp.resolve("t" + System.nanoTime()), 3, 5);
        fx = FxPools.open(stage, made.pool(), List.of(made.store()));
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static String text(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    @Test
    void aFailedVolumeIsRebuiltFromTheBannerToItsLastAcknowledgedWrite(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-volume-data").tryQuery().isPresent());
        robot.clickOn("#nav-volume-data");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#rebuildFromJournal").tryQuery()
                .map(Node::isVisible).orElse(false));
        JournalAdmin.RebuildPreview p = TestPools.call(fx.bridge, pool -> pool.journals().previewRebuild("data"));
        assertThat(text(robot, ".banner-text")).contains("beyond its redundancy").contains("writes since image "
                + p.chain().get(1));
        assertThat(robot.lookup("#journalBadge .state-word").queryAs(Label.class).getText())
                .as("the journal card of the FAILED volume").isEqualTo("PROTECTING");

        robot.clickOn("#rebuildFromJournal");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#rebuildStart").tryQuery()
                .map(n -> !((Button) n).isDisabled()).orElse(false));
        assertThat(text(robot, "#rebuildLost")).isEqualTo("d1, d2");
        List<String> chain = onFx(() -> robot.lookup("#rebuildChain").queryAs(VBox.class).getChildren().stream()
                .map(n -> ((Label) n).getText()).toList());
        assertThat(chain).containsExactly(p.chain().get(0) + "  (full)", p.chain().get(1) + "  (incremental)",
                "in " + made.store());
        assertThat(text(robot, "#rebuildEntries")).startsWith(p.entries() + (p.entries() == 1 ? " entry" : " entries")
                + " (320 KiB) · the oldest ");
        assertThat(text(robot, "#rebuildCopy")).isEqualTo("16 MiB (256 tracks), the whole volume");
        robot.clickOn("#rebuildThrottle");
        robot.clickOn(robot.lookup((Node n) -> n instanceof ListCell<?> c && "2 MB/s".equals(c.getText()))
                .<Node>query());
        robot.clickOn("#rebuildStart");

        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "restore:data".equals(
                onFx(() -> fx.vm.nav().selectedProperty().get())));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> text(robot, "#restoreTitle")
                .equals("Rebuild of data from backup + journal"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> text(robot, "#restoreProgressText")
                .matches("\\d+\\.\\d% · [\\d.]+ [KM]B/s · ETA \\d+:\\d\\d"));
        assertThat(text(robot, "#imageLine")).contains(p.chain().get(1)).contains("plus ").endsWith(" (320 KiB) of the"
                + " journal on top, to its last acknowledged write");
        assertThat(onFx(() -> fx.vm.nav().treeProperty().get().groups().stream().flatMap(g -> g.below().values().stream())
                .flatMap(List::stream).anyMatch(i -> i.key().equals("restore:data") && i.label().equals("Rebuild"))))
                .as("the navigation names it a rebuild").isTrue();

        robot.clickOn("#throttle").type(KeyCode.END); // unlimited
        try {
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> text(robot, "#restoreProgressText")
                    .equals("rebuild finished · 100%"));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the rebuild did not finish: " + text(robot, "#restoreProgressText") + " / "
                    + text(robot, "#throttleText") + " / " + text(robot, "#mapInfo"), e);
        }
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> text(robot, "#mapInfo").contains("256 current"));
        byte[] now = TestPools.call(fx.bridge, JournalPools::read);
        assertThat(JournalPools.sha256(now)).as("the volume as of its last acknowledged write")
                .isEqualTo(JournalPools.sha256(made.expect()));
        robot.clickOn("#nav-volume-data");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup(".state-word").queryAll().stream()
                .anyMatch(n -> n.isVisible() && "OPTIMAL".equals(((Label) n).getText())));
        assertThat(robot.lookup("#rebuildFromJournal").tryQuery().map(Node::isVisible).orElse(false)).isFalse();
    }
}
