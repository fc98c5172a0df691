package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The pairs list's New pair… follows the lifecycle's rule, the one its dialog keeps: it followed a
 * rule of its own (PairsViewModel's, unused otherwise), which counted the snapshots' save area as a
 * volume free to pair, so the button was enabled where the dialog had no two volumes to offer.
 */
class PairsNewPairFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.PAIRS;
    }

    @Test
    void newPairIsRefusedWhenTheOnlyOtherFreeVolumeIsTheSaveArea() throws Exception {
        TestPools.call(fx.bridge, pool -> {
            pool.pairs().delete("prod-pair", false);
            return pool.snapshots().setSaveArea("prod-bcv"); // prod is the only volume left to pair
        });
        fx.bridge.refresh();
        String why = "a pair needs two volumes of the same size in no pair; make volumes first";
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() ->
                why.equals(fx.view.lifecycle().model().newPairBlockedProperty().get())
                        && stage.getScene().getRoot().lookup("#newPair") != null));
        WaitForAsyncUtils.waitForFxEvents(5);
        Button b = onFx(() -> (Button) stage.getScene().getRoot().lookup("#newPair"));
        assertThat(onFx(b::isDisabled)).isTrue();
    }

    /**
     * At 1024x700 the Pairs table's header read "Invalid tracks S..." (seen under Xvfb): its columns
     * wanted 720 px of the table's ~570, and the column saying which count is which side was the one
     * cut; given room, the pair's BCV and "Synchronized" were cut in turn. Every header and cell shows whole there.
     */
    @Test
    void atTheSmallestWindowEveryHeaderOfThePairsTableShowsWhole(org.testfx.api.FxRobot robot) throws Exception {
        fx.resize(robot, 1024, 700);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> stage.getScene().lookup("#pairsTable") != null);
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS); // a layout pass
        WaitForAsyncUtils.waitForFxEvents();
        java.util.List<String> cut = onFx(() -> {
            java.util.List<String> out = new java.util.ArrayList<>();
            javafx.scene.Node table = stage.getScene().lookup("#pairsTable");
            java.util.Set<javafx.scene.Node> labels = new java.util.LinkedHashSet<>(table.lookupAll(".column-header .label"));
            labels.addAll(table.lookupAll(".table-cell"));
            labels.addAll(table.lookupAll(".table-cell .label"));
            for (javafx.scene.Node n : labels) {
                javafx.scene.control.Labeled l = (javafx.scene.control.Labeled) n;
                if (l.getText() == null || l.getText().isEmpty()) {
                    continue;
                }
                javafx.scene.text.Text shown = (javafx.scene.text.Text) l.lookup(".text");
                if (shown != null && !shown.getText().equals(l.getText())) {
                    out.add("'" + shown.getText() + "' for '" + l.getText() + "'");
                }
            }
            return out;
        });
        assertThat(cut).isEmpty();
    }
}
