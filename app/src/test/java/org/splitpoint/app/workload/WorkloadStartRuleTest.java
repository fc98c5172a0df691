package org.splitpoint.app.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;

/**
 * Defect 11: a workload that writes is not started on the BCV of a pair that is not Split (every
 * write would be refused); it may when it only reads, and once the pair is split.
 */
class WorkloadStartRuleTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private PoolBridge bridge;
    private Workloads workloads;

    @BeforeEach
    void open() throws Exception {
        bridge = PoolBridge.open(TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE), new CurrentThreadTaskExecutor(), ui);
        workloads = new Workloads(bridge, new Expectations(), status);
        bridge.refresh();
        ui.drain();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void aWritingWorkloadOnAnEstablishedBcvIsNotStarted() {
        WorkloadViewModel bcv = workloads.of("prod-bcv");
        assertThat(bcv.startBlockedProperty().get())
                .isEqualTo("volume prod-bcv is the BCV of pair prod-pair, which is Synchronized; a BCV is writable"
                        + " only while the pair is Split: set the workload to 100% reads, or split the pair");
        bcv.start();
        assertThat(bcv.runningProperty().get()).isFalse();
        assertThat(status.messageProperty().get()).contains("100% reads");

        bcv.readPercentProperty().set(100);
        assertThat(bcv.startBlockedProperty().get()).isEmpty();
        bcv.readPercentProperty().set(70);
        assertThat(workloads.of("prod").startBlockedProperty().get()).as("the STD takes writes").isEmpty();

        bridge.run(pool -> {
            pool.pairs().split(List.of("prod-pair"));
            return null;
        }, ok -> { }, why -> { throw new AssertionError(why); });
        bridge.refresh();
        ui.drain();
        assertThat(bcv.startBlockedProperty().get()).as("split: the BCV takes writes").isEmpty();
    }
}
