package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.testfx.util.WaitForAsyncUtils;


/**
 * The Volumes page's New volume… sits in its header, at the right of the title and the save
 * area's gauge, as the pairs list's New pair… and a volume page's verbs do; it was in a bar of its
 * own above the title, which read as belonging to nothing.
 */
class VolumesHeaderFxTest extends PoolWindowFxTest {

    @Override
    protected String view() {
        return NavItem.VOLUMES;
    }

    @Test
    void newVolumeIsInTheHeaderRightOfTheTitle() throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() ->
                stage.getScene().getRoot().lookup(".volumes-view #newVolume") != null));
        double[] at = onFx(() -> {
            Node header = stage.getScene().getRoot().lookup(".volumes-view > .section-header");
            Node title = header.lookup(".section-title");
            Node button = stage.getScene().getRoot().lookup("#newVolume");
            Bounds h = header.localToScene(header.getLayoutBounds());
            Bounds t = title.localToScene(title.getLayoutBounds());
            Bounds b = button.localToScene(button.getLayoutBounds());
            return new double[] {h.getMinY(), h.getMaxY(), b.getCenterY(), t.getMaxX(), b.getMinX(), h.getMaxX(), b.getMaxX()};
        });
        assertThat(at[2]).as("the button's middle within the header's height").isBetween(at[0], at[1]);
        assertThat(at[4]).as("the button right of the title").isGreaterThan(at[3]);
        assertThat(at[6]).as("the button inside the header").isLessThanOrEqualTo(at[5] + 0.5);
    }
}
