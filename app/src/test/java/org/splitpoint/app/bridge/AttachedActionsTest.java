package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.drives.TakeOfflineForm;
import org.splitpoint.app.pool.PoolViewModel;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.ServeHolder;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.splitpoint.engine.pool.VolumeState;

/**
 * The main window's model attached to a pool {@code serve} holds, no toolkit: its title names the
 * holder, and the drive and volume actions are carried out by the holder, their results shown from
 * its stream.
 */
class AttachedActionsTest {

    private static final Duration WAIT = Duration.ofSeconds(60); // a loaded 2-CPU CI box

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private ServeHolder holder;
    private PoolViewModel vm;
    private PoolBridge bridge;
    private Path dir;

    @BeforeEach
    void attach() throws Exception {
        dir = TestPools.demo(tmp);
        holder = new ServeHolder(dir);
        bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        vm = new PoolViewModel(bridge);
        vm.start();
        shows(() -> vm.volumes().row("prod") != null);
    }

    @AfterEach
    void close() throws Exception {
        vm.close();
        holder.close();
    }

    /** Drains the UI queue until {@code condition} holds (the holder's stream reaches the model). */
    private void shows(BooleanSupplier condition) throws InterruptedException {
        assertThat(TestPools.await(WAIT, ui::drain, condition)).as("shown within " + WAIT).isTrue();
    }

    @Test
    void theTitleNamesTheHolder() {
        assertThat(vm.titleProperty().get())
                .isEqualTo("Splitpoint — " + dir + " (attached to serve, pid " + ProcessHandle.current().pid() + ")");
        assertThat(vm.holderLineProperty().get()).as("the header says it too (no title bar without a window manager)")
                .isEqualTo("attached to serve, pid " + ProcessHandle.current().pid() + ": the holder carries out every action");
    }

    @Test
    void failingADriveIsDoneByTheHolderAndShownFromItsStream() throws Exception {
        vm.drives().selectedDriveProperty().set("d5");
        vm.drives().fail();

        assertThat(holder.pool.snapshot().drive("d5").state()).isEqualTo(DriveState.FAILED);
        shows(() -> vm.volumes().row("prod-bcv").getState() == VolumeState.DEGRADED);
        assertThat(vm.status().messageProperty().get()).as("the result is reported once the stream shows it")
                .endsWith("Drive d5 is FAILED; volume prod-bcv is DEGRADED");
    }

    /**
     * A pair restore the app has had confirmed (its typed dialog) is carried out by the holder: the command it
     * forwards says so with --yes, as its other overwrites do, since 'pair restore' off a terminal needs it.
     */
    @Test
    void aPairRestoreIsDoneByTheHolder() throws Exception {
        holder.pool.pairs().split(java.util.List.of("prod-pair"));
        java.util.concurrent.atomic.AtomicReference<String> result = new java.util.concurrent.atomic.AtomicReference<>();
        bridge.run(HolderAction.of(HolderCommands.restore("prod-pair", false, true, -1,
                org.splitpoint.engine.pool.StdWrites.MAY_BE_OVERWRITTEN), pool -> null),
                j -> result.set("started"), result::set);
        shows(() -> result.get() != null);
        assertThat(result.get()).isEqualTo("started");
        assertThat(holder.pool.pairs().get("prod-pair").isProtected()).as("the holder began the protected restore").isTrue();
    }

    /**
     * Restore's confirmation counts what the restore overwrites before it asks. Attached, that count was an
     * engine call the holder has no command for, refused ("not available while attached to serve"): the
     * Restore button of an attached app showed that failure and never asked, so no restore could be started
     * from it. The count now comes from the holder's state, as the establish's does.
     */
    @Test
    void aPairRestoreIsConfirmedWithTheHoldersCountsBeforeTheHolderDoesIt() throws Exception {
        holder.pool.pairs().split(java.util.List.of("prod-pair"));
        holder.pool.device("prod").write(0, java.nio.ByteBuffer.wrap(new byte[4096])); // as a host: the pair marks it
        var console = vm.pair("prod-pair");
        shows(() -> console.viewProperty().get() != null && console.viewProperty().get().stdInvalidTracks() == 1);
        java.util.concurrent.atomic.AtomicReference<javafx.beans.value.ObservableValue<org.splitpoint.app.common.Confirmation>> asked =
                new java.util.concurrent.atomic.AtomicReference<>();
        console.restoreConfirmation(asked::set);
        shows(() -> asked.get() != null || vm.status().messageProperty().get().contains("not available"));
        assertThat(vm.status().messageProperty().get()).as("no failure of the count").doesNotContain("not available");
        assertThat(String.join(" ", asked.get().getValue().sentences())).as("the count the holder's state gives")
                .contains("1 on prod, 0 on prod-bcv");
    }

