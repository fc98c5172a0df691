package org.splitpoint.app.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.pair.PairConsoleViewModel;
import org.splitpoint.app.pool.PoolViewModel;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * Defect 1 of issue 13 through the app's view models: the demo's verified workload runs on prod,
 * the pair is split from a shell (the engine call the forwarded `pair split` makes, not the
 * console's button), then the console restores with Protect: the workload ends with 0 errors and
 * the volume has no problem. A snapshot and a restore to it from a shell likewise.
 */
class CliPairChangesTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private PoolBridge bridge;
    private PoolViewModel vm;

    @BeforeEach
    void open() throws Exception {
        Path dir = TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE);
        try (Pool pool = Pool.open(dir)) { // the first-run demo's save area
            String a = pool.admin().addDrive(4 * TestPools.PAIR_DRIVE_SIZE);
            String b = pool.admin().addDrive(4 * TestPools.PAIR_DRIVE_SIZE);
            pool.admin().createVolume("snaps", Layout.RAID1, List.of(a, b), 0);
            pool.snapshots().setSaveArea("snaps");
        }
        bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        vm = new PoolViewModel(bridge, KnownStores.Memory.inMemory(List.of()));
        vm.start();
        ui.drain();
    }

    @AfterEach
    void close() {
        vm.close();
    }

    private void refresh() {
        bridge.refresh();
        ui.drain();
        vm.workloads().pollNow();
        ui.drain();
    }

    @Test
    void aSplitFromTheShellAndAProtectedRestoreLeaveTheWorkloadAtZeroErrors() throws Exception {
        WorkloadViewModel w = running();
        PairConsoleViewModel console = vm.pair("prod-pair");
        shell(pool -> {
            pool.pairs().split(List.of("prod-pair")); // what `./splitpoint pair split POOL prod-pair` runs in the app
            return null;
        });
        assertThat(TestPools.await(Duration.ofSeconds(10), this::refresh,
                () -> console.stateProperty().get() == PairState.Split)).isTrue();
        Thread.sleep(1500); // the workload writes the STD after the split: the restore takes those writes back

        console.protectProperty().set(true);
        console.restore(org.splitpoint.engine.pool.StdWrites.MAY_BE_OVERWRITTEN); // typed: the workload's writes are taken back
        assertThat(TestPools.await(Duration.ofSeconds(60), this::refresh,
                () -> console.stateProperty().get() == PairState.Split && vm.jobs().rows().isEmpty())).isTrue();
        assertNothingLost(w);
    }

    /**
     * A snapshot taken and a restore to it made from a shell (the engine calls `./splitpoint snapshot
     * create` and `snapshot restore` make in the app, not its dialogs): the workload was not told of
     * the restore and reported hundreds of blocks "not holding what it wrote (a write was lost)", the
     * pool CRITICAL (seen by hand); the pool's snapshot guard now moves its expectations.
     */
    @Test
    void aSnapshotAndARestoreToItFromTheShellLeaveTheWorkloadAtZeroErrors() throws Exception {
        WorkloadViewModel w = running();
        shell(pool -> pool.snapshots().create("prod", "nightly"));
        Thread.sleep(1500); // the workload writes after the snapshot: the restore takes those writes back
        shell(pool -> pool.snapshots().restore("prod", "nightly", true, 0));
        assertThat(TestPools.await(Duration.ofSeconds(60), this::refresh, () -> vm.jobs().rows().isEmpty())).isTrue();
        assertNothingLost(w);
    }

    /** prod's verified workload, started and past its first verified blocks. */
    private WorkloadViewModel running() throws Exception {
        WorkloadViewModel w = vm.workloads().of("prod");
        w.start();
        assertThat(TestPools.await(Duration.ofSeconds(30), this::refresh, () -> w.verifyLineProperty().get()
                .matches("verified [1-9][\\d,]* blocks.*"))).isTrue();
        return w;
    }

    /** Runs {@code call} as a command forwarded from a shell does: on the pool, past the app's view models. */
    private void shell(org.splitpoint.app.bridge.EngineCall<Object> call) {
        bridge.run(call, ok -> { }, why -> {
            throw new AssertionError(why);
        });
    }

    private void assertNothingLost(WorkloadViewModel w) throws Exception {
        Thread.sleep(1500); // reads after the restore check what it brought back
        w.stop();
        refresh();
        assertThat(w.errorsProperty().get()).as(w.problemProperty().get()).isZero();
        assertThat(w.verifyLineProperty().get()).endsWith(", 0 errors");
        assertThat(vm.problem("prod").problemProperty().get()).isEmpty();
    }
}
