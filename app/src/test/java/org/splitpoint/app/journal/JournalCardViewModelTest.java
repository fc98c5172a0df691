package org.splitpoint.app.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.JournalAdmin;

/** The journal card's model against a real pool and store, no toolkit: enable, entries and gauges, ship, legs failing. */
class JournalCardViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private final KnownStores stores = new KnownStores(KnownStores.Memory.inMemory(List.of()));
    private JournalPools.Made made;
    private PoolBridge bridge;
    private JournalCardViewModel vm;

    @BeforeEach
    void open() throws Exception {
        made = JournalPools.fresh(tmp);
        bridge = PoolBridge.open(made.pool(), new CurrentThreadTaskExecutor(), ui);
        vm = new JournalCardViewModel(bridge, status, stores, JournalPools.VOLUME);
        bridge.onSnapshot(vm::apply);
        bridge.onJournals(vm::apply);
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

    private <T> T call(EngineCall<T> c) {
        AtomicReference<T> out = new AtomicReference<>();
        bridge.run(c, out::set, why -> {
            throw new AssertionError(why);
        });
        ui.drain();
        return out.get();
    }

    private JournalAdmin.Status engineStatus() {
        return call(pool -> pool.journals().status(JournalPools.VOLUME));
    }

    private void awaitState(JournalState want) throws InterruptedException {
        assertThat(TestPools.await(Duration.ofSeconds(30), this::refresh, () -> vm.stateProperty().get() == want))
                .as("the card says %s (it says %s: %s)", want, vm.stateProperty().get(), vm.headlineProperty().get())
                .isTrue();
    }

    /** Enables the journal through the dialog's model on d6 and d7 (the first two spares) with these limits. */
    private void enable(String maxSize, String maxAge) throws Exception {
        EnableJournalForm f = vm.enableForm();
        f.storeProperty().set(made.store().toString());
        f.maxSizeProperty().set(maxSize);
        f.maxAgeProperty().set(maxAge);
        ui.drain();
        assertThat(f.blockedProperty().get()).isEmpty();
        AtomicInteger done = new AtomicInteger();
        f.enable(done::incrementAndGet);
        ui.drain();
        assertThat(f.refusedProperty().get()).isEmpty();
        assertThat(done.get()).as("the dialog closes once the engine took it").isEqualTo(1);
        awaitState(JournalState.PROTECTING);
        // the base is on record a moment before its backup's job says DONE
        assertThat(TestPools.await(Duration.ofSeconds(30), this::refresh, () -> call(pool -> pool.jobs().stream()
                .allMatch(j -> j.state().isFinished())))).isTrue();
    }

    private void write(int track, int tracks) throws Exception {
        call(pool -> {
            JournalPools.write(pool, made, track, tracks, 3);
            return null;
        });
        refresh();
    }

    @Test
    void aVolumeWithoutAJournalOffersToEnableOneOnTwoSpares() {
        assertThat(vm.stateProperty().get()).isEqualTo(JournalState.OFF);
        assertThat(vm.headlineProperty().get()).startsWith("Writes are protected by raid5 alone.");
        assertThat(vm.enableBlockedProperty().get()).isEmpty();
        assertThat(vm.shipBlockedProperty().get()).isEqualTo("volume data has no journal; enable one with 'Enable journal…' on the volume's page");

        EnableJournalForm f = vm.enableForm();
        ui.drain();
        assertThat(f.spares()).extracting(EnableJournalForm.Spare::drive).containsExactly("d6", "d7", "d8");
        assertThat(f.chosen()).containsExactly("d6", "d7");
        assertThat(f.sizeNoteProperty().get()).isEqualTo("empty: half a journal drive, 4 MiB · at most 7.2 MiB");
        assertThat(f.blockedProperty().get()).isEqualTo("choose the backup store the journal ships into");
        f.storeProperty().set(made.store().toString());
        ui.drain();
        assertThat(f.storeProblemProperty().get()).isEmpty();
        assertThat(f.storeNoteProperty().get()).isEqualTo("An empty directory: it becomes a store, and a full backup of"
                + " data gives the journal its base.");
        assertThat(f.blockedProperty().get()).isEmpty();
    }

    @Test
    void enablingThroughTheFormProtectsTheVolumeOnBothLegsOnceItsBaseBackupIsDone() throws Exception {
        enable("", "");

        JournalAdmin.Status s = engineStatus();
        assertThat(s.drives()).containsExactly("d6", "d7");
        assertThat(s.maxSize()).as("empty max size: half a journal drive").isEqualTo(4L << 20);
        assertThat(vm.legsProperty().get()).containsExactly(new JournalFacts.Leg("d6", DriveState.ONLINE, true),
                new JournalFacts.Leg("d7", DriveState.ONLINE, true));
        assertThat(vm.storeProperty().get()).isEqualTo(made.store().toString());
        assertThat(vm.baseProperty().get()).isEqualTo(s.base()).startsWith("data-");
        assertThat(vm.headlineProperty().get()).isEqualTo("Every write is also in the journal, mirrored on d6 and d7:"
                + " data can be rebuilt from image " + s.base() + " plus the journal, to its last acknowledged write.");
        assertThat(vm.entriesProperty().get()).isEqualTo("0 entries · 0 B");
        assertThat(vm.ageProperty().get().text()).isEqualTo("none waiting");
        assertThat(vm.nextShipProperty().get()).isEqualTo("when it holds 4 MiB");
        assertThat(vm.shipBlockedProperty().get()).isEqualTo("the journal of data holds no entry to ship");
        assertThat(vm.enableBlockedProperty().get()).startsWith("volume data has a journal already (on d6, d7)");
        assertThat(stores.list()).as("the Backups view lists the journal's store").containsExactly(made.store());
    }

    @Test
    void writesBecomeEntriesAndFillTheGaugesAgainstTheirLimits() throws Exception {
        enable("2M", "15m");
        write(20, 4); // 256 KiB: an eighth of the max size

        JournalAdmin.Status s = engineStatus();
        assertThat(s.entries()).isPositive();
        assertThat(vm.entriesProperty().get()).isEqualTo(s.entries() + (s.entries() == 1 ? " entry · " : " entries · ")
                + org.splitpoint.app.common.Format.size(s.bytes()));
        Gauge size = vm.sizeProperty().get();
        assertThat(size.fraction()).isEqualTo((double) s.bytes() / (2 << 20));
        assertThat(size.fraction()).isBetween(0.125, 0.2); // the data plus the entries' headers
        assertThat(size.text()).isEqualTo(org.splitpoint.app.common.Format.size(s.bytes()) + " of 2 MiB");
        assertThat(size.level()).isEqualTo(Gauge.Level.LOW);
        Gauge age = vm.ageProperty().get();
        assertThat(age.text()).matches("\\d+ s of 15 min");
        assertThat(age.fraction()).isBetween(0.0, 0.1);
        assertThat(vm.nextShipProperty().get()).isEqualTo("when it holds 2 MiB or its oldest entry is 15 min old");
        assertThat(vm.shipBlockedProperty().get()).isEmpty();

        write(40, 24); // 1.5 MiB more: past 80% of the limit, below it
        assertThat(vm.sizeProperty().get().level()).isEqualTo(Gauge.Level.NEAR);
    }

    @Test
    void shipNowEmptiesTheJournalAndListsTheShip() throws Exception {
        enable("", "");
        write(20, 3);
        assertThat(vm.shipsProperty().get()).isEmpty();

        vm.ship();
        ui.drain();
        // the engine records the ship, then retires the entries: wait for both
        assertThat(TestPools.await(Duration.ofSeconds(30), this::refresh, () -> !vm.shipsProperty().get().isEmpty()
                && vm.entriesProperty().get().startsWith("0 entries"))).isTrue();
        refresh();

        JournalFacts.ShipLine ship = vm.shipsProperty().get().get(0);
        assertThat(ship.ok()).isTrue();
        JournalAdmin.Status s = engineStatus();
        assertThat(ship.text()).isEqualTo("3 tracks → " + s.base());
        assertThat(ship.when()).matches("\\d\\d:\\d\\d:\\d\\d");
        assertThat(vm.entriesProperty().get()).isEqualTo("0 entries · 0 B");
        assertThat(vm.baseProperty().get()).as("the shipped image is the new base").isEqualTo(s.base()).endsWith("-journal");
        assertThat(vm.jobTextProperty().get()).isEmpty();
        assertThat(status.messageProperty().get()).contains("Shipping the journal of data: 3 tracks into " + made.store());
    }

    /**
     * The status bar's "Shipping the journal of data: 3 tracks into STORE; its entries go once the
     * image is verified" stayed after the ship had ended, reading as a ship still running (seen by
     * hand). It goes with the ship's job, as a started restore's line does; Last ships says how it went.
     */
    @Test
    void theStatusLineOfAShipGoesWhenTheShipEnds() throws Exception {
        enable("", "");
        write(20, 3);
        bridge.onSnapshot(s -> status.jobs(s.jobs())); // as the window's model feeds it (PoolViewModel)
        List<String> said = new java.util.ArrayList<>();
        status.messageProperty().addListener((o, was, now) -> said.add(now));

        vm.ship();
        ui.drain();
        assertThat(said).anyMatch(m -> m.contains("Shipping the journal of data: 3 tracks into " + made.store()));
        assertThat(TestPools.await(Duration.ofSeconds(30), this::refresh, () -> !vm.shipsProperty().get().isEmpty()
                && call(pool -> pool.jobs().stream().allMatch(j -> j.state().isFinished())))).isTrue();
        refresh();
        refresh();
        assertThat(status.messageProperty().get()).as("the ship ended: its line is gone").doesNotContain("Shipping");
    }

    @Test
    void aShipRunningShowsItsProgressWithRateAndEtaAndHoldsShipNow() throws Exception {
        enable("", "");
        write(20, 3);
        org.splitpoint.engine.pool.PoolSnapshot real = call(pool -> pool.snapshot());
        var running = new org.splitpoint.engine.job.JobProgress("journal-ship-data", "journal-ship", "data",
                org.splitpoint.engine.job.JobState.RUNNING, 40, 160, JournalPools.TRACK, 12.5e6, 3, 0, "");
        List<org.splitpoint.engine.job.JobProgress> jobs = new java.util.ArrayList<>(real.jobs());
        jobs.add(running);
        vm.apply(new org.splitpoint.engine.pool.PoolSnapshot(real.path(), real.trackSize(), real.drives(), real.volumes(),
                jobs, real.problems(), real.snapshots(), real.saveArea(), real.snapshotRestores()));

        assertThat(vm.jobProgressProperty().get()).isEqualTo(0.25);
        assertThat(vm.jobTextProperty().get()).isEqualTo("shipping · " + org.splitpoint.app.common.Format.progress(0.25,
                12.5e6, 3, false) + " · 40/160 tracks");
        assertThat(vm.jobTextProperty().get()).contains(" MB/s · ETA ");
        assertThat(vm.nextShipProperty().get()).isEqualTo("shipping now");
        assertThat(vm.shipBlockedProperty().get()).isEqualTo("a journal-ship of data is running (job journal-ship-data);"
                + " the journal ships when it ends");

        vm.apply(real); // it ended
        assertThat(vm.jobProgressProperty().get()).isEqualTo(-1);
        assertThat(vm.jobTextProperty().get()).isEmpty();
    }

    @Test
    void oneLegFailedIsDegradedAndBothFailedIsUnprotected() throws Exception {
        enable("", "");
        write(20, 2);

        call(pool -> {
            pool.admin().failDrive("d6");
            return null;
        });
        awaitState(JournalState.DEGRADED);
        assertThat(vm.stateProperty().get().look().tone()).isEqualTo(org.splitpoint.app.common.StateLook.Tone.WARN);
        assertThat(vm.headlineProperty().get()).isEqualTo("Journal drive d6 FAILED: the journal carries on on d7 alone,"
                + " unmirrored. Replace d6 in the drive bay; it gets every entry from d7.");
        assertThat(vm.legsProperty().get()).extracting(JournalFacts.Leg::shown)
                .containsExactly(DriveState.FAILED, DriveState.ONLINE);
        assertThat(vm.shipBlockedProperty().get()).as("one leg still ships").isEmpty();

        call(pool -> {
            pool.admin().failDrive("d7");
            return null;
        });
        awaitState(JournalState.UNPROTECTED);
        assertThat(vm.stateProperty().get().look().tone()).isEqualTo(org.splitpoint.app.common.StateLook.Tone.BAD);
        assertThat(vm.headlineProperty().get()).startsWith("Both journal drives failed (d6, d7): data keeps serving, but"
                + " its writes are not journaled");
        assertThat(vm.shipBlockedProperty().get()).isEqualTo("the journal of data lost both its drives: there is nothing"
                + " left to ship");
        assertThat(vm.disableBlockedProperty().get()).as("a lost journal can be disabled").isEmpty();
        assertThat(vm.nextShipProperty().get()).isEqualTo("never: the journal lost both its drives");
    }

    @Test
    void disablingNeedsTheVolumesNameAndGivesTheDrivesBackAsSpares() throws Exception {
        enable("", "");
        write(20, 2);

        var c = vm.disableConfirmation();
        assertThat(c.target()).isEqualTo("data");
        assertThat(c.accepts("dat")).isFalse();
        assertThat(c.sentences().get(0)).isEqualTo("The journal stops: d6 and d7 become SPARE again and what they hold"
                + " is dropped.");
        assertThat(c.sentences().get(1)).contains("not yet shipped stay in data but are in no backup").endsWith("Ship now"
                + " first to keep them.");
        vm.disable();
        ui.drain();
        refresh();

        assertThat(vm.stateProperty().get()).isEqualTo(JournalState.OFF);
        DriveState d6 = call(pool -> pool.snapshot().drive("d6").state());
        assertThat(d6).isEqualTo(DriveState.SPARE);
        assertThat(Files.isDirectory(made.store().resolve("images"))).as("its images stay").isTrue();
    }

    @Test
    void onAFailedVolumeTheCardPointsToTheRebuildAndShipsNothingBeforeIt() throws Exception {
        bridge.close();
        made = JournalPools.lostWithJournal(tmp.resolve("lost"), 2, 3);
        bridge = PoolBridge.open(made.pool(), new CurrentThreadTaskExecutor(), ui);
        vm = new JournalCardViewModel(bridge, status, stores, JournalPools.VOLUME);
        bridge.onSnapshot(vm::apply);
        bridge.onJournals(vm::apply);
        refresh();

        String base = engineStatus().base();
        assertThat(vm.stateProperty().get()).isEqualTo(JournalState.PROTECTING);
        assertThat(vm.headlineProperty().get()).isEqualTo("Volume data is FAILED: the journal holds its writes since image "
                + base + ". Rebuild it from backup + journal (the banner above) to bring it back as of its last"
                + " acknowledged write.");
        assertThat(vm.shipBlockedProperty().get()).isEqualTo("volume data is FAILED: rebuild it from backup + journal"
                + " first (the rebuild applies the journal's entries; they ship afterwards)");
        assertThat(vm.disableBlockedProperty().get()).startsWith("volume data is FAILED: its journal is what rebuilds it");
    }

    /**
     * Enabled into a store on a full file system, the journal's base backup fails: the card said
     * "NOT PROTECTING · No base image ... A backup into STORE gives it one (the journal starts one
     * within a minute)" and nothing of why (seen by hand on the demo pool, a 2 MiB store), and its
     * base row was cut ("none yet: it gets o…ckup into the store"). The headline now says the last
     * backup failed and why; the base row says "none yet".
     */
    @Test
    void aBaseBackupThatFailedIsSaidOnTheCardWithItsReason() throws Exception {
        Path store = enableIntoAFullStore();

        assertThat(vm.headlineProperty().get()).startsWith("No base image: the journal holds writes but has nothing to"
                + " rebuild onto. Its last backup failed: ").contains("No space left on device").containsPattern(
                " A backup into " + java.util.regex.Pattern.quote(store.toString()) + " gives it one \\(the journal tries again in"
                + " \\d+ s; its tries back off up to an hour\\)\\.$");
        assertThat(vm.baseProperty().get()).isEqualTo("none yet");
    }

    /**
     * Restored from an image outside the journal's store, the journal protects nothing until a
     * backup into its store, which the engine starts only once the restore has ended: the card said
     * "the journal starts one within a minute" for as long as the restore ran. It says the backup
     * waits for the restore, and the status bar the same.
     */
    @Test
    void aJournalWhoseBaseWaitsForARestoreSaysSo() throws Exception {
        enable("", "");
        Path other = made.store().resolveSibling("other");
        call(pool -> {
            Files.createDirectories(other);
            assertThat(pool.backups().backup(JournalPools.VOLUME, other, true, 0).await(60_000)).isTrue();
            pool.instantRestores().restore(JournalPools.VOLUME, other, null, false, 64 << 10); // minutes: it runs to the end
            return null;
        });
        org.splitpoint.app.pool.PoolViewModel pool = new org.splitpoint.app.pool.PoolViewModel(bridge);
        pool.start();
        write(1, 1);
        awaitState(JournalState.NOT_PROTECTING);
        assertThat(vm.headlineProperty().get()).isEqualTo("No base image: the journal holds writes but has nothing to"
                + " rebuild onto. A backup into " + made.store() + " gives it one (the journal starts one as soon as the"
                + " restore of " + JournalPools.VOLUME + " from a backup has ended).");
        assertThat(pool.problemsProperty().get()).contains("volume " + JournalPools.VOLUME + " is not protected by its"
                + " journal: it has no base image (a backup gives it one once the restore of " + JournalPools.VOLUME
                + " from a backup has ended)");
        assertThat(engineStatus().nextShip()).endsWith("; it starts as soon as the restore of " + JournalPools.VOLUME
                + " from a backup has ended");
    }

    /**
     * The status bar said HEALTHY while the journal was NOT PROTECTING (its base backup failing into
     * a full store): it says WARNING and which volume its journal does not protect, and when the
     * next backup try is.
     */
    @Test
    void aJournalNotProtectingItsVolumeIsAWarningInTheStatusBar() throws Exception {
        enableIntoAFullStore();
        org.splitpoint.app.pool.PoolViewModel pool = new org.splitpoint.app.pool.PoolViewModel(bridge);
        pool.start();
        write(1, 5); // the bridge offers a snapshot that changed: a write makes one for the model made just now
        refresh();
        assertThat(pool.healthProperty().get()).isEqualTo(org.splitpoint.engine.pool.PoolSnapshot.Health.WARNING);
        assertThat(pool.problemsProperty().get()).containsPattern("volume " + JournalPools.VOLUME
                + " is not protected by its journal: it has no base image \\(the next backup try in \\d+ s\\)");
    }

    /**
     * With its store moved away the card said PROTECTING, 'data can be rebuilt from image ... plus the
     * journal', and the pool HEALTHY (seen by hand on the demo pool). It says CANNOT SHIP and why, the
     * status bar a warning; with the store back, PROTECTING again.
     */
    @Test
    void aJournalWhoseStoreIsGoneSaysItCannotShipAndTheStatusBarWarns() throws Exception {
        enable("", "");
        org.splitpoint.app.pool.PoolViewModel pool = new org.splitpoint.app.pool.PoolViewModel(bridge);
        pool.start();
        Path gone = made.store().resolveSibling("store-moved");
        java.nio.file.Files.move(made.store(), gone);
        write(1, 2); // a snapshot that changed, for the model made just now
        awaitState(JournalState.CANNOT_SHIP);
        assertThat(vm.headlineProperty().get()).startsWith("The journal cannot ship into its store: there is no backup"
                + " store at " + made.store()).contains("out of reach");
        assertThat(pool.healthProperty().get()).isEqualTo(org.splitpoint.engine.pool.PoolSnapshot.Health.WARNING);
        assertThat(pool.problemsProperty().get()).contains("the journal of " + JournalPools.VOLUME
                + " cannot ship: there is no backup store at " + made.store());
        assertThat(pool.nav().treeProperty().get().pool().look().word()).as("the tree's pool entry, as the status bar")
                .isEqualTo("WARNING");

        java.nio.file.Files.move(gone, made.store());
        write(3, 1);
        awaitState(JournalState.PROTECTING);
        assertThat(pool.healthProperty().get()).isEqualTo(org.splitpoint.engine.pool.PoolSnapshot.Health.HEALTHY);
        assertThat(pool.nav().treeProperty().get().pool().look().word()).isEqualTo("HEALTHY");
    }

    /** Opens the pool with its store's images filling after 16 KiB, enables the journal into it: the base backup fails. */
    private Path enableIntoAFullStore() throws Exception {
        bridge.close();
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(
                org.splitpoint.engine.io.StorageFactory.real());
        Path store = made.store().toAbsolutePath();
        inj.diskFullAfter(f -> f.toAbsolutePath().startsWith(store.resolve("images")), 16 << 10); // room for an image's header, not its data
        bridge = new PoolBridge(org.splitpoint.engine.pool.Pool.open(made.pool(), inj), new CurrentThreadTaskExecutor(), ui);
        vm = new JournalCardViewModel(bridge, status, stores, JournalPools.VOLUME);
        bridge.onSnapshot(vm::apply);
        bridge.onJournals(vm::apply);
        refresh();
        EnableJournalForm f = vm.enableForm();
        f.storeProperty().set(store.toString());
        ui.drain();
        f.enable(() -> { });
        ui.drain();
        assertThat(f.refusedProperty().get()).isEmpty();
        assertThat(TestPools.await(Duration.ofSeconds(30), this::refresh, () -> call(pool -> pool.jobs().stream()
                .anyMatch(j -> j.kind().equals("backup") && j.state() == org.splitpoint.engine.job.JobState.FAILED))))
                .isTrue();
        awaitState(JournalState.NOT_PROTECTING);
        return store;
    }

    /**
     * Disabling a journal with no base said "Ship now first to keep them" of its entries, but Ship now
     * is disabled until the journal has a base: it now says a backup keeps them.
     */
    @Test
    void disablingAJournalWithNoBaseDoesNotAdviseShipNow() throws Exception {
        enableIntoAFullStore();
        write(20, 3);
        assertThat(vm.shipBlockedProperty().get()).isNotEmpty();

        var c = vm.disableConfirmation();

        assertThat(c.sentences().get(1)).contains("not yet shipped stay in data but are in no backup").doesNotContain(
                "Ship now").endsWith("Back data up first to keep them: the journal cannot ship without a base image.");
    }
}
