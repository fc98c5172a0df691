package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * At 1024x700 a volume's page shows its words whole: with the tree widened for the pair's entry
 * (228 px) and the Jobs pane at 210 px, the page read "Ve…" for Verify, "ONLI…" for the drives'
 * ONLINE and "str…" for the strip column (seen by hand under Xvfb).
 */
class VolumePageFitFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.volume("prod");
    }

    /** Each label or button of the page shown cut: "'Ve…' for '_Verify'". */
    private List<String> cut() throws Exception {
        return onFx(() -> {
            List<String> out = new ArrayList<>();
            Node page = stage.getScene().getRoot().lookup("#verifyVolume");
            while (page != null && !(page.getParent() instanceof javafx.scene.control.ScrollPane)
                    && !page.getStyleClass().contains("detail-pane")) {
                page = page.getParent();
            }
            for (Node n : page.lookupAll("*")) {
                if (n instanceof Labeled l && shown(l) && l.getText() != null && !l.getText().isEmpty()) {
                    Text shown = (Text) l.lookup(".text");
                    if (shown != null && (shown.getText().endsWith("…") || shown.getText().endsWith("..."))
                            && !l.getText().endsWith("…") && !l.getText().endsWith("...")) {
                        out.add("'" + shown.getText() + "' for '" + l.getText() + "'");
                    }
                }
            }
            return out;
        });
    }

    /** Whether {@code n} is on screen: it and its parents visible, and it has a width. */
    private static boolean shown(Node n) {
        if (n instanceof javafx.scene.layout.Region r && r.getWidth() < 1) {
            return false;
        }
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void at1024x700TheVolumesPageShowsItsWordsWhole(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> stage.getScene().getRoot().lookup("#verifyVolume") != null));
        fx.resize(robot, 1024, 700 - 27); // the app's window has a menu bar (27 px) this scene has not
        WaitForAsyncUtils.waitForFxEvents(5);
        WaitForAsyncUtils.sleep(500, TimeUnit.MILLISECONDS); // the dividers move a pulse after the resize
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(cut()).as("at 1024x700").isEmpty();
    }
}
