package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A drill's result goes out as drill run --json prints it and comes back the same (an attached app reads it). */
class DrillJsonTest {

    @Test
    void aResultReadBackIsTheResultWritten() {
        Instant t = Instant.parse("2026-12-03T06:41:25.123456789Z");
        Drill.Result r = new Drill.Result("prod", "d1", OfflineReason.FIRMWARE, LogMode.POINTERS, t, 545, 1024, 0.32, 0.61,
                1284, 21_037_056, 0, 0, 0, 0, 0, null, null,
                List.of(new Drill.Step("offline", t, t.plusMillis(125), "d1 OFFLINE (firmware)"),
                        new Drill.Step("resync", t.plusMillis(5300), t.plusMillis(5650), "545 tracks resynced")));
        var json = DrillJson.write(r);
        assertThat(json.path("logMode").asText()).isEqualTo("pointers");
        assertThat(json.path("reason").asText()).isEqualTo("firmware");
        assertThat(json.path("summary").asText()).isEqualTo(r.summary());
        assertThat(DrillJson.read(json)).isEqualTo(r);

        Drill.Result second = new Drill.Result("prod", "d1", OfflineReason.RESET, LogMode.DATA, t, 1, 2, 0.5, 1.0, 3, 4,
                5, 6, 7, 8, 9, "d3 failed 2 s into the window", "its delta log is missing", List.of());
        assertThat(DrillJson.read(DrillJson.write(second))).isEqualTo(second);
    }
}
