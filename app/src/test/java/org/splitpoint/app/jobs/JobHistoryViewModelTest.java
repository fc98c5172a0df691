package org.splitpoint.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.JobHistory;

/**
 * The Jobs History against a real pool: jobs that ended before the window opened are listed but
 * not announced; one that ends while it is open is listed first and announced once; a reopen keeps them.
 */
class JobHistoryViewModelTest {

    @TempDir
    Path tmp;

    @Test
    void endedJobsAreListedNewestFirstAndAnnouncedOnce() throws Exception {
        Path dir = TestPools.demo(tmp); // making the demo ran an establish: it is in the history
        ManualUi ui = new ManualUi();
        List<List<JobHistory.Entry>> announced = new ArrayList<>();
        try (PoolBridge bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui)) {
            JobHistoryViewModel vm = new JobHistoryViewModel(bridge);
            vm.onEnded(announced::add);
            poll(bridge, vm, ui);
            assertThat(vm.entries()).extracting(JobHistory.Entry::kind).containsExactly("establish");
            assertThat(announced).as("found at open, not news").isEmpty();

            bridge.run(pool -> {
                pool.pairs().split(List.of("prod-pair"));
                Job j = pool.pairs().restore("prod-pair", true, true);
                j.await(30_000);
                return null;
            }, ok -> { }, why -> { throw new AssertionError(why); });
            assertThat(TestPools.await(java.time.Duration.ofSeconds(20), () -> poll(bridge, vm, ui),
                    () -> vm.entries().size() == 2)).isTrue();
            poll(bridge, vm, ui);

            assertThat(vm.entries().get(0).kind()).isEqualTo("restore");
            assertThat(vm.entries().get(0).result()).isEqualTo(JobState.DONE);
            assertThat(JobHistoryViewModel.line(vm.entries().get(0))).matches("\\d\\d:\\d\\d(:\\d\\d)? · restore prod-pair DONE in .*");
            assertThat(announced).singleElement().satisfies(l -> assertThat(l).extracting(JobHistory.Entry::kind)
                    .containsExactly("restore"));
        }
        try (PoolBridge bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui)) {
            JobHistoryViewModel vm = new JobHistoryViewModel(bridge);
            poll(bridge, vm, ui);
            assertThat(vm.entries()).extracting(JobHistory.Entry::kind).containsExactly("restore", "establish");
        }
    }

    private static void poll(PoolBridge bridge, JobHistoryViewModel vm, ManualUi ui) {
        bridge.run(pool -> {
            vm.pollNow(pool);
            return null;
        }, ok -> { }, why -> { throw new AssertionError(why); });
        ui.drain();
    }
}
