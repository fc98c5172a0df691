package org.splitpoint.app.nav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The navigation tree is narrow (a sixth of a 1024 px window): a restoring pair read
 * "prod-pair ⟳ Restoring (Res" there, the rest of its state cut off. The tree names the state by
 * its SPEC word, which fits; the plain words stay on the pair console and in the entry's tooltip.
 */
class NavPairStateFxTest extends PoolWindowFxTest {

    @Override
    protected long driveSize() {
        return 32L << 20; // the restore at 1 MB/s outlives the test
    }

    /** The pair entry's state word and whether its badge ends inside the tree, or null while it is not restoring. */
    private Object[] pairBadge() throws Exception {
        return onFx(() -> {
            Node tree = stage.getScene().lookup("#navTree");
            Node cell = tree.lookup("#nav-pair-prod-pair");
            Labeled word = cell == null ? null : (Labeled) cell.lookup(".state-word");
            if (word == null || !word.getText().contains("Rest")) {
                return null;
            }
            Node badge = cell.lookup(".state-badge");
            Bounds b = badge.localToScene(badge.getBoundsInLocal());
            Bounds t = tree.localToScene(tree.getBoundsInLocal());
            return new Object[] {word.getText(), b.getMaxX() <= t.getMaxX()};
        });
    }

    @Test
    void aRestoringPairsStateFitsTheTreeAtTheSmallestWindow(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(List.of("prod-pair"));
            pool.device("prod-bcv").write(0, java.nio.ByteBuffer.wrap(new byte[4 << 20])); // tracks to restore
            return pool.pairs().restore("prod-pair", false, true, 1_000_000);
        });
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> pairBadge() != null);
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass after the resize
        Object[] badge = pairBadge();
        assertThat((Boolean) badge[1]).as("the badge ends inside the tree").isTrue();
        assertThat(badge[0]).isEqualTo("RestInProg");
    }
}
