package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.TableCell;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.FxPools;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;


/**
 * The Volumes table names every member drive of a volume in full: at 1024x700 a three-drive raid5
 * read "d1, d2, ..." (seen by hand; here, with the test's narrower font, a five-drive raid5), and
 * which drives hold a volume is what an administrator looks there for. The state column, whose
 * reason may give way, gives the room. Both tables: the Volumes page's and the drive bay's.
 */
@ExtendWith(ApplicationExtension.class)
class VolumeDrivesShownFxTest {

    @TempDir
    static Path tmp;
    private FxPools fx;
    private Stage stage;
    private String wide;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path dir = TestPools.plain(tmp.resolve("t" + System.nanoTime()), 4L << 20);
        // a raid5 over five drives, as an administrator makes one: "d6, d7, d8, d9, d10"
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(dir)) {
            List<String> d = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                d.add(pool.admin().addDrive(0));
            }
            pool.admin().createVolume("wide", org.splitpoint.engine.pool.Layout.RAID5, d, 0);
            wide = String.join(", ", d);
        }
        fx = FxPools.open(stage, dir, List.of());
    }

    @AfterEach
    void close() {
        fx.close();
    }

    /** Whether {@code n} and all its parents are visible: the page shown, not one kept aside. */
    private static boolean shown(Node n) {
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** Each drives cell shown whose shown text is not its whole text, as "'shown' for 'whole'". */
    private List<String> cut() throws Exception {
        return onFx(() -> {
            List<String> out = new ArrayList<>();
            for (Node n : stage.getScene().getRoot().lookupAll(".volumes-view .table-cell")) {
                if (n instanceof TableCell<?, ?> c && shown(c) && c.getTableColumn() != null
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

    private void showAt1024x700(FxRobot robot, String nav) throws Exception {
        fx.resize(robot, 1024, 700);
        robot.interact(() -> fx.vm.nav().selectedProperty().set(nav));
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> stage.getScene().getRoot()
                .lookupAll(".volumes-view .table-cell").stream()
                .anyMatch(n -> n instanceof TableCell<?, ?> c && shown(c) && wide.equals(c.getText()))));
        WaitForAsyncUtils.waitForFxEvents(5);
    }

    @Test
    void onTheVolumesPageEveryVolumesDrivesShowInFull(FxRobot robot) throws Exception {
        showAt1024x700(robot, NavItem.VOLUMES);
        assertThat(cut()).as("drives cells cut at 1024x700").isEmpty();
    }

    @Test
    void inTheDriveBayEveryVolumesDrivesShowInFull(FxRobot robot) throws Exception {
        showAt1024x700(robot, NavItem.DRIVES);
        assertThat(cut()).as("drives cells cut at 1024x700").isEmpty();
    }
}
