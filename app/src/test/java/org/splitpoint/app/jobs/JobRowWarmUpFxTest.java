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
 * While the window is idle the Jobs list makes, styles and lays out its cells for one job (a
 * window's first job row held the FX thread 300-380 ms during a restore), and a row's parts, and
 * shows no job afterwards: the pane's children are what they were, the list says it has no jobs,
 * no cell shows one. The first real job shows in the row the warm-up made. Its rows share their
 * tooltips (one popup window each, per pane, not per row).
 */
class JobRowWarmUpFxTest extends PoolWindowFxTest {

    @Override
    protected long driveSize() {
        return TestPools.PAIR_DRIVE_SIZE;
    }

    private JobsView jobsView() {
        return (JobsView) fx.view.lookup(".jobs-view");
    }

    private javafx.scene.control.ListView<?> list() {
        return (javafx.scene.control.ListView<?>) jobsView().lookup(".list-view");
    }

    /** The list's cells that show a job (a cell kept for later is invisible, an empty one shows none). */
    private List<Node> showing() {
        return list().lookupAll(".list-cell").stream()
                .filter(n -> n instanceof javafx.scene.control.ListCell<?> c && c.getListView() == list() && c.isVisible()
                        && !c.isEmpty())
                .toList();
    }

    @Test
    void theWarmUpMakesTheCellsTheFirstJobTakesAndShowsNoJob() throws Exception {
        List<Node> before = onFx(() -> List.copyOf(jobsView().getChildren()));
        Node made = onFx(() -> jobsView().warmUpRow());
        assertThat(made).as("the row made for a job (a window showing, no job yet)").isNotNull();
        assertThat(onFx(() -> made.lookup(".job-title"))).as("its title").isNotNull();
        assertThat(onFx(() -> ((Control) made.lookup(".job-limit")).getSkin())).as("its speed limit's skin, made by the CSS pass")
                .isNotNull();
        assertThat(onFx(() -> made.getParent())).as("the row after the warm-up: spare, in no cell").isNull();
        assertThat(onFx(() -> List.copyOf(jobsView().getChildren()))).as("the pane's children after the warm-up").isEqualTo(before);
        assertThat(onFx(() -> list().getItems().isEmpty())).as("the list's jobs after the warm-up").isTrue();
        assertThat(onFx(() -> list().lookup(".placeholder").isVisible())).as("'No jobs running' shows").isTrue();
        assertThat(onFx(this::showing)).as("cells showing a job").isEmpty();

        TestPools.call(fx.bridge, pool -> { // a full establish at 1 MB/s: it runs for a minute
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().establish("prod-pair", true, 1_000_000);
        });
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> onFx(() -> {
            Node title = jobsView().lookup(".job-title");
            return title instanceof javafx.scene.control.Label l && l.getText() != null && l.getText().contains("prod-pair");
        }));
        assertThat(onFx(() -> showing().stream().map(c -> ((javafx.scene.control.ListCell<?>) c).getGraphic()).toList()))
                .as("the first job's row: the one the warm-up made").containsExactly(made);
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