    @Test
    void aServiceWindowIsOpenedAndClosedByTheHolder() throws Exception {
        vm.drives().selectedDriveProperty().set("d2");
        shows(() -> vm.drives().offlineForm() != null);
        TakeOfflineForm form = vm.drives().offlineForm();
        form.reasonProperty().set(OfflineReason.RESET);
        form.modeProperty().set(LogMode.DATA);
        boolean[] done = new boolean[1];
        form.take(() -> done[0] = true);
        shows(() -> done[0]);
        assertThat(form.refusedProperty().get()).isEmpty();
        assertThat(holder.pool.snapshot().drive("d2").state()).isEqualTo(DriveState.OFFLINE);
        assertThat(holder.pool.snapshot().drive("d2").service().logMode()).isEqualTo(LogMode.DATA);
        shows(() -> vm.volumes().row("prod").getState() == VolumeState.SERVICE);

        shows(() -> vm.drives().onlineBlockedProperty().get().isEmpty());
        vm.drives().bringOnline();
        assertThat(TestPools.await(WAIT, ui::drain,
                () -> holder.pool.snapshot().drive("d2").state() == DriveState.ONLINE)).isTrue();
        shows(() -> vm.volumes().row("prod").getState() == VolumeState.OPTIMAL);
    }

    @Test
    void verifyRunsInTheHolderAndShowsItsCount() throws Exception {
        shows(() -> vm.volume("prod") != null && vm.volume("prod").verifyBlockedProperty().get().isEmpty());
        vm.volume("prod").verify();
        shows(() -> vm.volume("prod").verifyResultProperty().get().startsWith("0 mismatched sectors"));
    }

    /**
     * The holder's 'volume verify' exits 1 for mismatches it found (the SPEC's exit code, for scripts):
     * attached, the page still shows the count, as the engine's own verify returns it when the app holds
     * the pool (before, "verify failed: prod has 8 mismatched sectors; ...").
     */
    @Test
    void aVerifyThatFindsMismatchesInTheHolderShowsTheirCount() throws Exception {
        shows(() -> vm.volume("prod") != null && vm.volume("prod").verifyBlockedProperty().get().isEmpty());
        String member = holder.pool.snapshot().volume("prod").drives().get(0);
        org.splitpoint.app.testing.Corruption.scribble(holder.pool, "prod", member);
        vm.volume("prod").verify();
        shows(() -> !vm.volume("prod").verifyResultProperty().get().startsWith("verifying"));
        assertThat(vm.volume("prod").verifyResultProperty().get()).matches("[1-9][0-9,]* mismatched sectors \\(verified .*\\)");
    }

    /** A RAID1 volume "snaps" on two new drives, made in the holder (as an administrator did earlier). */
    private void addSnapsVolume() throws Exception {
        String a = holder.pool.admin().addDrive(0);
        String b = holder.pool.admin().addDrive(0);
        holder.pool.admin().createVolume("snaps", org.splitpoint.engine.pool.Layout.RAID1, java.util.List.of(a, b), 0);
    }

    @Test
    void aSnapshotIsTakenAndDeletedByTheHolder() throws Exception {
        addSnapsVolume();
        holder.pool.snapshots().setSaveArea("snaps");
        shows(() -> vm.snapshots("prod") != null && vm.snapshots("prod").takeBlockedProperty().get().isEmpty());
        var form = vm.snapshots("prod").takeForm();
        form.nameProperty().set("before-upgrade");
        boolean[] done = new boolean[1];
        form.take(() -> done[0] = true);
        shows(() -> done[0]);
        assertThat(holder.pool.snapshots().list("prod")).extracting(i -> i.name()).containsExactly("before-upgrade");
        assertThat(vm.status().messageProperty().get()).endsWith("Snapshot prod@before-upgrade taken");

        vm.snapshots("prod").select("before-upgrade");
        shows(() -> vm.snapshots("prod").deleteBlockedProperty().get().isEmpty());
        vm.snapshots("prod").delete();
        shows(() -> vm.status().messageProperty().get().contains("Snapshot prod@before-upgrade deleted"));
        assertThat(holder.pool.snapshots().list("prod")).isEmpty();
    }

