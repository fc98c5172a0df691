package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * In the Volumes table a volume's state word shows in full and its reason gives way: during a
 * rebuild the State column read "REBUIL...  d9 REBUILDING (rebuild ...", the word cut as much as
 * the long reason after it.
 */
class VolumesStateWordFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.VOLUMES;
    }

    @Override
    protected long driveSize() {
        return 32L << 20; // the rebuild at 1 MB/s outlives the test
    }

    /** The state word shown in prod's row, or null while there is none. */
    private String[] prodWord() throws Exception {
        return onFx(() -> {
            for (Node cell : stage.getScene().getRoot().lookupAll(".volumes-view .table-cell")) {
                if (cell instanceof Labeled c && c.getText() != null && c.getText().startsWith("REBUILDING:")) {
                    Labeled word = (Labeled) c.lookup(".state-word");
                    Text shown = (Text) word.lookup(".text");
                    return new String[] {word.getText(), shown == null ? "" : shown.getText()};
                }
            }
            return null;
        });
    }

    @Test
    void duringARebuildTheStateWordShowsInFullAndTheReasonGivesWay(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.admin().failDrive("d2");
            return pool.admin().replaceDrive("d2", 1_000_000);
        });
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> prodWord() != null);
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass after the resize
        String[] word = prodWord();
        assertThat(word[1]).as("the word on screen").isEqualTo(word[0]).isEqualTo("REBUILDING");
    }
}
