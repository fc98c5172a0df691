package org.splitpoint.app.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.backup.ImageInfo;

/** The Backups view's model against a real pool and real store directories, no toolkit. */
class BackupsViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private final List<List<Path>> saved = new ArrayList<>();
    private PoolBridge bridge;
    private BackupsViewModel vm;

    @BeforeEach
    void open() throws Exception {
        bridge = PoolBridge.open(TestPools.demo(tmp), new CurrentThreadTaskExecutor(), ui);
        KnownStores.Memory memory = new KnownStores.Memory() {
            @Override
            public List<Path> load() {
                return List.of();
            }

            @Override
            public void save(List<Path> stores) {
                saved.add(stores);
            }
        };
        vm = new BackupsViewModel(bridge, status, new KnownStores(memory));
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::apply);
        refresh();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private void refresh() {
        bridge.refresh();
        ui.drain();
    }

    private Path store(String name) {
        return tmp.resolve(name).toAbsolutePath().normalize();
    }

    /** Backs prod up (full or not) and waits until the image is listed; returns the images of prod. */
    private List<ImageInfo> backUp(boolean full) throws Exception {
        int before = vm.listingProperty().get().images().size();
        vm.backupNow().volumeProperty().set("prod");
        vm.backupNow().fullProperty().set(full);
        assertThat(vm.backupNow().blockedProperty().get()).isEmpty();
        vm.backupNow().backUp();
        ui.drain();
        assertThat(TestPools.await(Duration.ofSeconds(20), this::refresh,
                () -> vm.listingProperty().get().images().size() == before + 1)).as("the image is listed").isTrue();
        return vm.listingProperty().get().imagesOf("prod");
    }

    private void writeTracks(int from, int count) {
        bridge.run(pool -> {
            pool.device("prod").write(from * 65536L, ByteBuffer.allocate(count * 65536));
            pool.device("prod").flush();
            return null;
        }, ok -> { }, why -> { throw new AssertionError(why); });
        ui.drain();
    }

    private <T> T onPool(org.splitpoint.app.bridge.EngineCall<T> call) {
        List<T> out = new ArrayList<>();
        bridge.run(call, out::add, why -> { throw new AssertionError(why); });
        ui.drain();
        return out.get(0);
    }

    /** The engine's refusal of {@code call}, run on the pool (null when it was not refused). */
    private String refusal(org.splitpoint.app.bridge.EngineCall<?> call) {
        java.util.concurrent.atomic.AtomicReference<String> refused = new java.util.concurrent.atomic.AtomicReference<>();
        bridge.run(call, x -> { }, refused::set);
        ui.drain();
        return refused.get();
    }

    private BackupRow row(String id) {
        for (BackupsViewModel.Node v : vm.treeProperty().get()) {
            for (BackupsViewModel.Node c : v.children()) {
                if (c.row().key().equals(id)) {
                    return c.row();
                }
                for (BackupsViewModel.Node i : c.children()) {
                    if (i.row().key().equals(id)) {
                        return i.row();
                    }
                }
            }
        }
        throw new AssertionError("no row " + id);
    }

    /**
     * A backup as a snapshot shows it: each valid snapshot of the volume is offered; an incremental one
     * only builds on a backup made before the snapshot (the engine's sentence before the click); the
     * image carries the snapshot's time and the holder is asked with --from-snapshot.
     */
    @Test
    void aBackupAsASnapshotShowsItIsOfferedAndItsIncrementalOnlyOnABackupMadeBeforeIt() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        backUp(true);
        var s1 = onPool(pool -> {
            long size = pool.volume("prod").size();
            String a = pool.admin().addDrive(size);
            String c = pool.admin().addDrive(size);
            pool.admin().createVolume("save", org.splitpoint.engine.pool.Layout.RAID1, List.of(a, c), 0);
            pool.snapshots().setSaveArea("save");
            return pool.snapshots().create("prod", "s1");
        });
        writeTracks(0, 4);
        refresh();
        BackupNow b = vm.backupNow();
        b.volumeProperty().set("prod");
        assertThat(b.sources()).extracting(BackupNow.Source::snapshot).containsExactly(null, "s1");
        assertThat(b.sources().get(1).label()).startsWith("as of snapshot s1 (2");
        b.sourceProperty().set(b.sources().get(1));
        b.fullProperty().set(false);
        assertThat(b.blockedProperty().get()).as("s1 came after the full backup").isEmpty();
        assertThat(org.splitpoint.app.bridge.HolderCommands.backup("prod", store("backups"), false, "s1").apply("P"))
                .containsSequence("--from-snapshot", "s1");

        b.sourceProperty().set(BackupNow.NOW);
        backUp(false); // the last backup is now newer than s1
        b.sourceProperty().set(b.sources().get(1));
        b.fullProperty().set(false);
        assertThat(b.blockedProperty().get()).startsWith("snapshot prod@s1 was taken before its last backup (image ")
                .endsWith("take a full backup (--full) from the snapshot");

        List<String> before = vm.listingProperty().get().imagesOf("prod").stream().map(ImageInfo::id).toList();
        ImageInfo asOfS1 = backUp(true).stream().filter(i -> !before.contains(i.id())).findFirst().orElseThrow();
        assertThat(asOfS1.kind()).isEqualTo(ImageInfo.Kind.FULL);
        assertThat(asOfS1.createdAt()).isEqualTo(s1.createdAt());

        onPool(pool -> pool.snapshots().delete("prod", "s1"));
        refresh();
        assertThat(b.sources()).containsExactly(BackupNow.NOW);
        assertThat(b.sourceProperty().get()).as("a deleted snapshot gives way to the volume now").isEqualTo(BackupNow.NOW);
    }

    @Test
    void aNewDirectoryBecomesAStoreWithTheFirstBackupWhichIsFullAndListedWithItsTracks() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        assertThat(vm.listingProperty().get().isNew()).isTrue();
        assertThat(vm.listingProperty().get().summary()).isEqualTo("new: becomes a store with its first backup");
        assertThat(vm.backupNow().fullProperty().get()).as("nothing to build on: full is chosen").isTrue();
        assertThat(saved).last().isEqualTo(List.of(store("backups")));

        List<ImageInfo> images = backUp(true);

        assertThat(images).hasSize(1);
        ImageInfo full = images.get(0);
        assertThat(full.kind()).isEqualTo(ImageInfo.Kind.FULL);
        assertThat(Files.isRegularFile(store("backups").resolve("store.json"))).isTrue();
        BackupsViewModel.Node volume = vm.treeProperty().get().get(0);
        assertThat(volume.row().name()).isEqualTo("prod");
        assertThat(volume.row().kind()).isEqualTo("1 image");
        BackupRow r = volume.children().get(0).row();
        assertThat(r.kind()).isEqualTo("full");
        assertThat(r.tracks()).isEqualTo(String.valueOf(full.tracks()));
        assertThat(r.volumeTracks()).isEqualTo("128");
        assertThat(r.verifyProperty().get()).isEqualTo(VerifyState.NOT_VERIFIED);
        assertThat(vm.backupNow().progressTextProperty().get()).isEqualTo("backup of prod finished · 100%");
        assertThat(vm.backupNow().fullProperty().get()).as("next time an incremental builds on it").isFalse();
    }

    @Test
    void anIncrementalHoldsTheTracksWrittenSinceAndIsShownUnderItsFullImage() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        String full = backUp(true).get(0).id();
        writeTracks(10, 3);
        List<String> said = new java.util.ArrayList<>();
        status.messageProperty().addListener((o, was, now) -> said.add(now));

        List<ImageInfo> images = backUp(false);
        // it said "Starting a incremental backup of prod…" (seen by hand)
        assertThat(said).anyMatch(m -> m.endsWith("  Starting an incremental backup of prod…"));

        ImageInfo inc = images.get(0);
        assertThat(inc.kind()).isEqualTo(ImageInfo.Kind.INCREMENTAL);
        assertThat(inc.parent()).isEqualTo(full);
        assertThat(inc.tracks()).isEqualTo(3);
        BackupsViewModel.Node chain = vm.treeProperty().get().get(0).children().get(0);
        assertThat(chain.row().key()).isEqualTo(full);
        assertThat(chain.children()).extracting(n -> n.row().key()).containsExactly(inc.id());
        assertThat(row(inc.id()).buildsOn()).isEqualTo(full);
    }

    @Test
    void anIncrementalIntoAnotherStoreThanTheLastBackupsIsRefusedWithTheEngineRule() throws Exception {
        vm.addStore(store("a").toString());
        ui.drain();
        String full = backUp(true).get(0).id();
        vm.addStore(store("b").toString());
        ui.drain();
        assertThat(vm.selectedStoreProperty().get()).isEqualTo(store("b"));

        vm.backupNow().fullProperty().set(false);

        assertThat(vm.backupNow().blockedProperty().get()).isEqualTo("the last backup of prod (image " + full
                + ") is in the store at " + store("a") + "; an incremental one builds on it there: choose that store,"
                + " or take a full backup");
        vm.backupNow().fullProperty().set(true);
        assertThat(vm.backupNow().blockedProperty().get()).isEmpty();
    }

    /**
     * While a pair restores prod from its BCV, hosts read its tracks not yet restored from the BCV,
     * so the engine refuses a backup (it would be torn); Back up now was offered and the refusal came
     * after the click. It is disabled first, with the engine's sentence (PairAdmin.restoringFromBcv).
     */
    @Test
    void aVolumeBeingRestoredFromItsBcvCannotBeBackedUpAndThePageSaysSoFirst() throws Exception {
        vm.addStore(store("a").toString());
        ui.drain();
        vm.backupNow().volumeProperty().set("prod");
        vm.backupNow().fullProperty().set(true);
        assertThat(vm.backupNow().blockedProperty().get()).isEmpty();
        org.splitpoint.engine.job.Job restore = onPool(pool -> {
            pool.pairs().split(List.of("prod-pair"));
            return pool.pairs().restore("prod-pair", true, false, 64 << 10); // a track a second
        });
        refresh();
        String sentence = "volume prod is being restored from its BCV in pair prod-pair, which is restoring (RestInProg);"
                + " back it up once the restore finished";
        assertThat(vm.backupNow().blockedProperty().get()).isEqualTo(sentence);
        assertThat(refusal(pool -> pool.backups().backup("prod", store("a"), true, 0)))
                .as("the engine's own refusal, the same sentence").contains(sentence);
        restore.cancel();
        restore.await(30_000);
    }

    /**
     * The save area and a volume being restored to a snapshot: the engine refuses their backups
     * (BackupAdmin.backup); the page offered Back up now and showed the refusal after the click. It
     * says the engine's sentence first.
     */
    @Test
    void theSaveAreaAndAVolumeBeingRestoredToASnapshotCannotBeBackedUpAndThePageSaysSoFirst() throws Exception {
        onPool(pool -> {
            List<String> d = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            pool.admin().createVolume("snaps", org.splitpoint.engine.pool.Layout.RAID1, d, 0);
            return pool.snapshots().setSaveArea("snaps");
        });
        refresh();
        vm.addStore(store("a").toString());
        ui.drain();
        vm.backupNow().fullProperty().set(true);
        vm.backupNow().volumeProperty().set("snaps");
        String saveArea = "volume snaps is the save area: it holds snapshots' saved tracks, not a host's data; back up"
                + " the volumes themselves";
        assertThat(vm.backupNow().blockedProperty().get()).isEqualTo(saveArea);
        assertThat(refusal(pool -> pool.backups().backup("snaps", store("a"), true, 0)))
                .as("the engine's own refusal").contains(saveArea);

        vm.backupNow().volumeProperty().set("prod");
        assertThat(vm.backupNow().blockedProperty().get()).isEmpty();
        org.splitpoint.engine.job.Job restore = onPool(pool -> {
            pool.pairs().split(List.of("prod-pair"));
            pool.snapshots().create("prod", "s");
            pool.device("prod").write(0, ByteBuffer.allocate(4 * 65536));
            return pool.snapshots().restore("prod", "s", false, 64 << 10); // a track a second
        });
        refresh();
        String restoring = "volume prod is being restored to a snapshot (job snapshot-restore-prod); back it up once the"
                + " restore finished";
        assertThat(vm.backupNow().blockedProperty().get()).isEqualTo(restoring);
        assertThat(refusal(pool -> pool.backups().backup("prod", store("a"), true, 0)))
                .as("the engine's own refusal").contains(restoring);
        restore.cancel();
        restore.await(30_000);
    }

    /**
     * A store whose making a power cut stopped (an empty images/, no store.json) is one the next
     * backup makes a store again (the engine's DirectoryStore.wouldMake): the page refused it as a
     * directory of something else ('is not a Splitpoint backup store (it has no store.json and is not
     * empty)'), where a backup into it would have gone on.
     */
    @Test
    void aStoreWhoseMakingWasCutShortIsANewStoreAsTheEngineTakesIt() throws Exception {
        Path cut = Files.createDirectories(tmp.resolve("cut").resolve("images")).getParent();

        vm.addStore(cut.toString());
        ui.drain();

        assertThat(status.messageProperty().get()).doesNotContain("is not a Splitpoint backup store");
        assertThat(vm.listingProperty().get().isNew()).isTrue();
        assertThat(vm.listingProperty().get().summary()).isEqualTo("new: becomes a store with its first backup");
    }

    @Test
    void aDirectoryThatIsNoStoreIsRefusedWithTheEngineSentenceAndNotRemembered() throws Exception {
        Path junk = Files.createDirectories(tmp.resolve("junk"));
        Files.writeString(junk.resolve("notes.txt"), "not a store");

        vm.addStore(junk.toString());
        ui.drain();

        assertThat(status.kindProperty().get()).isEqualTo(ActionStatus.Kind.ERROR);
        assertThat(status.messageProperty().get()).endsWith(junk.toAbsolutePath().normalize()
                + " is not a Splitpoint backup store (it has no store.json and is not empty)");
        assertThat(vm.stores()).isEmpty();
        assertThat(saved).isEmpty();
    }

    @Test
    void aStoreInsideThePoolIsRefused() {
        vm.addStore(bridge.poolDir().resolve("backups").toString());
        ui.drain();

        assertThat(status.messageProperty().get()).contains("is inside the pool; keep backups outside it");
        assertThat(vm.stores()).isEmpty();
    }

    @Test
    void verifyFindsAnImageOkThenDamagedWithTheEngineSentenceAfterAByteOfItsDataChanged() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        String id = backUp(true).get(0).id();
        vm.selectedProperty().set(row(id));
        assertThat(vm.verifyBlockedProperty().get()).isEmpty();

        vm.verifySelected();
        ui.drain();
        assertThat(row(id).verifyProperty().get().kind()).isEqualTo(VerifyState.Kind.OK);
        assertThat(vm.verifyLineProperty().get()).isEqualTo("1 image verified: every SHA-256 matched");

        BackupPools.corrupt(store("backups"), id);
        vm.verifySelected();
        ui.drain();

        VerifyState s = row(id).verifyProperty().get();
        assertThat(s.kind()).isEqualTo(VerifyState.Kind.DAMAGED);
        assertThat(s.detail()).matches("image " + id + ": 1 of \\d+ tracks fail their SHA-256 \\(track \\d+; damaged\\): a"
                + " restore of it copies the others and leaves that one unrestored");
        assertThat(s.look().word()).isEqualTo("DAMAGED");
        assertThat(vm.verifyLineProperty().get()).isEqualTo("1 image verified: 0 ok, 1 DAMAGED");
    }

    /** An incremental over a damaged full image cannot be restored: the view said "ok" for it, as the CLI did. */
    @Test
    void verifyOfAnIncrementalOverADamagedFullImageSaysItsChainIsBroken() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        String full = backUp(true).get(0).id();
        writeTracks(0, 1);
        String inc = backUp(false).get(0).id();
        BackupPools.corrupt(store("backups"), full);
        vm.selectedProperty().set(row(inc));

        vm.verifySelected();
        ui.drain();

        VerifyState s = row(inc).verifyProperty().get();
        assertThat(s.kind()).isEqualTo(VerifyState.Kind.CHAIN_BROKEN);
        assertThat(s.line()).startsWith("ok, but its chain is broken at " + full + ": image " + full + ": 1 of ")
                .endsWith("; it cannot be restored");
        assertThat(s.look().word()).isEqualTo("chain broken");
        assertThat(vm.verifyLineProperty().get())
                .isEqualTo("1 image verified: 0 ok, 0 DAMAGED, 1 with a broken chain (cannot be restored)");
    }

    /**
     * Deleting a volume's last image in the store (the demo's only backup of db) said only "cannot be
     * undone", as for one image among many (seen by hand): it says the volume has no backup there after it.
     */
    @Test
    void deletingAVolumesLastImagesSaysItHasNoBackupThereAfter() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        String full = backUp(true).get(0).id();
        writeTracks(0, 1);
        String inc = backUp(false).get(0).id();
        String none = "After this, prod has no backup in " + store("backups") + ".";
        vm.selectedProperty().set(row(inc));
        assertThat(vm.deleteConfirmation().sentences()).as("the full stays").doesNotContain(none);
        vm.selectedProperty().set(row(full));
        assertThat(vm.deleteConfirmation().sentences()).as("the full and the incremental built on it").contains(none);

        String second = backUp(true).get(0).id();
        vm.selectedProperty().set(row(full));
        assertThat(vm.deleteConfirmation().sentences()).as("another full of prod stays").doesNotContain(none);
        assertThat(second).isNotEqualTo(full);
    }

    @Test
    void deletingAnImageThatAnIncrementalBuildsOnIsRefusedUnlessTheIncrementalGoesToo() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        String full = backUp(true).get(0).id();
        writeTracks(0, 1);
        String inc = backUp(false).get(0).id();
        vm.selectedProperty().set(row(full));
        assertThat(vm.deleteBlockedProperty().get()).isEmpty();
        assertThat(vm.deleteConfirmation().target()).isEqualTo(full);
        assertThat(vm.dependents()).containsExactly(inc);

        String refusal = "image " + full + " is the parent of " + inc + "; deleting it would break their chain: delete"
                + " those first, or tick \u201cand the images that build on it\u201d to delete them too";
        assertThat(vm.deleteRefusal(false)).isEqualTo(refusal);
        vm.delete(false);
        ui.drain();
        assertThat(status.messageProperty().get()).endsWith(refusal);
        assertThat(vm.listingProperty().get().images()).hasSize(2);

        vm.delete(true);
        ui.drain();
        assertThat(vm.listingProperty().get().images()).isEmpty();
        assertThat(vm.treeProperty().get()).isEmpty();
        assertThat(status.messageProperty().get()).endsWith("Deleted images " + full + ", " + inc);
    }

    /**
     * An image another pool's restore reads cannot be deleted from the app either (the app knew only
     * its own pool's restores): the reason names that pool and volume; it holds after that pool closed
     * (its restore resumes at its next opening).
     */
    @Test
    void anImageAnotherPoolRestoresFromIsNotDeleted() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        String full = backUp(true).get(0).id();
        Path other = tmp.resolve("other-pool").toAbsolutePath().normalize();
        ImageInfo image = vm.listingProperty().get().image(full);
        org.splitpoint.engine.pool.Pool.create(other, 2, image.size() + (1 << 20), image.trackSize(),
                org.splitpoint.engine.io.StorageFactory.real());
        try (org.splitpoint.engine.pool.Pool o = org.splitpoint.engine.pool.Pool.open(other)) {
            long size = image.size();
            o.admin().createVolume("prod", org.splitpoint.engine.pool.Layout.RAID1, List.of("d1", "d2"), size);
            o.instantRestores().restore("prod", store("backups"), full, false, 1);
        }
        vm.refresh(); // the stores read again
        ui.drain();
        vm.selectedProperty().set(row(full));
        assertThat(vm.deleteBlockedProperty().get()).startsWith("in use: volume prod of the pool at " + other
                + " is being restored from image " + full);
        assertThat(Files.isDirectory(store("backups").resolve("images").resolve(full))).isTrue();
    }

    /** An image whose manifest is damaged no longer hides the store's other images: they list, it is named. */
    @Test
    void aDamagedManifestIsNamedAndTheOtherImagesList() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        String full = backUp(true).get(0).id();
        writeTracks(0, 1);
        String inc = backUp(false).get(0).id();
        Path manifest = store("backups").resolve("images").resolve(inc).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"tracks\"", "\"trackz\""));
        vm.refresh();
        ui.drain();
        StoreListing l = vm.listingProperty().get();
        assertThat(l.problem()).isNull();
        assertThat(l.images()).extracting(ImageInfo::id).containsExactly(full);
        assertThat(l.summary()).contains("1 DAMAGED (manifest unreadable: " + inc);
    }

    @Test
    void removingAStoreForgetsItButLeavesItsImages() throws Exception {
        vm.addStore(store("backups").toString());
        ui.drain();
        backUp(true);

        vm.removeStore();

        assertThat(vm.stores()).isEmpty();
        assertThat(vm.selectedStoreProperty().get()).isNull();
        assertThat(saved).last().isEqualTo(List.of());
        assertThat(Files.list(store("backups").resolve("images")).count()).isEqualTo(1);
        assertThat(vm.backupNow().blockedProperty().get()).isEqualTo("add a backup store first (Add store…), or choose one");
    }

    /**
     * A store added to the list elsewhere (a journal enabled, from the app or a shell) while none
     * was shown is shown: the images pane said "Add a store to see its images." under the store.
     */
    @Test
    void aStoreAddedElsewhereWhileNoneIsShownIsShown() throws Exception {
        KnownStores known = new KnownStores(KnownStores.Memory.inMemory(List.of()));
        BackupsViewModel other = new BackupsViewModel(bridge, status, known);
        assertThat(other.selectedStoreProperty().get()).isNull();
        Path dir = store("journal-store");
        java.nio.file.Files.createDirectories(dir);

        known.add(dir);
        ui.drain();

        assertThat(other.selectedStoreProperty().get()).isEqualTo(dir);
        known.add(store("second"));
        assertThat(other.selectedStoreProperty().get()).as("the one shown stays").isEqualTo(dir);
    }

    /**
     * A backup made from a shell (or before the app ran) into a store the Backups view did not list:
     * the view said "No backup store yet" while the volume's last backup was there. The store of a
     * volume's last backup is listed.
     */
    @Test
    void theStoreOfABackupMadeFromAShellIsListed() throws Exception {
        Path shell = store("shell-store");
        assertThat(vm.stores()).doesNotContain(shell);
        bridge.run(p -> p.backups().backup("prod", shell, true, 0).await(30_000), done -> { }, why -> { });
        assertThat(TestPools.await(Duration.ofSeconds(20), this::refresh, () -> vm.stores().contains(shell)))
                .as("the store of prod's last backup is listed").isTrue();
        assertThat(vm.selectedStoreProperty().get()).as("shown, no other store being listed").isEqualTo(shell);
    }
}
