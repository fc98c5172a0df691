package org.splitpoint.app.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.app.testing.FxPools.onFx;

import java.util.concurrent.TimeUnit;
import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.PairConsoleWindowFxTest;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The pair console's workload line turns red with its first error, as the volume page's does: it
 * read "verified 12,954 blocks, 180 errors" in bold green (seen under Xvfb after a drill's test
 * writes over blocks the stopped workload still expected).
 */
class PairConsoleWorkloadErrorsFxTest extends PairConsoleWindowFxTest {

    private static boolean red(Label l) {
        return l.getPseudoClassStates().contains(PseudoClass.getPseudoClass("errors"));
    }

    @Test
    void theConsolesWorkloadLineIsRedFromTheFirstError(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> robot.lookup("#workloadVerify").tryQuery().isPresent());
        Label line = robot.lookup("#workloadVerify").queryAs(Label.class);
        assertThat(onFx(() -> red(line))).as("no error yet").isFalse();
        WorkloadViewModel prod = onFx(() -> fx.vm.workloads().of("prod"));
        onFx(() -> {
            prod.apply(new WorkloadStats(false, 10, 10, 0, 0, 0, 0, 10, 3, 0, "the block at 0 holds no workload stamp"));
            return null;
        });
        assertThat(onFx(line::getText)).isEqualTo("verified 10 blocks, 3 errors");
        assertThat(onFx(() -> red(line))).isTrue();
    }
}
