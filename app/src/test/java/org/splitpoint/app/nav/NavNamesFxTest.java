package org.splitpoint.app.nav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.TreeCell;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * At the smallest window (1024x700) the tree is under 200 px wide: "prod-bcv" read "prod-…" and the
 * pair "prod-pair" only "…" beside its whole "Synchronized", the name given way to the state word.
 * There the name shows whole, the badge and its word under it; the tooltip names the entry in full
 * (the pool's too).
 */
class NavNamesFxTest extends PoolWindowFxTest {

    /** Each entry whose name the tree shows cut: "key shows 'prod-…'". */
    private List<String> cut() throws Exception {
        return onFx(() -> {
            List<String> out = new ArrayList<>();
            for (Node n : stage.getScene().lookup("#navTree").lookupAll(".tree-cell")) {
                if (n instanceof TreeCell<?> cell && cell.getItem() instanceof NavItem item && cell.isVisible()) {
                    Text shown = (Text) cell.getChildrenUnmodifiable().stream().filter(c -> c instanceof Text)
                            .findFirst().orElse(null); // the cell's own, not its badge's word
                    if (shown != null && (!shown.getText().replace("\n", "").equals(item.label()) // whole, on one line or more
                            || shown.getLayoutBounds().getHeight() > cell.getHeight())) { // and the cell as tall as its lines
                        out.add(item.key() + " shows '" + shown.getText() + "'");
                    }
                }
            }
            return out;
        });
    }

    private String tooltip(String id) throws Exception {
        return onFx(() -> {
            TreeCell<?> cell = (TreeCell<?>) stage.getScene().lookup("#navTree").lookup("#" + id);
            return cell == null || cell.getTooltip() == null ? "" : cell.getTooltip().getText();
        });
    }

    /** Resizes the window to {@code w} x {@code h} once the tree shows the pair, and lets a layout pass run. */
    private void settleAt(FxRobot robot, int w, int h) throws Exception {
        fx.resize(robot, w, h);
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> stage.getScene().lookup("#nav-pair-prod-pair") != null);
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass after the resize
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void atTheSmallestWindowTheTreeShowsEveryNameAndItsTooltipNamesItInFull(FxRobot robot) throws Exception {
        settleAt(robot, 1024, 700);
        assertThat(cut()).isEmpty();
        assertThat(tooltip("nav-pair-prod-pair")).startsWith("Pair console of prod-pair — Synchronized");
        assertThat(tooltip("nav-volume-prod-bcv")).startsWith("Volume prod-bcv — OPTIMAL");
        String pool = fx.bridge.poolDir().getFileName().toString();
        assertThat(tooltip("nav-pool")).startsWith("Pool " + pool + " — HEALTHY");
    }

    /**
     * The Serving (NBD) entry's tooltip says what the view does and its key: it read "Volume Serving (NBD):
     * layout, verify, throughput, host workload" (seen under Xvfb), a volume's hint.
     */
    @Test
    void theServingEntrysTooltipSaysWhatItServesAndItsKey(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> stage.getScene().lookup("#nav-serve") != null);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(tooltip("nav-serve")).isEqualTo("Serve the pool's volumes over NBD to real clients: the address,"
                + " the clients connected and their I/O (Ctrl+6)");
    }

    /**
     * A volume's snapshots sit a level deeper than the volumes: at 1024x700 "before-upgrade" read
     * "before…pgrade" and a proposed name "snap-20261202-0812" "snap-…0812". They show whole.
     */
    @Test
    void atTheSmallestWindowSnapshotNamesShowWhole(FxRobot robot) throws Exception {
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> {
            pool.pairs().delete("prod-pair", false);
            pool.snapshots().setSaveArea("prod-bcv");
            pool.snapshots().create("prod", "before-upgrade");
            return pool.snapshots().create("prod", "snap-20261202-0812");
        });
        fx.bridge.refresh();
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> fx.vm.nav().selectedProperty().get() != null));
        onFx(() -> {
            fx.vm.nav().selectedProperty().set(NavItem.volume("prod")); // its snapshots shown under it
            return null;
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () ->
                org.splitpoint.app.testing.FxPools.onFx(() -> stage.getScene().lookup("#nav-snapshot-prod@snap-20261202-0812") != null));
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass after the resize
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(cut()).isEmpty();

        // one taken while the tree shows the volume's snapshots: its cell grows to its lines
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> pool.snapshots().create("prod", "before-restore-20261205-140849"));
        fx.bridge.refresh();
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () ->
                org.splitpoint.app.testing.FxPools.onFx(() -> stage.getScene().lookup("#nav-snapshot-prod@before-restore-20261205-140849") != null));
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(cut()).isEmpty();
    }

    /**
     * Each volume or pair entry whose state word the tree does not show whole: hidden (a glyph alone,
     * "prod-bcv ✓"), or past the tree's edge or the cell's bottom.
     */
    private List<String> wordless() throws Exception {
        return onFx(() -> {
            List<String> out = new ArrayList<>();
            Node tree = stage.getScene().lookup("#navTree");
            javafx.geometry.Bounds t = tree.localToScene(tree.getBoundsInLocal());
            for (Node n : tree.lookupAll(".tree-cell")) {
                if (n instanceof TreeCell<?> cell && cell.getItem() instanceof NavItem item && cell.isVisible()
                        && (item.key().startsWith("volume:") || item.key().startsWith("pair:"))) {
                    javafx.scene.control.Labeled word = (javafx.scene.control.Labeled) cell.lookup(".state-word");
                    if (word == null || !word.isVisible() || !word.isManaged()) {
                        out.add(item.key() + " shows no state word");
                        continue;
                    }
                    javafx.geometry.Bounds w = word.localToScene(word.getBoundsInLocal());
                    javafx.geometry.Bounds c = cell.localToScene(cell.getBoundsInLocal());
                    if (w.getMaxX() > t.getMaxX() + 0.5 || w.getMaxY() > c.getMaxY() + 0.5
                            || word.getText().contains("…") || word.getText().contains("...")) {
                        out.add(item.key() + " shows '" + word.getText() + "' cut");
                    }
                }
            }
            return out;
        });
    }

    /**
     * At 1024x700 the badge of "prod-bcv" kept its glyph only ("prod-bcv ✓"), and the pair's too: the
     * state word goes under the name where both do not fit on one line, and stays beside it at 1440x900.
     */
    @Test
    void everyVolumeAndPairShowsItsStateWordAtBothSizes(FxRobot robot) throws Exception {
        for (int[] size : new int[][] {{1024, 700}, {1440, 900}, {1024, 700}}) {
            settleAt(robot, size[0], size[1]);
            assertThat(wordless()).as("at %dx%d", size[0], size[1]).isEmpty();
            assertThat(cut()).as("at %dx%d", size[0], size[1]).isEmpty();
        }
    }

    /** The volume and pair entries whose state badge went under their name (a second line). */
    private List<String> badgesBelow() throws Exception {
        return onFx(() -> {
            List<String> out = new ArrayList<>();
            for (Node n : stage.getScene().lookup("#navTree").lookupAll(".tree-cell")) {
                if (n instanceof TreeCell<?> cell && cell.getItem() instanceof NavItem item && cell.isVisible()
                        && (item.key().startsWith("volume:") || item.key().startsWith("pair:"))
                        && cell.getContentDisplay() != javafx.scene.control.ContentDisplay.RIGHT) {
                    out.add(item.key());
                }
            }
            return out;
        });
    }

    /**
     * At 1024x700 the tree (~188 px) was too narrow for "prod-bcv ✓ OPTIMAL" on one line: its badge
     * went under the name, alone of the volumes. Then "prod-pair ▮ Synchronized" still took two lines,
     * its name alone on the first (seen by hand). The demo's volumes and pair keep their SPEC words on
     * their line (longer names still take a second line, whole).
     */
    @Test
    void atTheSmallestWindowTheDemosNamesKeepTheirStateOnTheirLine(FxRobot robot) throws Exception {
        settleAt(robot, 1024, 700);
        assertThat(badgesBelow()).isEmpty();
    }
}
