package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.cli.Splitpoint;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pair.PairState;

/** While the app holds a pool, a ./splitpoint command for it runs in the app and shows in its event log. */
class AppControlSocketTest {

    @TempDir
    Path tmp;

    @Test
    void aSplitFromAShellRunsInTheAppAndIsLogged() throws Exception {
        Path dir = TestPools.demo(tmp);
        ManualUi ui = new ManualUi();
        try (PoolBridge bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui)) {
            List<Event> seen = new CopyOnWriteArrayList<>();
            bridge.onEvents(seen::addAll);
            bridge.start();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Splitpoint.run(new String[] {"pair", "split", dir.toString(), "prod-pair"},
                    new PrintWriter(out, true), new PrintWriter(err, true));
            assertThat(code).as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("split prod-pair in ");
            java.util.concurrent.atomic.AtomicReference<PairState> state = new java.util.concurrent.atomic.AtomicReference<>();
            bridge.run(pool -> pool.pairs().get("prod-pair").state(), state::set, why -> { });
            ui.drain();
            assertThat(state.get()).isEqualTo(PairState.Split);
            TestPools.await(java.time.Duration.ofSeconds(5), ui::drain,
                    () -> seen.stream().anyMatch(e -> e.message().contains("command received: splitpoint pair split")));
            assertThat(seen).anySatisfy(e -> assertThat(e.message()).contains("command received: splitpoint pair split"));
        }
    }
}
