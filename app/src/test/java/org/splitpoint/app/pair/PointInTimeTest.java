package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;

/** The pair console says when the BCV's point-in-time image was taken and how old it is, while the BCV holds one. */
class PointInTimeTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private PoolBridge bridge;
    private PairConsoleViewModel vm;

    @BeforeEach
    void open() throws Exception {
        bridge = PoolBridge.open(TestPools.demo(tmp), new CurrentThreadTaskExecutor(), ui);
        vm = new PairConsoleViewModel(bridge, new ActionStatus(), new Expectations(), "prod-pair");
        bridge.onPairs(vm::apply);
        bridge.refresh();
        ui.drain();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void agesReadAsPeopleSayThem() {
        assertThat(PointInTime.age(Duration.ofSeconds(2))).isEqualTo("just now");
        assertThat(PointInTime.age(Duration.ofSeconds(42))).isEqualTo("42 s ago");
        assertThat(PointInTime.age(Duration.ofMinutes(12))).isEqualTo("12 min ago");
        assertThat(PointInTime.age(Duration.ofMinutes(185))).isEqualTo("3 h 5 min ago");
        assertThat(PointInTime.age(Duration.ofHours(52))).isEqualTo("2 days 4 h ago");
    }

    @Test
    void aSplitFromElsewhereShowsItsTimeAndTheAgeMoves() {
        assertThat(vm.pointInTimeProperty().get()).as("Synchronized: the BCV follows the STD")
                .isEqualTo("No point-in-time image on the BCV: splitting the synchronized pair takes one");
        assertThat(vm.holdsImageProperty().get()).isFalse();
        AtomicReference<String> at = new AtomicReference<>();
        bridge.run(pool -> { // as `pair split` forwarded to the app does
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().query("prod-pair").get(0).splitAt();
        }, at::set, why -> { throw new AssertionError(why); });
        bridge.refresh();
        ui.drain();

        Instant split = Instant.parse(at.get());
        assertThat(vm.pointInTimeProperty().get()).startsWith("BCV image taken ").contains("(just now)");
        assertThat(vm.holdsImageProperty().get()).isTrue();
        vm.tick(split.plus(Duration.ofMinutes(12)));
        assertThat(vm.pointInTimeProperty().get()).endsWith("(12 min ago)");
    }
}
