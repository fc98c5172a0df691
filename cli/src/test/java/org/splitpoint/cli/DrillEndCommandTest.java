package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drill end}: a drill running in the pool's holder (serve; the app alike), its window planned
 * for 5 minutes, is ended from another shell; the drill comes back with its delta resynced and
 * verified, says it ended early, and the drive is ONLINE. Before, no command ended a drill.
 */
class DrillEndCommandTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void drillEndEndsAWindowRunningInTheHolder() throws Exception {
        Path p = tmp.resolve("pool");
        CliRun.of("pool", "create", p, "--drives", 4, "--drive-size", "16M");
        CliRun.of("volume", "create", p, "prod", "--layout", "raid5", "--drives", "d1,d2,d3");
        try (Holder h = new Holder(p)) {
            Tools.Result none = Tools.run(Tools.splitpoint("drill", "end", p, "--volume", "prod"));
            assertThat(none.code()).as(none.out()).isEqualTo(1);
            assertThat(none.out()).contains("no drill is running on volume prod");
            CompletableFuture<Tools.Result> drill = CompletableFuture.supplyAsync(() -> {
                try {
                    return Tools.run(Tools.splitpoint("drill", "run", p, "--volume", "prod", "--drive", "d2", "--reason",
                            "reset", "--log", "data", "--writes-for", "300s", "--yes"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long until = System.nanoTime() + 30_000_000_000L;
            while ((h.pool.snapshot().drive("d2").service() == null || h.pool.snapshot().drive("d2").service().deltaTracks() == 0)
                    && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(h.pool.snapshot().drive("d2").service()).as("the window is open, the drill writing").isNotNull();
            long t0 = System.nanoTime();
            Tools.Result end = Tools.run(Tools.splitpoint("drill", "end", p, "--volume", "prod"));
            assertThat(end.code()).as(end.out()).isZero();
            assertThat(end.out()).contains("the drill on prod/d2 ends its window now: d2 comes back ONLINE, its delta is"
                    + " resynced and the volume is verified");
            Tools.Result d = drill.get(60, TimeUnit.SECONDS);
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(60);
            assertThat(d.code()).as(d.out()).isZero();
            assertThat(d.out()).contains("drill: ended early: the window was ended at the administrator's request")
                    .contains("; 0 verify mismatches; 0 workload errors; the window was ended early");
            assertThat(h.pool.snapshot().drive("d2").state().name()).isEqualTo("ONLINE");
            assertThat(h.pool.volume("prod").state().name()).isEqualTo("OPTIMAL");
        }
    }
}
