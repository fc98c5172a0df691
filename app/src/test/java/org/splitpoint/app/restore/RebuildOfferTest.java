package org.splitpoint.app.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.EngineCall;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.JournalPools;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.VolumeState;

/**
 * The rebuild from backup + journal of a RAID5 volume that lost two drives, against a real pool and
 * store, no toolkit: the preview the banner and the dialog show, the choice of spares, the rebuild
 * to the last acknowledged write, and the journal that cannot rebuild (its sentence, and a plain
 * restore offered instead).
 */
class RebuildOfferTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private final AtomicInteger started = new AtomicInteger();
    private JournalPools.Made made;
    private PoolBridge bridge;
    private InstantRestoreViewModel vm;

    private void open(JournalPools.Made m) throws Exception {
        made = m;
        bridge = PoolBridge.open(m.pool(), new CurrentThreadTaskExecutor(), ui);
        KnownStores stores = new KnownStores(KnownStores.Memory.inMemory(List.of(m.store())));
        vm = new InstantRestoreViewModel(bridge, status, new Expectations(), stores, JournalPools.VOLUME,
                started::incrementAndGet);
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::apply);
        bridge.onJournals(vm::apply);
        refresh();
    }

    @AfterEach
    void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private void refresh() {
        bridge.refresh();
        ui.drain();
    }

    private <T> T call(EngineCall<T> c) {
        AtomicReference<T> out = new AtomicReference<>();
        bridge.run(c, out::set, why -> {
            throw new AssertionError(why);
        });
        ui.drain();
        return out.get();
    }

    private RebuildForm form() {
        RebuildForm f = vm.rebuild().form();
        ui.drain();
        return f;
    }

    @Test
    void theBannerOffersTheRebuildWithThePreviewOfChainEntriesAndBytes() throws Exception {
        open(JournalPools.lostWithJournal(tmp, 3, 5));

        JournalAdmin.RebuildPreview p = vm.rebuild().previewProperty().get();
        assertThat(p).isNotNull();
        assertThat(p.lostDrives()).containsExactly("d1", "d2");
        assertThat(p.chain()).hasSize(2);
        assertThat(p.chain().get(0)).endsWith("-full");
        assertThat(p.chain().get(1)).endsWith("-journal");
        assertThat(p.entries()).isPositive();
        assertThat(p.entryBytes()).isEqualTo(5L * JournalPools.TRACK);
        assertThat(vm.rebuild().bannerProperty().get()).isEqualTo("Volume data is FAILED (" + p.reason() + "), beyond its"
                + " redundancy: its data is unavailable. Its journal holds the writes since image " + p.chain().get(1)
                + ", " + p.entries() + (p.entries() == 1 ? " entry" : " entries") + " (320 KiB): rebuilt from backup +"
                + " journal, data comes back as of its last acknowledged write.");

        RebuildForm f = form();
        assertThat(f.lostLine()).isEqualTo("d1, d2");
        assertThat(f.chainLines()).containsExactly(p.chain().get(0) + "  (full)", p.chain().get(1) + "  (incremental)");
        assertThat(f.storeLine()).isEqualTo("in " + made.store());
        assertThat(f.entriesLine(p.oldestEntryMillis() + 125_000)).isEqualTo(p.entries() + (p.entries() == 1 ? " entry"
                : " entries") + " (320 KiB) · the oldest 2 min 5 s old");
        assertThat(f.copyLine()).isEqualTo("16 MiB (256 tracks), the whole volume");
        assertThat(f.blockedProperty().get()).isEmpty();
    }

    @Test
    void sparesTakeEveryLostDrivesPlaceOrNone() throws Exception {
        open(JournalPools.lostWithJournal(tmp, 2, 2));
        RebuildForm f = form();
        assertThat(f.spares()).containsExactly(RebuildForm.IN_PLACE, "d8");
        assertThat(f.replacements()).hasSize(2);

        f.replacements().get(0).set("d8");
        assertThat(f.blockedProperty().get()).isEqualTo("choose a SPARE drive for every lost drive, or for none (blank"
                + " images in their places)");
        f.replacements().get(1).set("d8");
        assertThat(f.blockedProperty().get()).isEqualTo("drive d8 is chosen twice");
        f.replacements().get(0).set(RebuildForm.IN_PLACE);
        f.replacements().get(1).set(RebuildForm.IN_PLACE);
        assertThat(f.blockedProperty().get()).isEmpty();
    }

    /**
     * A rebuild of the volume started elsewhere (a shell's rebuild-from-backup) while the dialog is
     * open refuses this one with the engine's sentence; the dialog's own rules (the window and the
     * pairs, written out apart) left Rebuild enabled, and pressing it failed.
     */
    @Test
    void aRestoreOfTheVolumeUnderWayRefusesTheRebuildWithTheEnginesSentence() throws Exception {
        open(JournalPools.lostWithJournal(tmp, 3, 5));
        RebuildForm f = form();
        assertThat(f.blockedProperty().get()).isEmpty();

        call(pool -> pool.journals().rebuildFromBackup(JournalPools.VOLUME, List.of(), 50_000));
        refresh();
        assertThat(f.blockedProperty().get()).isEqualTo("volume " + JournalPools.VOLUME + " is being restored already (job "
                + org.splitpoint.engine.pool.RestoreAdmin.restoreJobId(JournalPools.VOLUME) + "); wait for it or cancel it first");
    }

    @Test
    void theRebuildEndsAsOfTheLastAcknowledgedWriteAndIsNamedAsARebuild() throws Exception {
        open(JournalPools.lostWithJournal(tmp, 3, 5));
        RebuildForm f = form();

        f.rebuild();
        ui.drain();

        assertThat(started.get()).isEqualTo(1);
        assertThat(vm.rebuild().rebuildingProperty().get()).isTrue();
        assertThat(vm.rebuild().journalLineProperty().get()).startsWith("plus ").endsWith(" (320 KiB) of the journal on"
                + " top, to its last acknowledged write");
        assertThat(TestPools.await(Duration.ofSeconds(60), this::refresh, () -> vm.volumeStateProperty().get()
                == VolumeState.OPTIMAL && !vm.restoringProperty().get())).isTrue();
        refresh();
        assertThat(vm.progressTextProperty().get()).isEqualTo("rebuild finished · 100%");
        assertThat(vm.rebuild().bannerProperty().get()).isEmpty();
        byte[] now = call(JournalPools::read);
        assertThat(JournalPools.sha256(now)).as("the volume as of its last acknowledged write")
                .isEqualTo(JournalPools.sha256(made.expect()));
        assertThat(status.messageProperty().get()).contains("Rebuild of data from image ").contains(" of journal started:"
                + " the volume is usable now");
    }

    @Test
    void aJournalThatLostBothDrivesCannotRebuildAndThePlainRestoreIsOfferedWithTheEnginesSentence() throws Exception {
        JournalPools.Made m = JournalPools.lostWithJournal(tmp, 2, 2);
        try (Pool pool = Pool.open(m.pool())) {
            pool.admin().failDrive("d6");
            pool.admin().failDrive("d7");
        }
        open(m);

        assertThat(vm.rebuild().previewProperty().get()).isNull();
        assertThat(vm.rebuild().bannerProperty().get()).isEmpty();
        // (no base named: a journal that lost both its drives protects nothing, on record)
        assertThat(vm.rebuild().refusedProperty().get()).isEqualTo("the journal of data lost both its drives: the writes"
                + " it held are gone; restore from a backup ('Restore from backup…', which loses them)");
        assertThat(vm.bannerProperty().get()).startsWith("Volume data is FAILED (")
                .contains("its data is unavailable. Its journal cannot rebuild it: the journal of data lost both its drives");
    }

    @Test
    void aFailedVolumeWithoutAJournalKeepsThePlainRestore() throws Exception {
        JournalPools.Made m = JournalPools.fresh(tmp);
        Path store = m.store();
        try (Pool pool = Pool.open(m.pool())) {
            assertThat(pool.backups().backup(JournalPools.VOLUME, store, true, 0).await(30_000)).isTrue();
        }
        Files.delete(m.pool().resolve("drives/d1.img"));
        Files.delete(m.pool().resolve("drives/d2.img"));
        open(m);

        assertThat(vm.volumeStateProperty().get()).isEqualTo(VolumeState.FAILED);
        assertThat(vm.rebuild().previewProperty().get()).isNull();
        assertThat(vm.rebuild().refusedProperty().get()).isEmpty();
        assertThat(vm.rebuild().bannerProperty().get()).isEmpty();
        assertThat(vm.bannerProperty().get()).startsWith("Volume data is FAILED (d1 MISSING, d2 MISSING): its data is"
                + " unavailable. ");
    }

    /** A pair of the volume split while the dialog is open no longer blocks the rebuild (the refusal stayed, stale). */
    @Test
    void theDialogFollowsThePairsWhileOpen() throws Exception {
        open(JournalPools.lostWithJournal(tmp, 2, 2));
        vm.apply(List.of(pair(org.splitpoint.engine.pair.PairState.Synchronized)));
        RebuildForm f = form();
        assertThat(f.blockedProperty().get()).isEqualTo("volume data is in pair p, which is Synchronized; split the pair"
                + " before restoring the volume from a backup");

        vm.apply(List.of(pair(org.splitpoint.engine.pair.PairState.Split)));
        assertThat(f.blockedProperty().get()).as("split meanwhile").isEmpty();
    }

    /**
     * A drive of the volume in a service window (d3 here: the FAILED volume's window drive after a
     * second failure) disables Rebuild with the engine's sentence while the dialog is open, and the
     * window's end enables it again. The window is put into the snapshot the model is given.
     */
    @Test
    void theDialogSaysADriveIsInAServiceWindowAndFollowsItsEnd() throws Exception {
        open(JournalPools.lostWithJournal(tmp, 2, 2));
        RebuildForm f = form();
        assertThat(f.blockedProperty().get()).isEmpty();
        org.splitpoint.engine.pool.PoolSnapshot live = call(pool -> pool.snapshot());

        vm.apply(inWindow(live, "d3"));
        assertThat(f.blockedProperty().get())
                .isEqualTo("volume data has a drive in a service window; bring it online first");

        vm.apply(live);
        assertThat(f.blockedProperty().get()).as("the window ended meanwhile").isEmpty();
    }

    /** {@code s} with {@code drive} OFFLINE in a service window of its volume. */
    static org.splitpoint.engine.pool.PoolSnapshot inWindow(org.splitpoint.engine.pool.PoolSnapshot s, String drive) {
        List<org.splitpoint.engine.pool.PoolSnapshot.DriveView> drives = s.drives().stream().map(d -> !d.name().equals(drive)
                ? d : new org.splitpoint.engine.pool.PoolSnapshot.DriveView(d.name(),
                org.splitpoint.engine.pool.DriveState.OFFLINE, org.splitpoint.engine.pool.OfflineReason.DIAGNOSTICS,
                d.size(), d.volume(), -1, null, new org.splitpoint.engine.pool.PoolSnapshot.ServiceView(d.volume(),
                org.splitpoint.engine.pool.OfflineReason.DIAGNOSTICS, org.splitpoint.engine.pool.LogMode.POINTERS,
                "2026-12-05T08:00:00Z", "window", 0, 0, null), null)).toList();
        return new org.splitpoint.engine.pool.PoolSnapshot(s.path(), s.trackSize(), drives, s.volumes(), s.jobs(),
                s.problems(), s.snapshots(), s.saveArea(), s.snapshotRestores());
    }

    static org.splitpoint.engine.pool.PairAdmin.PairView pair(org.splitpoint.engine.pair.PairState state) {
        return new org.splitpoint.engine.pool.PairAdmin.PairView("p", JournalPools.VOLUME, "copy", state, 0, 0, 256,
                64 * 1024, false, null, 0, null, null, null);
    }
}
