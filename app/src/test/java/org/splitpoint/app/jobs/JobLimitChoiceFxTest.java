package org.splitpoint.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.ListCell;
import javafx.scene.control.skin.ComboBoxListViewSkin;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A job row's speed limit wears the ComboBox's face without its skin (whose popup list, styled and
 * measured with the row, was most of a new row's cost): it shows the job's limit, looks as the
 * ComboBox does to the pixel, and the first press puts the ComboBox's skin in place, whose popup
 * lists the steps; choosing one sets the job's limit in the engine. Focus puts it in place too, so
 * the keyboard works as on any ComboBox.
 */
class JobLimitChoiceFxTest extends PoolWindowFxTest {

    @Override
    protected long driveSize() {
        return TestPools.PAIR_DRIVE_SIZE;
    }

    private LimitChoice limit() {
        return (LimitChoice) fx.view.lookup(".jobs-view .job-limit");
    }

    private static int[] pixels(Image image) {
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        int[] argb = new int[w * h];
        PixelReader r = image.getPixelReader();
        r.getPixels(0, 0, w, h, javafx.scene.image.PixelFormat.getIntArgbInstance(), argb, 0, w);
        return argb;
    }

    @Test
    void theLimitLooksAsTheComboBoxAndItsFirstPressOpensItsSteps(FxRobot robot) throws Exception {
        TestPools.call(fx.bridge, pool -> { // a full establish at 1 MB/s: it runs for a minute
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().establish("prod-pair", true, 1_000_000);
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> limit() != null && limit().getValue() != null
                && limit().isVisible() && limit().getScene() != null));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(onFx(() -> limit().opened())).as("the ComboBox's skin before any use").isFalse();
        assertThat(onFx(() -> limit().lookup(".list-view"))).as("a popup list before any use").isNull();
        assertThat(onFx(() -> ((ListCell<?>) limit().lookup(".list-cell")).getText())).as("the limit shown")
                .isEqualTo("1 MB/s");
        // the box's body shows through its cell (a Jobs-list rule for selected rows once painted it over)
        assertThat(onFx(() -> {
            javafx.scene.layout.Background b = ((ListCell<?>) limit().lookup(".list-cell")).getBackground();
            return b == null || b.getFills().stream().allMatch(f -> javafx.scene.paint.Color.TRANSPARENT.equals(f.getFill()));
        })).as("the limit's cell paints no background over the box").isTrue();

        double[] faceSize = onFx(() -> new double[] {limit().getWidth(), limit().getHeight()});
        int[] face = onFx(() -> pixels(limit().snapshot(null, null)));
        assertThat(java.util.Arrays.stream(face).distinct().count()).as("colours in the face's picture").isGreaterThan(20);
        onFx(() -> {
            limit().open();
            limit().getParent().layout();
            return null;
        });
        assertThat(onFx(() -> limit().getSkin())).as("the skin after open()").isInstanceOf(ComboBoxListViewSkin.class);
        assertThat(onFx(() -> new double[] {limit().prefWidth(-1), limit().prefHeight(-1)})).as("the ComboBox's size")
                .containsExactly(faceSize);
        assertThat(onFx(() -> pixels(limit().snapshot(null, null)))).as("the ComboBox's pixels, as the face's")
                .isEqualTo(face);
    }

    /** A full establish at 1 MB/s (it runs for a minute), its row on display; returns its job's id. */
    private String slowEstablishShown() throws Exception {
        String id = TestPools.call(fx.bridge, pool -> {
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().establish("prod-pair", true, 1_000_000).id();
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> limit() != null && limit().getValue() != null
                && limit().getScene() != null));
        WaitForAsyncUtils.waitForFxEvents();
        return id;
    }

    @Test
    void aPressOpensTheStepsAndAChoiceSetsTheJobsLimit(FxRobot robot) throws Exception {
        String id = slowEstablishShown();
        assertThat(onFx(() -> limit().opened())).as("the ComboBox's skin before any use").isFalse();
        robot.clickOn(onFx(this::limit));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> limit().isShowing()));
        assertThat(onFx(() -> limit().opened())).as("the ComboBox's skin after a press").isTrue();
        Node step = robot.lookup(".combo-box-popup .list-cell").match(n -> "20 MB/s".equals(((ListCell<?>) n).getText()))
                .query();
        assertThat(step).as("the popup's 20 MB/s step").isNotNull();
        robot.clickOn(step);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> !limit().isShowing()));
        assertThat(onFx(() -> limit().getValue())).as("the limit chosen").isEqualTo(20_000_000L);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> TestPools.call(fx.bridge,
                pool -> pool.job(id).progress().throttle()) == 20_000_000L);
    }

    @Test
    void focusPutsTheComboBoxSkinInPlaceForTheKeyboard(FxRobot robot) throws Exception {
        String id = slowEstablishShown();
        onFx(() -> {
            limit().requestFocus();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(onFx(() -> limit().opened())).as("the ComboBox's skin once focused").isTrue();
        robot.type(javafx.scene.input.KeyCode.DOWN); // the ComboBox's own key: the next step
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> Long.valueOf(2_000_000L).equals(limit().getValue())));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> TestPools.call(fx.bridge,
                pool -> pool.job(id).progress().throttle()) == 2_000_000L);
    }
}
