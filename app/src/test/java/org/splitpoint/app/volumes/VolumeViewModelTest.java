package org.splitpoint.app.volumes;

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
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.app.workload.Workloads;
import org.splitpoint.engine.pool.VolumeState;

/** One volume in detail: layout and parity placement from the engine, state with reason, role, verify. */
class VolumeViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private PoolBridge bridge;
    private VolumeViewModel vm;

    @BeforeEach
    void open() throws Exception {
        bridge = PoolBridge.open(TestPools.demo(tmp), new CurrentThreadTaskExecutor(), ui);
        Workloads loads = new Workloads(bridge, new Expectations(), new ActionStatus());
        vm = new VolumeViewModel(bridge, "prod", new RateHistory(), loads.of("prod"));
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::apply);
        bridge.refresh();
        ui.drain();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void parityRotatesLeftSymmetricallyAcrossTheThreeMembers() {
        int[][] p = vm.placementProperty().get();
        assertThat(p).hasNumberOfRows(VolumeViewModel.STRIPES_SHOWN);
        assertThat(p[0]).containsExactly(0, 1, -1);
        assertThat(p[1]).containsExactly(3, -1, 2); // data follows the parity round the members
        assertThat(p[2]).containsExactly(-1, 4, 5);
        assertThat(vm.layoutProperty().get()).isEqualTo("raid5 over d1, d2, d3 · strip 64 KiB");
    }

    @Test
    void stateReasonSizeAndPairRole() {
        assertThat(vm.stateProperty().get()).isEqualTo(VolumeState.OPTIMAL);
        assertThat(vm.reasonProperty().get()).as("the badge says OPTIMAL; no why beside it").isEmpty();
        assertThat(vm.sizeProperty().get()).isEqualTo("8 MiB");
        assertThat(vm.roleProperty().get()).isEqualTo("STD of pair prod-pair: Synchronized");

        bridge.run(pool -> {
            pool.admin().failDrive("d2");
            return null;
        }, ok -> { }, e -> { });
        ui.drain();
        // the header's badge says DEGRADED (or FAILED): the line beside it says why, without the state again
        // (a FAILED volume's header read "FAILED  FAILED: d1 FAILED, d2 MISSING")
        assertThat(vm.lookProperty().get().word()).isEqualTo("DEGRADED");
        assertThat(vm.reasonProperty().get()).isEqualTo("d2 FAILED");
        assertThat(vm.membersProperty().get().get(1).state().name()).isEqualTo("FAILED");
    }

    @Test
    void verifyReportsTheMismatchCount() {
        vm.verify();
        ui.drain();
        assertThat(vm.verifyResultProperty().get()).startsWith("0 mismatched sectors (verified ");
        assertThat(vm.verifyFractionProperty().get()).isEqualTo(-1);
        assertThat(vm.verifyBlockedProperty().get()).isEmpty();
    }

    @Test
    void aDegradedRaid5IsNotVerifiedAndTheButtonSaysWhyBeforeTheClick() {
        bridge.run(pool -> {
            pool.admin().failDrive("d2");
            return null;
        }, ok -> { }, e -> { });
        ui.drain();
        // the engine's sentence (VolumeRules.verify): a verify would check nothing and say '0 mismatched sectors'
        assertThat(vm.verifyBlockedProperty().get()).isEqualTo("volume prod is DEGRADED (d2 FAILED): with a member"
                + " absent its parity cannot be checked; verify it once that drive is back or rebuilt");
        vm.verify();
        ui.drain();
        assertThat(vm.verifyResultProperty().get()).as("nothing said to agree").doesNotContain("0 mismatched");
    }

    /**
     * The parity placement was read once, when the model was made: a read that failed then (here the
     * volume did not exist yet) left it empty for good, and the page drew no parity. It is read again
     * at the next snapshot that shows a parity volume without it.
     */
    @Test
    void aPlacementNotReadAtFirstIsReadAtTheNextSnapshot() {
        Workloads loads = new Workloads(bridge, new Expectations(), new ActionStatus());
        VolumeViewModel late = new VolumeViewModel(bridge, "late", new RateHistory(), loads.of("late"));
        bridge.onSnapshot(late::apply);
        ui.drain();
        assertThat(late.placementProperty().get()).isEmpty();
        onThreeNewDrives("late", org.splitpoint.engine.pool.Layout.RAID5, drives -> drives);

        assertThat(late.placementProperty().get()).hasNumberOfRows(VolumeViewModel.STRIPES_SHOWN);
        assertThat(late.placementProperty().get()[0]).containsExactly(0, 1, -1);
    }

    /**
     * RAID 3 keeps every stripe's parity on one drive, the last named at its creation (here in an
     * order other than the drives' names): every stripe of the diagram has its P there, and its data
     * strips in the order the others were named.
     */
    @Test
    void raid3KeepsEveryStripesParityOnItsLastDrive() {
        Workloads loads = new Workloads(bridge, new Expectations(), new ActionStatus());
        VolumeViewModel r3 = new VolumeViewModel(bridge, "r3", new RateHistory(), loads.of("r3"));
        bridge.onSnapshot(r3::apply);
        List<String> named = onThreeNewDrives("r3", org.splitpoint.engine.pool.Layout.RAID3,
                drives -> List.of(drives.get(2), drives.get(0), drives.get(1)));

        int[][] p = r3.placementProperty().get();
        assertThat(p).hasNumberOfRows(VolumeViewModel.STRIPES_SHOWN);
        for (int s = 0; s < p.length; s++) {
            assertThat(p[s]).as("stripe %d", s).containsExactly(2 * s, 2 * s + 1, -1);
        }
        assertThat(r3.layoutProperty().get()).isEqualTo("raid3 over " + String.join(", ", named) + " · strip 512 B");
        assertThat(r3.membersProperty().get().get(2).drive()).as("the drive under the P column").isEqualTo(named.get(2));
    }

    /** Creates volume {@code name} of {@code layout} over three new drives, named in the {@code order} given; returns them so. */
    private List<String> onThreeNewDrives(String name, org.splitpoint.engine.pool.Layout layout,
                                          java.util.function.UnaryOperator<List<String>> order) {
        List<String> named = new java.util.ArrayList<>();
        bridge.run(pool -> {
            List<String> drives = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                drives.add(pool.admin().addDrive(8L << 20));
            }
            named.addAll(order.apply(drives));
            pool.admin().createVolume(name, layout, named, 0);
            return null;
        }, ok -> { }, e -> {
            throw new AssertionError(e);
        });
        bridge.refresh();
        ui.drain();
        return named;
    }
}
