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

    /**
     * After a Repair made the volume whole, the workload's count stays (it is history) but the line
     * said "verified 2 blocks, 16 errors" as if the volume still lost writes: it says they came before
     * the repair, is no longer red, and a new error counts apart.
     */
    @Test
    void errorsARepairSettledAreSaidToComeBeforeIt() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp))) {
            Expectations e = new Expectations();
            new Workload("prod", pool::device, e, new WorkloadSettings(0, 1 << 20, 0, false, true)).step();
            pool.device("prod").write(0, ByteBuffer.allocate(64 << 10)); // 16 units lost behind its back
            Workload reader = new Workload("prod", pool::device, e, new WorkloadSettings(100, 1 << 20, 0, false, true));
            WorkloadViewModel vm = new WorkloadViewModel(reader, new org.splitpoint.app.common.ActionStatus());
            reader.step();
            new WorkloadErrors().report(pool, Map.of("prod", reader));
            vm.apply(reader.stats());
            vm.applyProblem(Workloads.errorsProblemStands(pool.snapshot(), "prod"), java.time.Instant.now());
            assertThat(vm.verifyLineProperty().get()).isEqualTo("verified 1 block, 16 errors");
            assertThat(vm.errorsStandProperty().get()).isTrue();

            pool.admin().verify("prod", true, null); // Repair
            e.forget("prod");
            java.time.Instant repaired = java.time.Instant.now();
            vm.applyProblem(Workloads.errorsProblemStands(pool.snapshot(), "prod"), repaired);
            String at = org.splitpoint.app.common.Format.clock(repaired);
            assertThat(vm.verifyLineProperty().get()).isEqualTo("verified 1 block, 16 errors, all before the repair at " + at);
            assertThat(vm.errorsProperty().get()).as("history").isEqualTo(16);
            assertThat(vm.errorsStandProperty().get()).isFalse();

            Workload writer = new Workload("prod", pool::device, e, new WorkloadSettings(0, 1 << 20, 0, false, true));
            for (int i = 0; i < 3; i++) {
                writer.step(); // MiB 0, 1, 2 written again after the repair
            }
            pool.device("prod").write(2 << 20, ByteBuffer.allocate(8 << 10)); // 2 units of MiB 2 lost
            reader.step(); // MiB 1: whole
            vm.apply(reader.stats());
            assertThat(vm.verifyLineProperty().get()).isEqualTo("verified 2 blocks, 16 errors, all before the repair at " + at);
            reader.step(); // MiB 2: the new loss
            vm.apply(reader.stats());
            assertThat(vm.verifyLineProperty().get()).isEqualTo("verified 3 blocks, 18 errors (16 before the repair at " + at + ")");
            assertThat(vm.errorsStandProperty().get()).isTrue();
        }
    }
}
