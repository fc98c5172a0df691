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
    /**
     * At 1024x700 the header's save area key read "Save ar..." beside its gauge and New volume… (by hand
     * under Xvfb): "Save area snaps" is what the gauge is of, and it shows whole, as do the gauge's figures.
     */
    @Test
    void at1024x700TheSaveAreasKeyAndFiguresShowWhole(org.testfx.api.FxRobot robot) throws Exception {
        org.splitpoint.app.testing.TestPools.call(fx.bridge, pool -> { // as the first-run demo has it
            String a = pool.admin().addDrive(4 * org.splitpoint.app.testing.TestPools.DRIVE_SIZE);
            String b = pool.admin().addDrive(4 * org.splitpoint.app.testing.TestPools.DRIVE_SIZE);
            pool.admin().createVolume("snaps", org.splitpoint.engine.pool.Layout.RAID1, java.util.List.of(a, b), 0);
            pool.snapshots().setSaveArea("snaps");
            return null;
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() ->
                stage.getScene().getRoot().lookup(".volumes-view .save-area-key") != null
                        && !((javafx.scene.control.Label) stage.getScene().getRoot().lookup(".volumes-view .save-area-key"))
                        .getText().isEmpty()));
        fx.resize(robot, 1024, 700 - 27); // the app's window has a menu bar (27 px) this scene has not
        WaitForAsyncUtils.waitForFxEvents(5);
        WaitForAsyncUtils.sleep(500, TimeUnit.MILLISECONDS); // the dividers move a pulse after the resize
        WaitForAsyncUtils.waitForFxEvents(5);
        String[] key = onFx(() -> {
            javafx.scene.control.Label l = (javafx.scene.control.Label) stage.getScene().getRoot()
                    .lookup(".volumes-view .save-area-key");
            javafx.scene.control.Label g = (javafx.scene.control.Label) stage.getScene().getRoot()
                    .lookup(".volumes-view .gauge-text");
            return new String[] {l.getText(), ((javafx.scene.text.Text) l.lookup(".text")).getText(), g.getText(),
                    ((javafx.scene.text.Text) g.lookup(".text")).getText()};
        });
        assertThat(key[0]).isEqualTo("Save area snaps");
        assertThat(key[1]).as("the key as drawn").isEqualTo(key[0]);
        assertThat(key[3]).as("the gauge's figures as drawn").isEqualTo(key[2]);

        fx.resize(robot, 1440, 900 - 27); // where there is room, the bar shows beside them
        WaitForAsyncUtils.waitForFxEvents(5);
        WaitForAsyncUtils.sleep(500, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents(5);
        assertThat(onFx(() -> ((org.splitpoint.app.journal.LimitGauge) stage.getScene().getRoot()
                .lookup(".volumes-view .limit-gauge")).fraction())).as("the bar's fill at 1440x900").isGreaterThanOrEqualTo(0);
    }
}
