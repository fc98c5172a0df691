package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot;

/** The engine bridge: result ordering, refusals as sentences, no repeated posts, history, close. */
class PoolBridgeTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private PoolBridge bridge;
    private final List<PoolSnapshot> snapshots = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        bridge = PoolBridge.open(TestPools.demo(tmp), new CurrentThreadTaskExecutor(), ui);
        bridge.onSnapshot(snapshots::add);
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void aResultIsDeliveredAfterTheSnapshotThatShowsIt() {
        List<String> order = new ArrayList<>();
        bridge.onSnapshot(s -> order.add("snapshot d3=" + s.drive("d3").state()));
        bridge.run(p -> {
            p.admin().failDrive("d3");
            return null;
        }, ok -> order.add("done"), err -> order.add("error " + err));
        ui.drain();

        assertThat(order).containsExactly("snapshot d3=FAILED", "done");
    }

    @Test
    void anEngineRefusalArrivesAsItsSentence() {
        AtomicReference<String> error = new AtomicReference<>();
        bridge.run(p -> p.admin().replaceDrive("d2"), ok -> { }, error::set);
        ui.drain();

        assertThat(error.get()).startsWith("drive d2 is ONLINE; only a FAILED or MISSING drive is replaced");
    }

    @Test
    void anUnchangedPoolIsNotPostedAgain() {
        bridge.refresh();
        ui.drain();
        bridge.refresh();
        bridge.refresh();

        assertThat(ui.drain()).isZero();
        assertThat(snapshots).hasSize(1);
    }

    @Test
    void startDeliversTheLogHistory() throws Exception {
        List<Event> events = new ArrayList<>();
        bridge.onEvents(events::addAll);
        bridge.start();
        ui.drain();

        assertThat(events).extracting(Event::message).contains("volume prod created: raid5 over d1,d2,d3, 8 MiB");
    }

    @Test
    void closeReleasesThePool() throws Exception {
        Path dir = bridge.poolDir();
        bridge.close();
        try (Pool again = Pool.open(dir)) {
            assertThat(again.snapshot().drives()).hasSize(6);
        }
    }
}