    @Test
    void aRestoreToASnapshotRunsInTheHolderAndItsMapAndReadFlashesAreStreamed() throws Exception {
        addSnapsVolume();
        holder.pool.snapshots().setSaveArea("snaps");
        holder.pool.snapshots().create("prod", "s1");
        var prod = holder.pool.device("prod");
        byte[] later = new byte[(int) Math.min(prod.size(), 4 << 20)];
        java.util.Arrays.fill(later, (byte) 0x6b);
        prod.write(0, java.nio.ByteBuffer.wrap(later)); // written after s1: the restore copies these tracks back
        prod.flush();
        var card = vm.snapshots("prod");
        shows(() -> card.restoreBlockedProperty().get().isEmpty() || !card.selectedLineProperty().get().isEmpty());
        card.select("s1");
        shows(() -> card.restoreBlockedProperty().get().isEmpty());
        var form = card.restoreForm();
        form.throttleProperty().set(256_000); // slow, so the map is streamed while it runs
        boolean[] ready = new boolean[1];
        form.load(() -> ready[0] = true, why -> { });
        assertThat(ready[0]).as("attached, the plan is the holder's: the form is ready at once").isTrue();
        card.restore().setShown(true);
        form.restore();
        shows(() -> holder.pool.snapshots().restoreOf("prod") != null);
        shows(() -> vm.status().messageProperty().get().contains("Restoring prod to s1: "));
        shows(() -> card.restore().sampleProperty().get() != null && card.restore().sampleProperty().get().totalTracks() > 0);

        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64 << 10); // a host reads a track not yet copied back
        prod.read(prod.size() / 2 - (64 << 10), b);
        shows(() -> card.restore().sampleProperty().get().fetches() > 0
                && card.restore().sampleProperty().get().flashTracks().length > 0);
        holder.pool.job(card.restore().sampleProperty().get().job().id()).setThrottle(0);
    }

    /** The card asked for the volume's name; the holder's command, not a terminal, needs it said with --yes. */
    @Test
    void aJournalIsDisabledByTheHolder() throws Exception {
        String a = holder.pool.admin().addDrive(0);
        String b = holder.pool.admin().addDrive(0);
        Path store = java.nio.file.Files.createDirectories(tmp.resolve("store"));
        assertThat(holder.pool.journals().enable("prod", java.util.List.of(a, b), store, 0, 0).await(WAIT.toMillis())).isTrue();
        var card = vm.journal("prod");
        shows(() -> card.disableBlockedProperty().get().isEmpty());
        card.disable();
        shows(() -> !vm.status().messageProperty().get().contains("Disabling"));
        assertThat(vm.status().messageProperty().get()).endsWith("Journal of prod disabled; " + a + " and " + b + " are SPARE again");
        assertThat(holder.pool.snapshot().drive(a).state()).isEqualTo(DriveState.SPARE);
    }

    @Test
    void theSaveAreaIsChosenByTheHolderAndReportedFromItsState() throws Exception {
        addSnapsVolume();
        String[] said = new String[1];
        bridge.run(HolderAction.ofState(HolderCommands.saveArea("snaps"), (out, state) -> state.saveArea(),
                pool -> pool.snapshots().setSaveArea("snaps")), a -> said[0] = a.volume() + " " + a.slots(), w -> said[0] = w);
        shows(() -> said[0] != null);
        assertThat(holder.pool.snapshot().saveArea()).as("the holder's save area; the app heard: " + said[0]).isNotNull();
        assertThat(said[0]).isEqualTo("snaps " + holder.pool.snapshot().saveArea().slots());
    }

    @Test
    void theServeViewSaysTheHolderServes() {
        var serve = new org.splitpoint.app.serve.ServeViewModel(bridge);
        assertThat(serve.statusProperty().get()).startsWith("served by the holder (serve, pid ");
        serve.start();
        assertThat(serve.servingProperty().get()).isFalse();
        assertThat(serve.statusProperty().get()).startsWith("not started: the pool is held by serve, pid ");
    }

    /**
     * The holder's NBD clients are this app's host I/O: the Serve view lists them and the status
     * bar counts what they write (it said 0 while attached, however busy the holder's clients were).
     */
    @Test
    void theHoldersNbdClientsAndTheirWritesShowInTheServeViewAndTheStatusBar() throws Exception {
        var serve = new org.splitpoint.app.serve.ServeViewModel(bridge);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", holder.port())) {
            var in = s.getInputStream();
            var out = s.getOutputStream();
            in.readNBytes(18); // greeting
            out.write(java.nio.ByteBuffer.allocate(4).putInt(3).array()); // fixed newstyle, no zeroes
            byte[] name = "prod".getBytes();
            out.write(java.nio.ByteBuffer.allocate(16 + name.length).putLong(0x49484156454f5054L).putInt(1)
                    .putInt(name.length).put(name).array()); // NBD_OPT_EXPORT_NAME
            in.readNBytes(10);
            byte[] data = new byte[64 << 10];
            long until = System.nanoTime() + WAIT.toNanos();
            long handle = 0;
            while (System.nanoTime() < until && !(serve.writeRateProperty().get() > 0
                    && !vm.hostIoProperty().get().contains("W 0.0 MB/s"))) {
                out.write(java.nio.ByteBuffer.allocate(28).putInt(0x25609513).putShort((short) 0).putShort((short) 1)
                        .putLong(++handle).putLong((handle % 64) * data.length).putInt(data.length).array());
                out.write(data); // NBD_CMD_WRITE
                java.nio.ByteBuffer reply = java.nio.ByteBuffer.wrap(in.readNBytes(16));
                assertThat(reply.getInt(0)).isEqualTo(0x67446698);
                assertThat(reply.getInt(4)).as("write error").isZero();
                ui.drain();
                Thread.sleep(20);
            }
            assertThat(serve.clientsProperty().get()).singleElement().satisfies(c -> assertThat(c.export()).isEqualTo("prod"));
            assertThat(serve.writeRateProperty().get()).as("the holder's clients' write rate").isPositive();
            assertThat(vm.hostIoProperty().get()).contains(" · W ").doesNotContain("W 0.0 MB/s");
        }
    }

    @Test
    void theBuiltInWorkloadSaysWhyItCannotRunWhileAttached() {
        var load = vm.workloads().of("prod");
        load.start();
        assertThat(load.runningProperty().get()).isFalse();
        assertThat(vm.status().messageProperty().get()).contains("The workload on prod cannot start: the pool is held by"
                + " serve, pid " + ProcessHandle.current().pid());
    }

    /**
     * A drill while attached runs in the holder, which alone writes its verified test data (before,
     * Start said to run it in a shell): its result comes back as the last line the holder's drill run
     * --json-lines printed, and the drive is back ONLINE in the holder.
     */
    @Test
    void aDrillRunsInTheHolderAndItsResultComesBack() throws Exception {
        var drill = new org.splitpoint.app.drill.DrillViewModel(bridge, vm.status());
        bridge.onSnapshot(drill::apply);
        holder.pool.admin().addDrive(0); // a change, so the stream brings a snapshot to the sink added late
        shows(() -> drill.form().volumes().contains("prod"));
        var f = drill.form();
        f.volumeProperty().set("prod");
        f.driveProperty().set("d2");
        f.reasonProperty().set(org.splitpoint.engine.pool.OfflineReason.RESET);
        f.modeProperty().set(org.splitpoint.engine.pool.LogMode.POINTERS);
        f.writesForProperty().set(1);
        shows(() -> f.startBlockedProperty().get().isEmpty());
        drill.start();
        shows(() -> drill.resultProperty().get() != null || !drill.stoppedProperty().get().isEmpty());
        assertThat(drill.stoppedProperty().get()).isEmpty();
        var r = drill.resultProperty().get();
        assertThat(r.volume()).isEqualTo("prod");
        assertThat(r.drive()).isEqualTo("d2");
        assertThat(r.workloadErrors()).isZero();
        assertThat(r.verifyMismatches()).isZero();
        assertThat(r.timeline()).extracting(org.splitpoint.engine.pool.Drill.Step::name).contains("offline", "online");
        assertThat(drill.figuresProperty().get().verdict().word()).isEqualTo("PASSED");
        assertThat(holder.pool.snapshot().drive("d2").state()).isEqualTo(org.splitpoint.engine.pool.DriveState.ONLINE);
        // the holder's drill sent its window as it ran (drill run --json-lines): the map's last picture is drawn here
        shows(() -> drill.map().lineProperty().get().contains("written back to d2"));
        assertThat(drill.map().sampleProperty().get().phase()).isEqualTo("done");
    }

    @Test
    void anActionWithoutACommandIsRefusedWithASentence() throws Exception {
        int drives = holder.pool.snapshot().drives().size();
        String[] why = new String[1];
        bridge.run(pool -> pool.admin().addDrive(0), ok -> why[0] = "done", w -> why[0] = w);
        shows(() -> why[0] != null);
        assertThat(why[0]).startsWith("not available while attached to serve, pid ");
        assertThat(holder.pool.snapshot().drives()).hasSize(drives);
    }
}
