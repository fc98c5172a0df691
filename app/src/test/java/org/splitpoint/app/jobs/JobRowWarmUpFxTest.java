package org.splitpoint.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Control;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PoolWindowFxTest;
import org.splitpoint.app.testing.TestPools;
import org.testfx.util.WaitForAsyncUtils;


/**
 * The Jobs pane builds one row off screen while the window is idle (a window's first job row held
 * the FX thread up to 280 ms), and leaves nothing behind: the pane's children are what they were,
 * and the first real row shows its job. Its rows share their tooltips (one popup window each, per
 * pane, not per row).
 */
class JobRowWarmUpFxTest extends PoolWindowFxTest {

    @Override
    protected long driveSize() {
        return TestPools.PAIR_DRIVE_SIZE;
    }

    private JobsView jobsView() {
        return (JobsView) fx.view.lookup(".jobs-view");
    }

    @Test
    void theWarmUpRowLeavesNothingBehindAndRealRowsShareTheirTooltips() throws Exception {
        List<Node> before = onFx(() -> List.copyOf(jobsView().getChildren()));
        int cells = onFx(() -> jobsView().lookupAll(".job-cell").size());
        Node row = onFx(() -> jobsView().warmUpRow());
        assertThat(row).as("the row built off screen (a window showing, no job yet)").isNotNull();
        assertThat(onFx(() -> ((Control) row.lookup(".job-limit")).getSkin())).as("its speed limit's skin, made by the CSS pass")
                .isNotNull();
        assertThat(onFx(() -> List.copyOf(jobsView().getChildren()))).as("the pane's children after the warm-up").isEqualTo(before);
        assertThat(onFx(() -> jobsView().lookupAll(".job-cell").size())).as("rows in the pane").isEqualTo(cells);

        TestPools.call(fx.bridge, pool -> { // a full establish at 1 MB/s: it runs for a minute
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().establish("prod-pair", true, 1_000_000);
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> {
            Node title = jobsView().lookup(".job-title");
            return title instanceof javafx.scene.control.Label l && l.getText() != null && l.getText().contains("prod-pair");
        }));
        List<Button> pauses = onFx(() -> jobsView().lookupAll(".job-button").stream()
                .filter(n -> n instanceof Button b && ("Pause".equals(b.getText()) || "Resume".equals(b.getText())))
                .map(n -> (Button) n).toList());
        assertThat(pauses).as("the running job's Pause button").isNotEmpty();
        javafx.scene.control.Tooltip shared = onFx(() -> jobsView().pauseTip());
        for (Button b : pauses) {
            assertThat(((Control) b).getTooltip()).as("a row's Pause tooltip is the pane's").isSameAs(shared);
        }
    }
}
