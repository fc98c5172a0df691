package org.splitpoint.app.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.VolumeProblem;

/** The verifying workload's errors become the volume's critical problem: one event per burst, cleared by a repair. */
class WorkloadErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void lostWritesRaiseOneCriticalEventAndStandUntilRepaired() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp))) {
            List<Event> events = new CopyOnWriteArrayList<>();
            pool.addListener(events::add);
            Expectations e = new Expectations();
            Workload writer = new Workload("prod", pool::device, e, new WorkloadSettings(0, 1 << 20, 0, false, true));
            writer.step();
            pool.device("prod").write(0, ByteBuffer.allocate(64 << 10)); // 16 units lost behind its back
            Workload reader = new Workload("prod", pool::device, e, new WorkloadSettings(100, 1 << 20, 0, false, true));
            WorkloadErrors errors = new WorkloadErrors();
            for (int i = 0; i < 5; i++) { // the first read finds the 16 lost units; the report repeats
                reader.step();
                errors.report(pool, Map.of("prod", reader));
            }
            assertThat(reader.stats().errors()).isEqualTo(16);
            assertThat(pool.volumeProblems().of("prod")).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo(VolumeProblem.Kind.WORKLOAD_ERRORS);
                assertThat(p.count()).isEqualTo(16);
                assertThat(p.detail()).contains("holds no workload stamp");
            });
            assertThat(TestPools.await(java.time.Duration.ofSeconds(10), () -> { },
                    () -> events.stream().anyMatch(v -> v.type().equals("VOLUME_PROBLEM")))).isTrue();
            assertThat(events).filteredOn(v -> v.type().equals("VOLUME_PROBLEM")).singleElement()
                    .satisfies(v -> assertThat(v.severity()).isEqualTo(Severity.CRITICAL));

            pool.admin().verify("prod", true, null); // Repair
            e.forget("prod");
            errors.report(pool, Map.of("prod", reader));
            assertThat(pool.volumeProblems().of("prod")).as("the reported errors are settled").isEmpty();
            Workload again = new Workload("prod", pool::device, e, new WorkloadSettings(100, 1 << 20, 0, false, true));
            again.step(); // the same first MiB, read again after the repair
            assertThat(again.stats().errors()).isZero();
            errors.report(pool, Map.of("prod", reader));
            assertThat(reader.stats().errors()).as("nothing expected of the forgotten blocks").isEqualTo(16);
            assertThat(pool.volumeProblems().of("prod")).isEmpty();
        }
    }
}
