package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.TableCell;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;


/**
 * The Volumes table names every member drive of a volume in full: at 1024x700 a three-drive raid5
 * read "d1, d2, ..." (seen by hand; here, with the test's narrower font, a five-drive raid5), and which drives hold a volume is what an administrator looks
 * there for. The state column, whose reason may give way, gives the room.
 */
class VolumeDrivesShownFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.VOLUMES;
    }

    /** Each drives cell whose shown text is not its whole text, as "shown' for 'whole'". */
    private List<String> cut() throws Exception {
        return onFx(() -> {
            List<String> out = new ArrayList<>();
            for (Node n : stage.getScene().getRoot().lookupAll(".volumes-view .table-cell")) {
                if (n instanceof TableCell<?, ?> c && c.getTableColumn() != null
                        && "drivesColumn".equals(c.getTableColumn().getId()) && c.getText() != null && !c.getText().isEmpty()) {
                    Text shown = (Text) c.lookup(".text");
                    if (shown == null || !c.getText().equals(shown.getText())) {
                        out.add("'" + (shown == null ? null : shown.getText()) + "' for '" + c.getText() + "'");
                    }
                }
            }
            return out;
        });
    }

    @Test
    void at1024x700EveryVolumesDrivesShowInFull(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() ->
                stage.getScene().getRoot().lookupAll(".volumes-view .table-row-cell").stream()
                        .anyMatch(r -> r instanceof javafx.scene.control.TableRow<?> row && row.getItem() != null)));
        // a raid5 over five drives, as an administrator makes one: "d7, d8, d9, d10, d11"
        String wide = TestPools.call(fx.bridge, pool -> {
            List<String> d = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                d.add(pool.admin().addDrive(0));
            }
            pool.admin().createVolume("wide", org.splitpoint.engine.pool.Layout.RAID5, d, 0);
            return String.join(", ", d);
        });
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> stage.getScene().getRoot()
                .lookupAll(".volumes-view .table-cell").stream()
                .anyMatch(n -> n instanceof TableCell<?, ?> c && wide.equals(c.getText()))));
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(cut()).as("drives cells cut at 1024x700").isEmpty();
    }
}
