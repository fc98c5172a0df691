package org.splitpoint.app.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.EngineCall;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.nav.NavViewModel;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.SnapshotPools;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.volumes.VolumesViewModel;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * The snapshot card's model against a real pool, no toolkit: the save area designated from the
 * card, snapshots taken (the name proposed and judged as typed), the timeline with ages and bytes
 * held, the restore's plan and its safety snapshot, the restore's progress until the volume is as
 * the snapshot was, cancel, delete, and a snapshot made invalid by a full save area.
 */
class SnapshotCardViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private final AtomicReference<Instant> clock = new AtomicReference<>();
    private PoolBridge bridge;
    private SnapshotCardViewModel vm;
    private NavViewModel nav;
    private VolumesViewModel volumes;

    private void open(Path dir) throws Exception {
        bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        vm = new SnapshotCardViewModel(bridge, status, new Expectations(), SnapshotPools.VOLUME,
                () -> clock.get() == null ? Instant.now() : clock.get(), ZoneOffset.UTC);
        nav = new NavViewModel("pool");
        volumes = new VolumesViewModel();
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::apply);
        bridge.onSnapshot(nav::apply);
        bridge.onSnapshot(volumes::apply);
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

    /** Takes snapshot {@code name} through the card's form. */
    private void take(String name) {
        TakeSnapshotForm f = vm.takeForm();
        f.nameProperty().set(name);
        AtomicBoolean done = new AtomicBoolean();
        f.take(() -> done.set(true));
        ui.drain();
        assertThat(f.refusedProperty().get()).isEmpty();
        assertThat(done).isTrue();
    }

    /** Take is disabled with {@code sentence}, and the engine, asked for snapshot {@code name}, refuses it in those words. */
    private void takeIsRefusedBeforeAndByTheEngine(String sentence, String name) {
        assertThat(vm.takeBlockedProperty().get()).isEqualTo(sentence);
        AtomicReference<String> refused = new AtomicReference<>();
        bridge.run(pool -> pool.snapshots().create(SnapshotPools.VOLUME, name), x -> { }, refused::set);
        ui.drain();
        assertThat(refused.get()).as("the engine's own refusal, the same sentence").contains(sentence);
    }

    /** The restore form of the selected snapshot with its plan read. */
    private RestoreToSnapshotForm plan() {
        RestoreToSnapshotForm f = vm.restoreForm();
        AtomicBoolean ready = new AtomicBoolean();
        f.load(() -> ready.set(true), why -> {
            throw new AssertionError(why);
        });
        ui.drain();
        assertThat(ready).isTrue();
        return f;
    }

    private byte[] volumeBytes() {
        return call(pool -> SnapshotPools.read(pool.device(SnapshotPools.VOLUME)));
    }

    private boolean await(java.util.function.BooleanSupplier c) throws InterruptedException {
        return TestPools.await(Duration.ofSeconds(30), () -> {
            refresh();
            vm.restore().sampleNow();
            ui.drain();
        }, c);
    }

    @Test
    void withNoSaveAreaTheCardSaysSoInOneSentenceAndGivesAVolumeOverWhenConfirmed() throws Exception {
        open(SnapshotPools.fresh(tmp));

        assertThat(vm.modeProperty().get()).isEqualTo(SnapshotCardViewModel.Mode.NO_SAVE_AREA);
        assertThat(vm.headlineProperty().get()).isEqualTo("This pool has no save area yet, so no snapshot can be taken:"
                + " snapshots keep the tracks written after them in a volume given over to that.");
        assertThat(vm.takeBlockedProperty().get()).startsWith("the pool has no save area");
        assertThat(vm.saveAreaBlockedProperty().get()).isEmpty();
        assertThat(vm.gaugeProperty().get().fraction()).isEqualTo(-1);

        SaveAreaForm f = vm.saveAreaForm();
        assertThat(f.candidates()).extracting(SnapshotRules.Candidate::volume).containsExactly("prod", "save");
        assertThat(f.chosenProperty().get().volume()).as("not the volume whose page asks").isEqualTo("save");
        assertThat(f.chosenProperty().get().text()).isEqualTo("save · raid1 over d4, d5 · 8 MiB (128 tracks)");
        Confirmation c = f.confirmation();
        assertThat(c.target()).isEqualTo("save");
        assertThat(c.action()).isEqualTo("Use save as save area");
        assertThat(c.sentences().get(0)).isEqualTo("Everything save holds now (8 MiB) is given over to the tracks snapshots"
                + " keep: its data is lost, and hosts can no longer read or write it.");
        f.designate();
        ui.drain();

        assertThat(status.messageProperty().get()).endsWith("Volume save is the save area: 128 tracks (8 MiB) for snapshots"
                + " to keep");
        assertThat(vm.modeProperty().get()).isEqualTo(SnapshotCardViewModel.Mode.SNAPSHOTS);
        assertThat(vm.headlineProperty().get()).startsWith("No snapshots of prod yet.");
        assertThat(vm.saveAreaNameProperty().get()).isEqualTo("save");
        assertThat(vm.saveAreaHintProperty().get()).startsWith("save: raid1 over d4, d5, 8 MiB. Tracks saved for snapshots in"
                + " save. Marked at 80% and 95%");
        assertThat(vm.gaugeProperty().get().text()).isEqualTo("0 B of 8 MiB used · 0%");
        assertThat(vm.gaugeProperty().get().marks()).containsExactly(0.80, 0.95);
        assertThat(vm.takeBlockedProperty().get()).isEmpty();
        assertThat(vm.saveAreaBlockedProperty().get()).isEqualTo("the pool's save area is save already");
        assertThat(volumes.row("save").snapshotsProperty().get()).isEqualTo("save area");
        assertThat(volumes.saveAreaNameProperty().get()).isEqualTo("Save area save");
    }

    @Test
    void aPoolWhoseVolumesAreAllPairedOffersNoSaveAreaAndSaysHowToMakeOne() throws Exception {
        open(TestPools.demo(tmp));
        assertThat(vm.saveAreaBlockedProperty().get()).startsWith("no volume can be the save area: each is in a pair,"
                + " has snapshots, a journal or a restore under way, or is FAILED; make one of its own, e.g."
                + " ./splitpoint volume create ");
        assertThat(vm.saveAreaForm().candidates()).isEmpty();
    }

    @Test
    void snapshotsTakenFromTheCardFillTheTimelineWithAgesAndBytesHeld() throws Exception {
        open(SnapshotPools.withSaveArea(tmp));
        clock.set(Instant.parse("2026-12-02T08:12:00Z"));

        TakeSnapshotForm f = vm.takeForm();
        assertThat(f.nameProperty().get()).as("proposed from the time").isEqualTo("snap-20261202-0812");
        assertThat(f.blockedProperty().get()).isEmpty();
        f.nameProperty().set("1st");
        assertThat(f.blockedProperty().get()).isEqualTo("'1st' is not a valid snapshot name (a letter, then up to 62"
                + " letters, digits, '_', '.' or '-')");
        f.nameProperty().set("base");
        assertThat(f.blockedProperty().get()).isEmpty();
        AtomicBoolean done = new AtomicBoolean();
        f.take(() -> done.set(true));
        ui.drain();
        assertThat(done).isTrue();

        SnapshotAdmin.Info base = vm.selectedInfo();
        assertThat(vm.selectedProperty().get()).as("the new snapshot is selected").isEqualTo("base");
        clock.set(Instant.parse(base.createdAt()).plusSeconds(2));
        vm.tick();
        assertThat(vm.axisProperty().get().points()).extracting(SnapshotTimeline.Point::name).containsExactly("base");
        assertThat(vm.selectedLineProperty().get()).isEqualTo("base · taken " + Format.when(base.createdAt())
                + " (just now) · holds nothing yet");
        assertThat(vm.summaryProperty().get()).isEqualTo("1 snapshot");
        assertThat(nav.treeProperty().get().groups().get(1).below().get(NavItem.volume("prod")))
                .extracting(NavItem::key).containsExactly(NavItem.snapshot("prod", "base"));

        clock.set(Instant.parse(base.createdAt()).plusSeconds(192));
        call(pool -> {
            SnapshotPools.write(pool, 40, 4, 1);
            return null;
        });
        SnapshotTimeline.Point p = vm.axisProperty().get().point("base");
        assertThat(p.age()).isEqualTo("3 min ago");
        assertThat(p.held()).isEqualTo("holds 256 KiB");
        assertThat(vm.selectedLineProperty().get()).endsWith("(3 min ago) · holds 256 KiB: the 4 tracks written since");
        assertThat(vm.gaugeProperty().get().text()).isEqualTo("256 KiB of 8 MiB used · 3%");

        TakeSnapshotForm again = vm.takeForm();
        assertThat(again.nameProperty().get()).isEqualTo("snap-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmm")
                .withZone(ZoneOffset.UTC).format(clock.get()));
        again.nameProperty().set("base");
        assertThat(again.blockedProperty().get()).isEqualTo("volume prod has a snapshot named base already ("
                + Format.when(base.createdAt()) + "); pick another name or delete that one first");

        // taken meanwhile behind the form's back: the engine refuses, and the dialog keeps its sentence
        TakeSnapshotForm late = vm.takeForm();
        late.nameProperty().set("later");
        call(pool -> pool.snapshots().create("prod", "later"));
        AtomicBoolean closed = new AtomicBoolean();
        late.take(() -> closed.set(true));
        ui.drain();
        assertThat(closed).isFalse();
        assertThat(late.refusedProperty().get()).startsWith("volume prod has a snapshot named later already (")
                .endsWith("); pick another name or delete that one first");
        refresh();
        assertThat(vm.summaryProperty().get()).isEqualTo("2 snapshots");
        assertThat(volumes.row("prod").snapshotsProperty().get()).isEqualTo("2");
    }

    /**
     * A drive of the volume in a service window disables the card's Restore with the engine's
     * sentence (the button and the dialog used to allow it, and the engine then refused), and the
     * open dialog follows the window: taken offline meanwhile, Restore is disabled; back, enabled.
     */
    @Test
    void aDriveInAServiceWindowDisablesTheRestoreAndTheOpenDialogFollowsIt() throws Exception {
        try (var steps = org.splitpoint.app.testing.ServiceStepScale.set("0")) {
            open(SnapshotPools.withSaveArea(tmp));
            take("base");
            call(pool -> { // something to restore: else no dialog opens
                SnapshotPools.write(pool, 0, 1, 2);
                return null;
            });
            String sentence = "volume prod has a drive in a service window; bring it online first";
            call(pool -> done(pool.service().offline("d2", org.splitpoint.engine.pool.OfflineReason.DIAGNOSTICS,
                    org.splitpoint.engine.pool.LogMode.POINTERS)));
            refresh();
            assertThat(vm.restoreBlockedProperty().get()).isEqualTo(sentence);
            assertThat(this.<String>call(pool -> {
                try {
                    pool.snapshots().restore("prod", "base", false, 0);
                    return "started";
                } catch (org.splitpoint.engine.pool.PoolException e) {
                    return e.getMessage();
                }
            })).as("what the engine answers").isEqualTo(sentence);

            call(pool -> done(pool.service().online("d2")));
            refresh();
            assertThat(vm.restoreBlockedProperty().get()).isEmpty();
            RestoreToSnapshotForm f = plan();
            assertThat(f.blockedProperty().get()).isEmpty();
            call(pool -> done(pool.service().offline("d2", org.splitpoint.engine.pool.OfflineReason.DIAGNOSTICS,
                    org.splitpoint.engine.pool.LogMode.POINTERS)));
            refresh();
            assertThat(f.blockedProperty().get()).as("taken offline while the dialog is open").isEqualTo(sentence);
            call(pool -> done(pool.service().online("d2")));
            refresh();
            assertThat(f.blockedProperty().get()).as("back online meanwhile").isEmpty();
        }
    }

    private static Void done(org.splitpoint.engine.job.Job j) throws InterruptedException {
        assertThat(j.await(60_000)).isTrue();
        assertThat(j.state()).isEqualTo(org.splitpoint.engine.job.JobState.DONE);
        return null;
    }

    @Test
    void theRestorePlanSaysWhatChangesAndTheSafetySnapshotWhatItKeeps() throws Exception {
        open(SnapshotPools.withSaveArea(tmp));
        take("base");
        call(pool -> {
            SnapshotPools.write(pool, 20, 10, 2);
            return null;
        });
        refresh();
        assertThat(vm.restoreBlockedProperty().get()).isEmpty();

        RestoreToSnapshotForm f = plan();
        SnapshotAdmin.RestorePlan plan = f.planProperty().get();
        assertThat(plan.tracks()).isEqualTo(10);
        assertThat(plan.volumeTracks()).isEqualTo(SnapshotPools.TRACKS);
        assertThat(f.sentences().get(0)).isEqualTo("Restoring prod to base (taken " + Format.when(vm.selectedInfo()
                .createdAt()) + ", just now) changes 10 tracks (640 KiB) of its 256: those written since the snapshot.");
        assertThat(f.sentences().get(1)).startsWith("prod stays usable throughout");
        assertThat(f.safetyProperty().get()).as("ticked by default").isTrue();
        assertThat(f.safetyNoteProperty().get()).isEqualTo("First a safety snapshot (before-restore-…) keeps prod as it"
                + " is now: restore it to undo this restore. As the restore copies back, it keeps those 10 tracks"
                + " (640 KiB) in the save area.");
        f.safetyProperty().set(false);
        assertThat(f.safetyNoteProperty().get()).isEqualTo("Without a safety snapshot, what prod holds now in those 10"
                + " tracks (640 KiB) is lost.");
        f.safetyProperty().set(true);
        Confirmation c = f.confirmation();
        assertThat(c.target()).isEqualTo("prod");
        assertThat(c.action()).isEqualTo("Restore prod");
        assertThat(c.header()).isEqualTo("Restore prod to base?");

        // more to copy back than the save area has room for: the safety snapshot would become invalid
        call(pool -> {
            SnapshotPools.write(pool, 0, SnapshotPools.SAVE_TRACKS - 20, 3);
            return null;
        });
        refresh();
        RestoreToSnapshotForm big = plan();
        assertThat(big.planProperty().get().tracks()).isEqualTo(SnapshotPools.SAVE_TRACKS - 20); // 20..29 among them
        assertThat(big.safetyNoteProperty().get()).endsWith(" The save area save has room for only 20 tracks more: once"
                + " it is full, the safety snapshot and the others that need a track saved become invalid.");
        big.safetyProperty().set(false);
        assertThat(big.safetyNoteProperty().get()).doesNotContain("room for only");

        // deleted behind the form's back: the plan is the engine's refusal, shown on the card too
        RestoreToSnapshotForm gone = vm.restoreForm();
        call(pool -> pool.snapshots().delete("prod", "base"));
        AtomicReference<String> refused = new AtomicReference<>();
        gone.load(() -> { }, refused::set);
        ui.drain();
        assertThat(refused.get()).isEqualTo("volume prod has no snapshot named 'base' (snapshots: none)");
        assertThat(vm.refusedProperty().get()).isEqualTo(refused.get());
    }

    /**
     * Restore to a snapshot the volume has not changed since asked for the volume's name typed and
     * took a safety snapshot (the same image again, in the timeline) to copy nothing back (seen by
     * hand): Restore… is disabled, saying why, until something is written; and a plan that copies
     * nothing (written and read a moment apart) says there is nothing to restore, and no dialog opens.
     */
    @Test
    void restoringToASnapshotNothingChangedSinceSaysSoAndAsksNothing() throws Exception {
        open(SnapshotPools.withSaveArea(tmp));
        take("s1");
        assertThat(vm.restoreBlockedProperty().get()).isEqualTo("nothing was written to prod since snapshot s1 was"
                + " taken: prod already holds its image");
        RestoreToSnapshotForm f = vm.restoreForm();
        AtomicBoolean asked = new AtomicBoolean();
        AtomicReference<String> refused = new AtomicReference<>();
        f.load(() -> asked.set(true), refused::set);
        ui.drain();
        assertThat(asked).as("no dialog").isFalse();
        assertThat(refused.get()).as("not a refusal").isNull();
        assertThat(vm.refusedProperty().get()).isEmpty();
        assertThat(status.messageProperty().get()).endsWith("Nothing changed in prod since s1: nothing to restore");
        refresh();
        assertThat(call(pool -> pool.snapshots().list("prod")).stream().map(SnapshotAdmin.Info::name).toList())
                .as("no safety snapshot").containsExactly("s1");

        call(pool -> {
            SnapshotPools.write(pool, 3, 1, 7);
            return null;
        });
        refresh();
        assertThat(vm.restoreBlockedProperty().get()).as("a track written since s1").isEmpty();
    }

    @Test
    void aRestoreShowsItsMapAndProgressAndEndsWithTheVolumeAsTheSnapshotWas() throws Exception {
        open(SnapshotPools.withSaveArea(tmp));
        take("base");
        byte[] image = volumeBytes();
        call(pool -> {
            SnapshotPools.write(pool, 100, 32, 3);
            return null;
        });
        refresh();
        assertThat(volumeBytes()).isNotEqualTo(image);

        RestoreToSnapshotForm f = plan();
        f.throttleProperty().set(1_000_000);
        f.restore();
        ui.drain();
        refresh();

        SnapshotRestoreViewModel r = vm.restore();
        assertThat(r.visibleProperty().get()).isTrue();
        assertThat(r.runningProperty().get()).isTrue();
        assertThat(r.titleProperty().get()).isEqualTo("Restoring prod to snapshot base");
        assertThat(r.safetyLineProperty().get()).matches("Safety snapshot before-restore-\\d{8}-\\d{6} keeps what prod held"
                + " before: restore it to undo this restore\\.");
        // "starting…" until the first sample of the job is in (taken in the background: on a busy
        // machine after the drain above, as a clean-clone CI run found once)
        assertThat(await(() -> !r.progressTextProperty().get().equals("starting…"))).isTrue();
        assertThat(r.progressTextProperty().get()).matches("\\d+\\.\\d% · [\\d.]+ MB/s · ETA (\\d+:\\d\\d|--:--) · \\d+/32"
                + " tracks");
        assertThat(r.bulk().throttleProperty().get()).as("the limit chosen in the dialog").isEqualTo(1_000_000);
        assertThat(vm.restoreBlockedProperty().get()).isEqualTo("volume prod is being restored to a snapshot already"
                + " (job snapshot-restore-prod); wait for it or cancel it first");
        assertThat(vm.takeBlockedProperty().get()).isEqualTo("volume prod is being restored; take the snapshot once the"
                + " restore finished");
        assertThat(vm.deleteBlockedProperty().get()).isEqualTo("snapshot prod@base is the source of the restore under way"
                + " (job snapshot-restore-prod); wait for it or cancel it first");
        assertThat(vm.axisProperty().get().point("base").restoring()).isTrue();
        assertThat(vm.axisProperty().get().points()).anyMatch(p -> p.safety() && p.valid());

        r.sampleNow();
        ui.drain();
        assertThat(r.sampleProperty().get().totalTracks()).isEqualTo(SnapshotPools.TRACKS);
        assertThat(r.sampleProperty().get().currentTracks()).isBetween(224L, 255L);
        assertThat(r.mapInfoProperty().get()).matches("256 tracks × 64 KiB · \\d+ current");
        byte[] read = call(pool -> { // a host reads the last track, not copied back yet: served from the snapshot
            ByteBuffer b = ByteBuffer.allocate(SnapshotPools.TRACK);
            pool.device("prod").read(131L * SnapshotPools.TRACK, b);
            return b.array();
        });
        assertThat(read).isEqualTo(java.util.Arrays.copyOfRange(image, 131 * SnapshotPools.TRACK, 132 * SnapshotPools.TRACK));
        r.sampleNow();
        ui.drain();
        assertThat(r.onDemandProperty().get()).matches("1 track read on demand · \\d+/s");
        assertThat(r.sampleProperty().get().cells().counts(131, 132).fetched()).isEqualTo(1);

        r.bulk().throttleProperty().set(0);
        ui.drain();
        assertThat(await(() -> r.endedProperty().get())).isTrue();

        assertThat(r.runningProperty().get()).isFalse();
        assertThat(r.progressTextProperty().get()).isEqualTo("restore finished · 100% · 32 tracks copied back");
        assertThat(r.progressProperty().get()).isEqualTo(1.0);
        assertThat(r.titleProperty().get()).isEqualTo("Restored prod to snapshot base");
        assertThat(r.visibleProperty().get()).as("shown until dismissed").isTrue();
        assertThat(volumeBytes()).isEqualTo(image);
        byte[] snapshotImage = call(pool -> SnapshotPools.read(pool.snapshots().reader("prod", "base")));
        assertThat(snapshotImage).isEqualTo(image);
        assertThat(await(() -> r.sampleProperty().get() != null && r.sampleProperty().get().ended())).isTrue();
        assertThat(r.mapInfoProperty().get()).isEqualTo("256 tracks × 64 KiB · 256 current");
        assertThat(vm.restoreBlockedProperty().get()).isEmpty();
        String safety = vm.axisProperty().get().points().stream().filter(SnapshotTimeline.Point::safety).findFirst()
                .orElseThrow().name();
        call(pool -> pool.snapshots().delete("prod", safety));
        assertThat(r.safetyLineProperty().get()).isEqualTo("Safety snapshot " + safety + " was deleted: this restore can no"
                + " longer be undone.");
        r.dismiss();
        assertThat(r.visibleProperty().get()).isFalse();
    }

    @Test
    void cancellingARestoreLeavesItPartlyDoneAndSaysWhatIsNotRestored() throws Exception {
        open(SnapshotPools.withSaveArea(tmp));
        take("base");
        call(pool -> {
            SnapshotPools.write(pool, 0, 64, 4);
            return null;
        });
        refresh();
        RestoreToSnapshotForm f = plan();
        f.throttleProperty().set(1_000_000);
        f.restore();
        ui.drain();
        refresh();
        SnapshotRestoreViewModel r = vm.restore();
        r.sampleNow();
        ui.drain();
        assertThat(r.cancelSentences().get(0)).matches("The copy stops and the restore ends: prod stays partly restored,"
                + " with \\d+ tracks \\(.+\\) not restored\\.");

        r.cancel();
        ui.drain();
        refresh();

        assertThat(r.runningProperty().get()).isFalse();
        assertThat(r.endedProperty().get()).isTrue();
        assertThat(r.progressTextProperty().get()).matches("restore cancelled with [\\d,]+ tracks not restored: they hold"
                + " what prod held before; restore again to finish");
        assertThat(status.messageProperty().get()).endsWith("The restore of prod is CANCELLED; the volume stays partly"
                + " restored");
        assertThat(vm.restoreBlockedProperty().get()).isEmpty();
    }

    @Test
    void deletingAsksForTheSnapshotsNameAndClearsTheSelection() throws Exception {
        open(SnapshotPools.withSaveArea(tmp));
        take("old");
        assertThat(vm.deleteBlockedProperty().get()).isEmpty();
        Confirmation c = vm.deleteConfirmation();
        assertThat(c.target()).isEqualTo("old");
        assertThat(c.action()).isEqualTo("Delete snapshot");
        assertThat(c.sentences()).last().isEqualTo("prod itself is not changed.");

        vm.delete();
        ui.drain();

        assertThat(vm.axisProperty().get().points()).isEmpty();
        assertThat(vm.selectedProperty().get()).isNull();
        assertThat(vm.deleteBlockedProperty().get()).isEqualTo("select a snapshot on the timeline first");
        assertThat(status.messageProperty().get()).endsWith("Snapshot prod@old deleted; 0 B it held went back to the save"
                + " area");
    }

    @Test
    void aSnapshotMadeInvalidByAFullSaveAreaSaysWhyAndCannotBeRestored() throws Exception {
        open(SnapshotPools.withSaveArea(tmp));
        take("doomed");
        call(pool -> { // more tracks than the save area holds
            SnapshotPools.write(pool, 0, SnapshotPools.SAVE_TRACKS + 8, 5);
            return null;
        });
        refresh();

        SnapshotTimeline.Point p = vm.axisProperty().get().point("doomed");
        assertThat(p.valid()).isFalse();
        assertThat(p.why()).isNotBlank();
        assertThat(vm.selectedInvalidProperty().get()).isTrue();
        assertThat(vm.selectedLineProperty().get()).isEqualTo("doomed is INVALID: " + p.why() + ". It can no longer show"
                + " its image; delete it (prod is intact).");
        assertThat(vm.restoreBlockedProperty().get()).isEqualTo("snapshot prod@doomed is invalid (" + p.why() + "); it"
                + " cannot be restored");
        assertThat(vm.deleteBlockedProperty().get()).isEmpty();
        assertThat(vm.summaryProperty().get()).isEqualTo("1 snapshot · 1 invalid");
        assertThat(nav.treeProperty().get().groups().get(1).below().get(NavItem.volume("prod")))
                .singleElement().satisfies(n -> assertThat(n.look().word()).isEqualTo("INVALID"));
        assertThat(volumes.row("prod").snapshotsProperty().get()).isEqualTo("1 (1 invalid)");
    }

    @Test
    void theSaveAreaVolumesOwnCardSaysWhatItIs() throws Exception {
        open(SnapshotPools.withSaveArea(tmp));
        SnapshotCardViewModel save = new SnapshotCardViewModel(bridge, status, new Expectations(), "save");
        org.splitpoint.engine.pool.PoolSnapshot now = call(pool -> pool.snapshot());
        save.apply(now);
        assertThat(save.modeProperty().get()).isEqualTo(SnapshotCardViewModel.Mode.SAVE_AREA);
        assertThat(save.headlineProperty().get()).isEqualTo("save is the pool's save area: it keeps the tracks that the"
                + " snapshots of the other volumes hold, so it has no snapshots of its own and hosts cannot use it.");
        assertThat(save.takeBlockedProperty().get()).isEqualTo("volume save is the save area; its snapshots would save into"
                + " themselves");
        assertThat(List.of(save.gaugeProperty().get().marks())).isNotEmpty();
    }

    /**
     * A backup of the volume running refuses a restore to a snapshot (the engine's rule, which the
     * card's Restore… did not ask: enabled, pressing it failed with this sentence).
     */
    @Test
    void aRunningBackupOfTheVolumeRefusesRestoreWithTheEnginesSentence() throws Exception {
        open(SnapshotPools.withSaveArea(tmp));
        take("before");
        Path store = tmp.resolve("store");
        org.splitpoint.engine.job.Job backup = call(pool -> pool.backups().backup(SnapshotPools.VOLUME, store, true, 50_000));
        refresh();
        vm.selectedProperty().set("before");
        ui.drain();
        assertThat(vm.restoreBlockedProperty().get()).isEqualTo("a backup of prod is running (job " + backup.id()
                + "); cancel it or wait before restoring the volume");
        backup.cancel();
        backup.await(30_000);
    }

    /**
     * While a pair restores the volume from its BCV, hosts read its tracks not yet restored from the BCV,
     * so the engine refuses a snapshot (it would be torn); the card says so before the click, in the
     * engine's sentence, rather than offering Take and showing the refusal after.
     */
    @Test
    void aVolumeBeingRestoredFromItsBcvCannotBeSnapshottedAndTheCardSaysSoFirst() throws Exception {
        Path dir = SnapshotPools.withSaveArea(tmp);
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(dir)) {
            List<String> d = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0), pool.admin().addDrive(0));
            pool.admin().createVolume("copy", org.splitpoint.engine.pool.Layout.RAID5, d, 0);
            pool.pairs().create("p", SnapshotPools.VOLUME, "copy");
            assertThat(pool.pairs().establish("p", true).await(60_000)).isTrue();
            pool.pairs().split(List.of("p"));
        }
        open(dir);
        assertThat(vm.takeBlockedProperty().get()).isEmpty();
        org.splitpoint.engine.job.Job restore = call(pool -> pool.pairs().restore("p", true, false, 256 << 10));
        refresh();
        String sentence = "volume prod is being restored from its BCV in pair p, which is restoring (RestInProg); take the"
                + " snapshot once the restore finished";
        takeIsRefusedBeforeAndByTheEngine(sentence, "torn");
        restore.cancel();
        restore.await(30_000);
    }

    /**
     * A FAILED save area keeps no track, so the engine refuses a snapshot; the card's Take was enabled
     * and said the refusal only after the click. Now Take is disabled beforehand with the engine's
     * sentence.
     */
    @Test
    void aFailedSaveAreaDisablesTakeWithTheEnginesSentence() throws Exception {
        Path dir = SnapshotPools.withSaveArea(tmp);
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(dir)) {
            pool.admin().failDrive("d4");
        }
        java.nio.file.Files.delete(dir.resolve("drives/d5.img")); // the save area's second mirror lost
        open(dir);
        String sentence = "the save area save is FAILED (d4 FAILED, d5 MISSING): a snapshot taken now could keep no"
                + " track; replace its drives first";
        takeIsRefusedBeforeAndByTheEngine(sentence, "s");
    }

    /**
     * A save area whose drive failed a flush for want of space refuses every save until the pool is
     * opened again, so the engine refuses a snapshot; the card's Take stayed enabled and only the
     * engine's sentence showed after the click. Now Take is disabled beforehand with that sentence.
     */
    @Test
    void aSaveAreaThatRefusesSavesDisablesTakeWithTheEnginesSentence() throws Exception {
        Path dir = SnapshotPools.withSaveArea(tmp);
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(dir)) {
            pool.snapshots().create(SnapshotPools.VOLUME, "before");
        }
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(
                org.splitpoint.engine.io.StorageFactory.real());
        org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(dir, inj);
        bridge = new PoolBridge(pool, new CurrentThreadTaskExecutor(), ui);
        vm = new SnapshotCardViewModel(bridge, status, new Expectations(), SnapshotPools.VOLUME, Instant::now,
                ZoneOffset.UTC);
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::apply);
        refresh();
        assertThat(vm.takeBlockedProperty().get()).isEmpty();

        inj.failForcesNoSpace(f -> f.getFileName().toString().equals("d5.img"), 1);
        SnapshotPools.write(pool, 0, 1, 1); // its first write saves a track; that save's commit fails
        refresh();

        String sentence = SnapshotAdmin.saveAreaRefusesSaves(SnapshotPools.SAVE, pool.snapshots().saveArea().refusesSaves());
        assertThat(sentence).contains("drive d5: a flush failed");
        takeIsRefusedBeforeAndByTheEngine(sentence, "after");
    }
}
