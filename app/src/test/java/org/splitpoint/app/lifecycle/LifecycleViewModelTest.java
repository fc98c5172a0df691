package org.splitpoint.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/** The lifecycle's view models against a real pool, no toolkit: the rules, the forms' lines and problems, what they do. */
class LifecycleViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private final List<String> stopped = new ArrayList<>();
    private final List<String> deleted = new ArrayList<>();
    private PoolBridge bridge;
    private LifecycleViewModel vm;

    @BeforeEach
    void open() throws Exception {
        Path dir = tmp.resolve("p");
        Pool.create(dir, 6, 4 << 20, 65536, StorageFactory.real());
        bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        vm = new LifecycleViewModel(bridge, status, stopped::add, deleted::add);
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::apply);
        bridge.refresh();
        ui.drain();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private void done(LifecycleForm f) {
        boolean[] closed = {false};
        f.submit(() -> closed[0] = true);
        ui.drain();
        assertThat(closed[0]).as(f.problemProperty().get()).isTrue();
    }

    private void newVolume(String name, Layout layout, String... drives) {
        NewVolumeForm f = vm.newVolumeForm();
        f.nameProperty().set(name);
        f.layoutProperty().set(layout);
        f.chosen().addAll(List.of(drives));
        done(f);
    }

    @Test
    void anEmptyPoolSaysWhatToDoNextUntilItHasAVolume() {
        assertThat(vm.nextStepProperty().get()).startsWith("This pool has no volume yet. Its 6 SPARE drives are ready");
        assertThat(vm.newPairBlockedProperty().get()).isEqualTo("a pair needs two volumes of the same size in no pair;"
                + " make volumes first");
        newVolume("a", Layout.RAID1, "d1", "d2");
        assertThat(vm.nextStepProperty().get()).isEmpty();
    }

    @Test
    void theNewVolumeRuleLineFollowsTheTicksAndCreateWaitsForEnoughDrives() {
        NewVolumeForm f = vm.newVolumeForm();
        assertThat(f.layoutProperty().get()).isEqualTo(Layout.RAID5);
        assertThat(f.nameProperty().get()).isEqualTo("vol1");
        f.chosen().add("d1");
        assertThat(f.ruleProperty().get()).endsWith("Chosen: 1 of the 3 needed.");
        assertThat(f.problemProperty().get()).isEqualTo("raid5 needs at least 3 drives; tick 2 more");
        f.chosen().addAll(List.of("d2", "d3"));
        assertThat(f.ruleProperty().get()).endsWith("Chosen: 3 drives, holding 8 MiB; it survives one drive failing.");
        assertThat(f.problemProperty().get()).isEmpty();
        f.sizeProperty().set("9M");
        assertThat(f.problemProperty().get()).isEqualTo("the size 9 MiB is larger than the 8 MiB these drives hold;"
                + " type at most 8 MiB, leave it empty for all of it, or tick more drives");
        f.sizeProperty().set("2M");
        f.nameProperty().set("9lives");
        assertThat(f.problemProperty().get()).startsWith("'9lives' is not a valid volume name");
        f.nameProperty().set("db");
        done(f);
        assertThat(snapshot().volume("db").size()).isEqualTo(2 << 20);
    }

    @Test
    void aRefusalByTheEngineStaysInTheFormUntilAFieldChanges() {
        NewVolumeForm f = vm.newVolumeForm();
        f.layoutProperty().set(Layout.RAID1);
        f.chosen().addAll(List.of("d1", "d2"));
        newVolume("other", Layout.RAID1, "d1", "d2"); // the drives go meanwhile, as from a shell
        f.submit(() -> { });
        ui.drain();
        assertThat(f.problemProperty().get()).isEqualTo("drive d1 is ONLINE in volume other; a new volume needs SPARE drives");
        f.chosen().remove("d1");
        f.chosen().add("d3");
        assertThat(f.problemProperty().get()).isEmpty();
    }

    /**
     * An emptied name field asks for a name: the New volume dialog said "'' is not a valid volume name
     * (a letter, then ...)" under an empty field (seen by hand), where Take snapshot says "type a name for
     * the snapshot". The field is the one marked.
     */
    @Test
    void anEmptyNameAsksForANameInsteadOfQuotingNothing() {
        NewVolumeForm v = vm.newVolumeForm();
        v.chosen().addAll(List.of("d1", "d2", "d3"));
        v.nameProperty().set("  ");
        assertThat(v.problemProperty().get()).isEqualTo("type a name for the volume");
        assertThat(v.problemDetailProperty().get().field()).isEqualTo("name");
        newVolume("a", Layout.RAID1, "d4", "d5");
        newVolume("b", Layout.RAID1, "d1", "d2");
        NewPairForm p = vm.newPairForm();
        p.nameProperty().set("");
        assertThat(p.problemProperty().get()).isEqualTo("type a name for the pair");
    }

    /**
     * A name already taken says what to do, as the other refusals do ("tick 2 more"): the New volume
     * dialog said only "a volume named 'prod' already exists" (seen by hand), and New pair the same.
     */
    @Test
    void aNameAlreadyTakenSaysToChooseAnother() {
        newVolume("a", Layout.RAID1, "d1", "d2");
        newVolume("b", Layout.RAID1, "d3", "d4");
        NewVolumeForm v = vm.newVolumeForm();
        v.chosen().addAll(List.of("d5", "d6"));
        v.layoutProperty().set(Layout.RAID1);
        v.nameProperty().set("a");
        assertThat(v.problemProperty().get()).isEqualTo("a volume named 'a' already exists; choose another name");
        AddDrivesForm more = vm.addDrivesForm();
        more.countProperty().set("4");
        done(more);
        newVolume("c", Layout.RAID1, "d7", "d8");
        newVolume("d", Layout.RAID1, "d9", "d10");
        NewPairForm p = vm.newPairForm();
        String made = p.nameProperty().get();
        done(p);
        NewPairForm again = vm.newPairForm();
        again.nameProperty().set(made);
        assertThat(again.problemProperty().get()).isEqualTo("a pair named '" + made + "' already exists; choose another name");
    }

    @Test
    void newPairOffersOnlyBcvsOfTheStdsSize() {
        newVolume("a", Layout.RAID1, "d1", "d2");
        newVolume("b", Layout.RAID5, "d3", "d4", "d5");
        NewPairForm f = vm.newPairForm();
        f.stdProperty().set("a");
        assertThat(f.bcvChoices()).isEmpty();
        assertThat(f.problemProperty().get()).isEqualTo("no volume can be a's BCV: a BCV is a free volume of the same size");
        assertThat(f.ruleProperty().get()).startsWith("No other free volume has a's size (4 MiB)");
    }

    @Test
    void deletingTheVolumeOnDisplayStopsItsWorkloadAndLeavesItsPage() {
        newVolume("a", Layout.RAID1, "d1", "d2");
        vm.selectedVolumeProperty().set("a");
        VolumeDeletion d = vm.volumeDeletion();
        ui.drain();
        assertThat(d.refusedProperty().get()).isEmpty();
        assertThat(d.confirmation().sentences()).contains("Drives d1, d2 go back to the bay as SPARE drives.");
        d.delete();
        ui.drain();
        assertThat(stopped).containsExactly("a");
        assertThat(deleted).containsExactly("volume:a");
        assertThat(snapshot().drive("d1").state()).isEqualTo(DriveState.SPARE);
    }

    @Test
    void aVolumeInAPairIsRefusedInTheEnginesWords() {
        newVolume("a", Layout.RAID1, "d1", "d2");
        newVolume("b", Layout.RAID1, "d3", "d4");
        NewPairForm p = vm.newPairForm();
        done(p);
        vm.selectedVolumeProperty().set("b");
        // Delete volume… says it before any dialog (the dialog still asks the engine, for what a snapshot cannot tell)
        assertThat(vm.deleteVolumeBlockedProperty().get()).isEqualTo("volume b is the BCV of pair pair1; delete the pair"
                + " first");
        assertThat(vm.volumeDeletion()).as("no dialog").isNull();
    }

    /**
     * Delete volume… is disabled, saying why in the engine's words, while the snapshot shows what the
     * engine refuses: it opened the typed confirmation for prod of the demo's pair only to say there
     * that prod could not be deleted (seen by hand). The sentences agree with the engine's refusal.
     */
    @Test
    void deleteVolumeIsDisabledSayingWhyWhileTheEngineWouldRefuseIt() throws Exception {
        newVolume("a", Layout.RAID1, "d1", "d2");
        newVolume("b", Layout.RAID1, "d3", "d4");
        newVolume("save", Layout.RAID1, "d5", "d6");
        vm.selectedVolumeProperty().set("b");
        assertThat(vm.deleteVolumeBlockedProperty().get()).as("in no pair, nothing on it").isEmpty();
        done(vm.newPairForm());
        for (String v : List.of("a", "b")) {
            vm.selectedVolumeProperty().set(v);
            String engine = run(p -> p.admin().whyNotDeleteVolume(v));
            assertThat(engine).as("the engine refuses " + v).isNotNull();
            assertThat(vm.deleteVolumeBlockedProperty().get()).isEqualTo(engine);
        }
        assertThat(vm.deleteVolumeBlockedProperty().get()).isEqualTo("volume b is the BCV of pair pair1; delete the pair"
                + " first");
        run(p -> {
            p.snapshots().setSaveArea("save");
            return null;
        });
        bridge.refresh();
        ui.drain();
        vm.selectedVolumeProperty().set("save");
        assertThat(vm.deleteVolumeBlockedProperty().get()).isEqualTo(run(p -> p.admin().whyNotDeleteVolume("save")))
                .isEqualTo("volume save is the save area of the pool's snapshots; it holds their saved tracks");
    }

    @Test
    void aPairWhoseStdIsBeingRestoredIsNotDeletedAndTheDialogSaysWhyInTheEnginesWords() throws Exception {
        newVolume("a", Layout.RAID1, "d1", "d2");
        newVolume("b", Layout.RAID1, "d3", "d4");
        newVolume("save", Layout.RAID1, "d5", "d6");
        done(vm.newPairForm());
        org.splitpoint.engine.job.Job restore = run(p -> {
            p.snapshots().setSaveArea("save");
            p.snapshots().create("a", "s1");
            p.device("a").write(0, java.nio.ByteBuffer.allocate(4 << 20)); // every track changed since
            return p.snapshots().restore("a", "s1", false, 1); // a byte a second: it runs while the dialog asks
        });
        vm.selectedPairProperty().set("pair1");
        PairDeletion d = vm.pairDeletion();
        d.stopCopyProperty().set(true); // stopping the pair's copy does not stop the volume's restore
        ui.drain();
        String sentence = "volume a (the STD of pair pair1) is being restored from a snapshot; wait for that restore or"
                + " cancel it before deleting the pair";
        assertThat(d.refusedProperty().get()).isEqualTo(sentence);
        d.delete(); // as a holder answers a delete asked all the same
        ui.drain();
        assertThat(status.messageProperty().get()).contains(sentence);
        assertThat(deleted).isEmpty();
        restore.cancel();
        assertThat(restore.await(30_000)).isTrue();
    }

    @Test
    void newPairWaitsWhileTheStdIsBeingRestoredSayingTheEnginesSentenceAndFollowsThePool() throws Exception {
        newVolume("a", Layout.RAID1, "d1", "d2");
        newVolume("b", Layout.RAID1, "d3", "d4");
        newVolume("save", Layout.RAID1, "d5", "d6");
        NewPairForm f = vm.newPairForm(); // opened before the restore: it follows the pool while open
        f.stdProperty().set("a");
        f.bcvProperty().set("b");
        assertThat(f.problemProperty().get()).isEmpty();
        org.splitpoint.engine.job.Job restore = run(p -> {
            p.snapshots().setSaveArea("save");
            p.snapshots().create("a", "s1");
            p.device("a").write(0, java.nio.ByteBuffer.allocate(4 << 20)); // every track changed since
            return p.snapshots().restore("a", "s1", false, 1); // a byte a second: it runs while the dialog is open
        });
        String sentence = "volume a (the STD of pair pair1) is being restored from a snapshot; wait for that restore or"
                + " cancel it before creating the pair";
        assertThat(f.problemProperty().get()).isEqualTo(sentence);
        assertThat(f.problemDetailProperty().get().field()).isEqualTo("std");
        String engine = run(p -> {
            try {
                p.pairs().create("pair1", "a", "b");
                return null;
            } catch (org.splitpoint.engine.pool.PoolException e) {
                return e.getMessage();
            }
        });
        assertThat(engine).as("the engine's answer").isEqualTo(sentence);
        f.submit(() -> { }); // Create pair waits: nothing is asked of the engine
        ui.drain();
        assertThat(pairs()).isEmpty();
        restore.cancel();
        assertThat(restore.await(30_000)).isTrue();
        bridge.refresh();
        ui.drain();
        assertThat(f.problemProperty().get()).as("the restore ended while the dialog was open").isEmpty();
        done(f);
        assertThat(pairs()).containsExactly("pair1");
    }

    private List<String> pairs() {
        return run(p -> p.pairs().query(null)).stream().map(org.splitpoint.engine.pool.PairAdmin.PairView::name).toList();
    }

    @Test
    void replaceWithSpareNeedsAFailedDriveAndASpareAndRebuildsOntoIt() {
        newVolume("a", Layout.RAID5, "d1", "d2", "d3");
        vm.selectedDriveProperty().set("d2");
        assertThat(vm.spareBlockedProperty().get()).isEqualTo("drive d2 is ONLINE; only a FAILED drive is replaced by a spare");
        run(p -> {
            p.admin().failDrive("d2");
            return null;
        });
        ui.drain();
        assertThat(vm.spareBlockedProperty().get()).isEmpty();
        SpareForm f = vm.spareForm();
        ui.drain();
        assertThat(f.spares()).containsExactly("d4", "d5", "d6");
        f.limitProperty().set("fast");
        assertThat(f.problemProperty().get()).isEqualTo("the speed limit is a rate in MB/s (0 or empty: none), not 'fast'");
        f.limitProperty().set("");
        f.spareProperty().set("d6");
        done(f);
        run(p -> {
            p.awaitJobs(null);
            return null;
        });
        assertThat(snapshot().volume("a").drives()).containsExactly("d1", "d6", "d3");
    }

    /**
     * "Spare drive d6 takes the place of d2 in volume a; rebuilding; d2 stays FAILED" stayed in the
     * status bar after the rebuild had ended, reading as a rebuild still running. It goes with the
     * rebuild's job, as the drive bay's Replace line does.
     */
    @Test
    void theStatusLineOfASparesRebuildGoesWhenTheRebuildEnds() {
        newVolume("a", Layout.RAID5, "d1", "d2", "d3");
        bridge.onSnapshot(s -> status.jobs(s.jobs())); // as the window's model feeds it (PoolViewModel)
        run(p -> {
            p.admin().failDrive("d2");
            return null;
        });
        ui.drain();
        vm.selectedDriveProperty().set("d2");
        SpareForm f = vm.spareForm();
        ui.drain();
        f.spareProperty().set("d6");
        done(f);
        assertThat(status.messageProperty().get()).contains("Spare drive d6 takes the place of d2 in volume a; rebuilding");
        run(p -> {
            p.awaitJobs(null);
            return null;
        });
        bridge.refresh();
        ui.drain();
        bridge.refresh();
        ui.drain();
        assertThat(status.messageProperty().get()).as("the rebuild ended: its line is gone").doesNotContain("rebuilding");
    }

    @Test
    void verifyWithRepairSaysWhatItFound() {
        newVolume("a", Layout.RAID1, "d1", "d2");
        vm.selectedVolumeProperty().set("a");
        VerifyForm f = vm.verifyForm();
        f.repairProperty().set(true);
        done(f);
        assertThat(f.resultProperty().get()).isEqualTo("0 mismatched sectors: every copy and parity agrees.");
        assertThat(f.fractionProperty().get()).isEqualTo(1.0);
    }

    /**
     * A FAILED volume is not verified: with two of its three RAID 5 members gone no stripe could be
     * checked, and Repair… (enabled beside the disabled Verify) ran a verify that said "0 mismatched
     * sectors: every copy and parity agrees" (seen by hand). Refused before the click, in the
     * engine's words, and by the engine.
     */
    @Test
    void aFailedVolumeIsNotVerifiedAndSaysWhy() throws Exception {
        newVolume("a", Layout.RAID5, "d1", "d2", "d3");
        bridge.close();
        Path dir = tmp.resolve("p");
        java.nio.file.Files.delete(dir.resolve("drives/d2.img"));
        java.nio.file.Files.delete(dir.resolve("drives/d3.img"));
        bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        vm = new LifecycleViewModel(bridge, status, stopped::add, deleted::add);
        bridge.onSnapshot(vm::apply);
        bridge.refresh();
        ui.drain();
        assertThat(snapshot().volume("a").state()).isEqualTo(org.splitpoint.engine.pool.VolumeState.FAILED);

        vm.selectedVolumeProperty().set("a");
        String why = "volume a is FAILED (" + snapshot().volume("a").stateReason() + "): its data is unavailable, so"
                + " there is nothing to verify";
        assertThat(vm.verifyBlockedProperty().get()).isEqualTo(why);
        assertThat(vm.verifyForm()).as("no verify dialog").isNull();
        VerifyForm f = new VerifyForm(bridge, status, "a", 2 << 20); // as a dialog opened before the drives went
        f.repairProperty().set(true);
        f.submit(() -> { });
        ui.drain();
        assertThat(f.problemProperty().get()).as("the engine refuses it too").isEqualTo(why);
        assertThat(f.resultProperty().get()).as("nothing said to agree").doesNotContain("agrees");
    }

    @Test
    void drivesAreNotAddedPastTheMostAPoolHoldsNotEvenSome() throws Exception {
        bridge.close(); // this test's pool is one of 250 drives
        Path dir = tmp.resolve("big");
        Pool.create(dir, 250, 4 << 20, 65536, StorageFactory.real());
        bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        vm = new LifecycleViewModel(bridge, status, stopped::add, deleted::add);
        bridge.onSnapshot(vm::apply);
        bridge.refresh();
        ui.drain();
        AddDrivesForm f = vm.addDrivesForm();
        f.countProperty().set("7");
        f.submit(() -> { });
        ui.drain();
        assertThat(f.problemProperty().get()).contains("at most 6 more can be added");
        assertThat(snapshot().drives()).as("none added, not six of the seven").hasSize(250);
        f.countProperty().set("6");
        done(f);
        assertThat(snapshot().drives()).hasSize(256);
        assertThat(vm.addDrivesBlockedProperty().get()).isEqualTo("the pool has 256 drives, the most a pool holds: no more can be added");
        assertThat(vm.addDrivesForm()).isNull();
        assertThat(vm.nextStepProperty().get()).startsWith("This pool has no volume yet. Its 256 SPARE drives are ready")
                .doesNotContain("add drives");
    }

    @Test
    void anAbsurdDriveSizeIsMarkedOnTheSizeFieldBeforeAddIsPressed() {
        AddDrivesForm f = vm.addDrivesForm();
        f.sizeProperty().set("99999T");
        assertThat(f.problemProperty().get()).isEqualTo("drive size must be at most 64T");
        assertThat(f.problemDetailProperty().get().field()).isEqualTo("size");
        f.sizeProperty().set("512K");
        assertThat(f.problemProperty().get()).isEqualTo("drive size must be at least 1M, not 512 KiB");
        f.sizeProperty().set("2000001");
        assertThat(f.problemProperty().get()).startsWith("drive size must be a multiple of 4K");
        f.sizeProperty().set("8M");
        assertThat(f.problemProperty().get()).isEmpty();
        done(f);
        assertThat(snapshot().drives()).hasSize(7);
    }

    @Test
    void drivesThatOutgrowTheFreeSpaceAreAddedOnlyOnceTheAdministratorSaysTheyKnowTheyAreThin() {
        AddDrivesForm f = vm.addDrivesForm();
        f.countProperty().set("2");
        assertThat(f.provisioningProperty().get()).startsWith("2 drives × 4 MiB = 8 MiB of images on a file system with ")
                .endsWith(" free");
        assertThat(f.thinProperty().get()).isFalse();
        assertThat(f.problemProperty().get()).isEmpty();

        // 8 × 8 TiB outgrows any disk this runs on; sparse, ext4 takes them
        f.countProperty().set("8");
        f.sizeProperty().set("8T");
        assertThat(f.provisioningProperty().get()).startsWith("8 drives × 8 TiB = 64 TiB of images on a file system with ")
                .contains(": the drives are thin; writes fail with 'no space' once ");
        assertThat(f.thinProperty().get()).isTrue();
        assertThat(f.problemProperty().get()).isEqualTo("the drives can outgrow the free space: tick 'I know the drives are thin' to add them");
        assertThat(f.problemDetailProperty().get().field()).isEqualTo("thin");
        f.submit(() -> { });
        ui.drain();
        assertThat(snapshot().drives()).as("not added unticked").hasSize(6);

        f.thinAcceptedProperty().set(true);
        assertThat(f.problemProperty().get()).isEmpty();
        f.countProperty().set("9"); // a tick given for 64 TiB is no answer for 72
        assertThat(f.thinAcceptedProperty().get()).isFalse();
        assertThat(f.problemDetailProperty().get().field()).isEqualTo("thin");
        f.countProperty().set("8");
        f.thinAcceptedProperty().set(true);
        done(f);
        assertThat(snapshot().drives()).hasSize(14);
        assertThat(snapshot().drives().get(13).size()).isEqualTo(8L << 40);
    }

    /** An engine call on the bridge's (current-thread) executor, its answer taken from the UI queue. */
    private <T> T run(org.splitpoint.app.bridge.EngineCall<T> call) {
        java.util.concurrent.atomic.AtomicReference<T> got = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> failed = new java.util.concurrent.atomic.AtomicReference<>();
        bridge.run(call, got::set, failed::set);
        ui.drain();
        assertThat(failed.get()).isNull();
        return got.get();
    }

    private org.splitpoint.engine.pool.PoolSnapshot snapshot() {
        return run(Pool::snapshot);
    }
}
