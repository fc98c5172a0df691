package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.pool;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventBus;
import org.splitpoint.engine.event.Severity;

/**
 * A drill's DRILL event says how it went: a pointers drill whose second failure took tracks the
 * hosts wrote in the window (the drill writing no test data, so no byte of its own is lost) lost
 * tracks, and did not pass.
 */
@QuickServiceSteps
class DrillVerdictTest {

    @TempDir
    Path tmp;

    @Test
    void aPointersDrillThatLostTheHostsTracksIsAWarningThatNamesThem() throws Exception {
        Path a = pool(tmp, "hosts", Layout.RAID5, 4, 16L << 20);
        Drill.Result r;
        try (Pool p = Pool.open(a)) {
            var host = p.device("v");
            Random rnd = new Random(3);
            r = Drill.run(p, new Drill.Plan("v", "d2", OfflineReason.RESET, LogMode.POINTERS, Duration.ofMillis(600),
                    Duration.ofMillis(300), false), (step, detail) -> {
                        if (step.equals("writes")) { // the hosts write while d2 is out, before d1 fails
                            try {
                                for (int i = 0; i < 40; i++) {
                                    byte[] b = new byte[64 * 1024];
                                    rnd.nextBytes(b);
                                    host.write((long) i * 3 * 64 * 1024, ByteBuffer.wrap(b));
                                }
                                host.flush();
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    });
            p.events().drain();
        }
        assertThat(r.bytesLost()).as("the drill wrote no test data of its own").isZero();
        assertThat(r.lostTracks()).as(r.summary()).isPositive();
        assertThat(r.severity()).isEqualTo(Severity.WARNING);
        assertThat(r.summary()).contains("(" + r.lostTracks() + " tracks lost)");
        assertThat(Drill.lostTracksIn(r.summary())).isEqualTo(r.lostTracks());
        List<Event> log = EventBus.readLog(a.resolve("meta/events.jsonl"), 500);
        Event drill = log.stream().filter(e -> e.type().equals("DRILL") && e.message().startsWith("drill on ")).findFirst()
                .orElseThrow();
        assertThat(drill.severity()).as(drill.message()).isEqualTo(Severity.WARNING);
    }

    @Test
    void aDrillThatLostNothingIsInfoAndNamesNoLostTracks() throws Exception {
        Path a = pool(tmp, "none", Layout.RAID5, 4, 16L << 20);
        Drill.Result r;
        try (Pool p = Pool.open(a)) {
            r = Drill.run(p, new Drill.Plan("v", "d2", OfflineReason.RESET, LogMode.POINTERS, Duration.ofMillis(400),
                    null), (step, detail) -> { });
        }
        assertThat(r.severity()).as(r.summary()).isEqualTo(Severity.INFO);
        assertThat(r.summary()).doesNotContain("tracks lost");
        assertThat(Drill.lostTracksIn(r.summary())).isZero();
    }
}
