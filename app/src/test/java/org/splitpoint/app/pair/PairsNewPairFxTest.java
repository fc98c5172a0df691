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
}
