package org.splitpoint.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.ServeHolder;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * The lifecycle's forms while the app is attached to a pool {@code serve} holds, no toolkit: each
 * is carried out by the holder (as the {@code ./splitpoint} command), its result reported once the
 * holder's stream shows it, and a refusal is the engine's sentence, as when the app holds the pool.
 */
class AttachedLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(60); // a loaded 2-CPU CI box

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private final List<String> deleted = new ArrayList<>();
    private ServeHolder holder;
    private PoolBridge bridge;
    private LifecycleViewModel vm;

    @BeforeEach
    void attach() throws Exception {
        Path dir = tmp.resolve("p");
        Pool.create(dir, 6, 4 << 20, 65536, StorageFactory.real());
        holder = new ServeHolder(dir);
        bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        assertThat(bridge.attachedTo()).startsWith("serve, pid ");
        vm = new LifecycleViewModel(bridge, status, v -> { }, deleted::add);
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::apply);
        bridge.start();
        shows(() -> vm.nextStepProperty().get().startsWith("This pool has no volume yet"));
    }

    @AfterEach
    void close() throws Exception {
        bridge.close();
        holder.close();
    }

    private void shows(BooleanSupplier condition) throws InterruptedException {
        assertThat(TestPools.await(WAIT, ui::drain, condition)).as("shown within " + WAIT).isTrue();
    }

    /** Submits {@code f} and waits for it to close (a refusal fails the test with the form's sentence). */
    private void done(LifecycleForm f) throws InterruptedException {
        boolean[] closed = {false};
        f.submit(() -> closed[0] = true);
        assertThat(TestPools.await(WAIT, ui::drain, () -> closed[0] || !f.problemProperty().get().isEmpty()))
                .isTrue();
        assertThat(closed[0]).as(f.problemProperty().get()).isTrue();
    }

    private void newVolume(String name, Layout layout, String... drives) throws InterruptedException {
        NewVolumeForm f = vm.newVolumeForm();
        f.nameProperty().set(name);
        f.layoutProperty().set(layout);
        f.chosen().addAll(List.of(drives));
        done(f);
    }

    @Test
    void aVolumeIsCreatedByTheHolderAndReportedWithTheSizeItShows() throws Exception {
        NewVolumeForm f = vm.newVolumeForm();
        f.nameProperty().set("db");
        f.layoutProperty().set(Layout.RAID5);
        f.chosen().addAll(List.of("d1", "d2", "d3"));
        f.sizeProperty().set("2M");
        done(f);
        assertThat(holder.pool.snapshot().volume("db").size()).isEqualTo(2 << 20);
        assertThat(status.messageProperty().get()).endsWith("Created volume db: raid5 over d1, d2, d3, 2 MiB");
        shows(() -> vm.nextStepProperty().get().isEmpty()); // the stream shows the new volume
    }

    @Test
    void aRefusalByTheHolderIsTheEnginesSentenceInTheForm() throws Exception {
        NewVolumeForm f = vm.newVolumeForm();
        f.layoutProperty().set(Layout.RAID1);
        f.chosen().addAll(List.of("d1", "d2"));
        holder.pool.admin().createVolume("other", Layout.RAID1, List.of("d1", "d2"), 0); // from a shell meanwhile
        f.submit(() -> { });
        shows(() -> !f.problemProperty().get().isEmpty());
        assertThat(f.problemProperty().get()).isEqualTo("drive d1 is ONLINE in volume other; a new volume needs SPARE drives");
        assertThat(holder.pool.snapshot().volume("vol1")).isNull();
    }

    @Test
    void drivesAreAddedByTheHolderAndNamedAsItAddedThem() throws Exception {
        AddDrivesForm f = vm.addDrivesForm();
        f.countProperty().set("2");
        done(f);
        assertThat(holder.pool.snapshot().drives()).hasSize(8);
        assertThat(status.messageProperty().get()).endsWith("Added drives d7, d8 as SPARE (4 MiB each)");
    }

    @Test
    void aPairIsCreatedAndDeletedByTheHolderAfterItsCheckAndTheTypedConfirmation() throws Exception {
        newVolume("a", Layout.RAID1, "d1", "d2");
        newVolume("b", Layout.RAID1, "d3", "d4");
        NewPairForm p = vm.newPairForm();
        p.nameProperty().set("ab");
        done(p);
        assertThat(holder.pool.pairs().query("ab")).hasSize(1);
        assertThat(status.messageProperty().get()).endsWith("Created pair ab: STD a, BCV b; NeverEstab");

        vm.selectedPairProperty().set("ab");
        shows(() -> vm.deletePairBlockedProperty().get().isEmpty());
        PairDeletion d = vm.pairDeletion();
        shows(() -> !d.refusedProperty().get().startsWith("Checking"));
        assertThat(d.refusedProperty().get()).as("the holder's check: nothing stands in the way").isEmpty();
        d.delete();
        shows(() -> deleted.contains("pair:ab"));
        assertThat(holder.pool.pairs().query(null)).isEmpty();
        assertThat(status.messageProperty().get()).endsWith("Deleted pair ab; volumes a and b are independent");
    }

    @Test
    void deletingAVolumeInAPairIsRefusedByTheHolderInTheEnginesWords() throws Exception {
        newVolume("a", Layout.RAID1, "d1", "d2");
        newVolume("b", Layout.RAID1, "d3", "d4");
        done(vm.newPairForm());
        vm.selectedVolumeProperty().set("b");
        // from the holder's snapshot and pairs, before any dialog
        shows(() -> vm.deleteVolumeBlockedProperty().get().equals("volume b is the BCV of pair pair1; delete the pair"
                + " first"));
        assertThat(vm.volumeDeletion()).as("no dialog").isNull();
    }

    @Test
    void aVolumeIsDeletedByTheHolderAndItsDrivesShownAsSpares() throws Exception {
        newVolume("a", Layout.RAID1, "d1", "d2");
        vm.selectedVolumeProperty().set("a");
        shows(() -> vm.deleteVolumeBlockedProperty().get().isEmpty());
        VolumeDeletion d = vm.volumeDeletion();
        shows(() -> d.refusedProperty().get().isEmpty());
        d.delete();
        shows(() -> deleted.contains("volume:a"));
        assertThat(holder.pool.snapshot().drive("d1").state()).isEqualTo(DriveState.SPARE);
        assertThat(status.messageProperty().get()).endsWith("Deleted volume a; drives d1, d2 are SPARE");
    }

    @Test
    void aSpareTakesAFailedDrivesPlaceInTheHolderWhichRebuildsOntoIt() throws Exception {
        newVolume("a", Layout.RAID5, "d1", "d2", "d3");
        holder.pool.admin().failDrive("d2");
        vm.selectedDriveProperty().set("d2");
        shows(() -> vm.spareBlockedProperty().get().isEmpty());
        SpareForm f = vm.spareForm();
        f.spareProperty().set("d6");
        shows(() -> f.problemProperty().get().isEmpty());
        done(f);
        assertThat(holder.pool.snapshot().volume("a").drives()).containsExactly("d1", "d6", "d3");
        assertThat(status.messageProperty().get()).endsWith("Spare drive d6 takes the place of d2 in volume a;"
                + " rebuilding; d2 stays FAILED");
        holder.pool.awaitJobs(null);
    }

    @Test
    void theRebuildTheHolderRanEndsInTheJobHistoryItSaved() throws Exception {
        var history = new org.splitpoint.app.jobs.JobHistoryViewModel(bridge);
        history.pollSaved();
        ui.drain();
        assertThat(history.entries()).isEmpty();
        List<String> ended = new ArrayList<>();
        history.onEnded(l -> l.forEach(e -> ended.add(e.kind() + " " + e.target() + " " + e.result())));
        newVolume("a", Layout.RAID5, "d1", "d2", "d3");
        holder.pool.admin().failDrive("d2");
        vm.selectedDriveProperty().set("d2");
        shows(() -> vm.spareBlockedProperty().get().isEmpty());
        SpareForm f = vm.spareForm();
        f.spareProperty().set("d6");
        shows(() -> f.problemProperty().get().isEmpty());
        done(f);
        holder.pool.awaitJobs(null);
        assertThat(TestPools.await(WAIT, () -> {
            history.pollSaved();
            ui.drain();
        }, () -> !ended.isEmpty())).as("the ended job is heard (its notification)").isTrue();
        assertThat(ended).containsExactly("rebuild d6 of a DONE");
        assertThat(history.entries()).extracting(e -> e.kind()).containsExactly("rebuild");
    }

    @Test
    void aSpareTheEngineRefusesIsSaidInTheFormBeforeSubmitting() throws Exception {
        newVolume("a", Layout.RAID5, "d1", "d2", "d3");
        newVolume("b", Layout.RAID1, "d4", "d5");
        holder.pool.admin().failDrive("d2");
        vm.selectedDriveProperty().set("d2");
        shows(() -> vm.spareBlockedProperty().get().isEmpty());
        SpareForm f = vm.spareForm();
        f.spareProperty().set("d6");
        shows(() -> f.problemProperty().get().isEmpty());
        String local = holder.pool.admin().whyNotReplaceWithSpare("d2", "d4");
        assertThat(local).isNotNull();
        // d4 is taken by a volume, as from a shell, after the form listed it: the holder's check says so
        f.spareProperty().set("d4");
        shows(() -> f.problemProperty().get().equals(local));
    }

    @Test
    void verifyWithRepairRunsInTheHolder() throws Exception {
        newVolume("a", Layout.RAID1, "d1", "d2");
        vm.selectedVolumeProperty().set("a");
        VerifyForm f = vm.verifyForm();
        f.repairProperty().set(true);
        done(f);
        assertThat(f.resultProperty().get()).isEqualTo("0 mismatched sectors: every copy and parity agrees.");
    }
}
