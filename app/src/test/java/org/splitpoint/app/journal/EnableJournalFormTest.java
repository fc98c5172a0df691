package org.splitpoint.app.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
import org.splitpoint.engine.job.Job;

/**
 * The enable dialog's model refuses what the engine would, in its words, field by field, before the
 * click; what only the engine can know is refused by it, and its sentence shown with nothing changed.
 */
class EnableJournalFormTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private final KnownStores stores = new KnownStores(KnownStores.Memory.inMemory(List.of()));
    private JournalPools.Made made;
    private PoolBridge bridge;
    private JournalCardViewModel card;

    @BeforeEach
    void open() throws Exception {
        made = JournalPools.fresh(tmp);
        bridge = PoolBridge.open(made.pool(), new CurrentThreadTaskExecutor(), ui);
        card = new JournalCardViewModel(bridge, status, stores, JournalPools.VOLUME);
        bridge.onSnapshot(card::apply);
        bridge.onJournals(card::apply);
        bridge.refresh();
        ui.drain();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private <T> T call(EngineCall<T> c) {
        AtomicReference<T> out = new AtomicReference<>();
        bridge.run(c, out::set, why -> {
            throw new AssertionError(why);
        });
        ui.drain();
        return out.get();
    }

    private EnableJournalForm form(Path store) {
        EnableJournalForm f = card.enableForm();
        f.storeProperty().set(store.toString());
        ui.drain();
        return f;
    }

    /** "...; its base backup into ... is running (0 tracks)" stayed in the status bar after the backup had ended. */
    @Test
    void theLineOfTheBaseBackupGoesWhenItEnds() throws Exception {
        bridge.onSnapshot(s -> status.jobs(s.jobs())); // as the pool window does
        EnableJournalForm f = form(made.store());
        f.enable(() -> { });
        ui.drain();
        assertThat(f.refusedProperty().get()).isEmpty();
        assertThat(org.splitpoint.app.testing.TestPools.await(java.time.Duration.ofSeconds(10), () -> {
            bridge.refresh();
            ui.drain();
        }, () -> status.messageProperty().get().isEmpty())).as("the line goes when the base backup ends").isTrue();
    }

    @Test
    void aStoreThatDoesNotExistIsRefusedInTheEnginesSentence() {
        Path none = tmp.resolve("nowhere");
        EnableJournalForm f = form(none);

        assertThat(f.storeProblemProperty().get()).isEqualTo("no backup store at " + none + ": the directory does not"
                + " exist; create it (an empty directory becomes a store) or name the store the volume is backed up to");
        assertThat(f.blockedProperty().get()).isEqualTo(f.storeProblemProperty().get());
    }

    /** A read-only directory was taken and refused only at Enable, by the engine: the journal ships into it. */
    @Test
    void aReadOnlyDirectoryIsRefusedAsItIsTyped() throws Exception {
        try (var ro = org.splitpoint.app.testing.ReadOnlyDir.at(tmp.resolve("ro"))) {
            EnableJournalForm f = form(ro.path());
            assertThat(f.storeProblemProperty().get()).isEqualTo("a backup store cannot be made in " + ro.path()
                    + ": it is read-only to this process; choose a directory this process can write");
            assertThat(f.blockedProperty().get()).isEqualTo(f.storeProblemProperty().get());
        }
    }

    @Test
    void aStoreInsideThePoolOrRelativeIsRefused() throws Exception {
        Path inside = made.pool().resolve("meta");
        assertThat(form(inside).storeProblemProperty().get()).isEqualTo("the backup store " + inside + " is inside the"
                + " pool; keep backups outside it");
        EnableJournalForm f = card.enableForm();
        f.storeProperty().set("backups");
        ui.drain();
        assertThat(f.storeProblemProperty().get()).isEqualTo("give the store's full path (from /)");
    }

    @Test
    void aStoreHoldingOnlyAnotherVolumesImagesIsRefused() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("logs-store"));
        Job backup = call(pool -> pool.backups().backup(JournalPools.OTHER, other, true, 0));
        assertThat(backup.await(30_000)).isTrue();

        EnableJournalForm f = form(other);

        assertThat(f.storeProblemProperty().get()).isEqualTo("store " + other + " holds backups of logs, none of data:"
                + " a journal ships into its own volume's store");
    }

    @Test
    void anotherJournalsStoreIsRefused() throws Exception {
        Job base = call(pool -> pool.journals().enable(JournalPools.OTHER, List.of("d7", "d8"), made.store(), 0, 0));
        assertThat(base.await(30_000)).isTrue();
        bridge.refresh();
        ui.drain();

        EnableJournalForm f = form(made.store());

        assertThat(f.spares()).as("the other journal's drives are no longer SPARE").extracting(EnableJournalForm.Spare::drive)
                .containsExactly("d6");
        assertThat(f.drivesProblemProperty().get()).isEqualTo("a journal needs two SPARE drives outside data; the pool"
                + " has 1: add them in the drive bay (Add spare)");
        assertThat(f.storeProblemProperty().get()).isEqualTo("store " + made.store() + " is the journal store of volume"
                + " logs; give each journaled volume a store of its own");
        assertThat(card.enableBlockedProperty().get()).isEqualTo("a journal needs two SPARE drives outside data; the pool"
                + " has 1: add one ('Add drives…' in the drive bay)");
    }

    @Test
    void drivesAndLimitsAreCheckedAsTheyAreTyped() {
        EnableJournalForm f = form(made.store());
        f.choose("d7", false);
        assertThat(f.drivesProblemProperty().get()).isEqualTo("choose two drives for the journal's mirrored legs (1 chosen)");
        f.choose("d8", true);
        assertThat(f.drivesProblemProperty().get()).isEmpty();
        assertThat(f.chosen()).containsExactly("d6", "d8");

        f.maxSizeProperty().set("8M");
        assertThat(f.sizeProblemProperty().get()).isEqualTo("a max size of 8 MiB leaves no room in journal drives of 8 MiB;"
                + " give at most 7.2 MiB");
        f.maxSizeProperty().set("0");
        assertThat(f.sizeProblemProperty().get()).startsWith("the max size must be larger than 0");
        f.maxSizeProperty().set("64"); // taken as 64 B, a ship every second: the unit is asked for, as for the max age
        assertThat(f.sizeProblemProperty().get()).isEqualTo("'64' has no unit: write 64K, 64M or 64G (64B for bytes)");
        f.maxSizeProperty().set("lots");
        assertThat(f.sizeProblemProperty().get()).isEqualTo("'lots' is not a size (use a number with an optional K, M, G"
                + " or T suffix)");
        f.maxSizeProperty().set("2M");
        assertThat(f.sizeProblemProperty().get()).isEmpty();

        f.maxAgeProperty().set("0m");
        assertThat(f.ageProblemProperty().get()).isEqualTo("the max age must be longer than 0 (leave it empty for no age"
                + " limit)");
        f.maxAgeProperty().set("soon");
        assertThat(f.ageProblemProperty().get()).isEqualTo("'soon' is not a duration; durations are a whole number with s,"
                + " m, h or d (90s, 15m, 2h, 1d) or ISO-8601 (PT15M)");
        assertThat(f.blockedProperty().get()).isEqualTo(f.ageProblemProperty().get());
        f.maxAgeProperty().set("15m");
        assertThat(f.ageProblemProperty().get()).isEmpty();
        assertThat(f.blockedProperty().get()).isEmpty();
        assertThat(Limits.age("2h").value()).isEqualTo(7200);
        assertThat(Limits.age("PT90S").value()).isEqualTo(90);
        // volume journal enable refuses a bare number (seconds, or minutes?), so the dialog does
        assertThat(Limits.age("45").problem()).startsWith("'45' has no unit: write 45s, 45m, 45h or 45d");
    }

    @Test
    void whatOnlyTheEngineKnowsIsRefusedWithItsSentenceAndTheDialogStaysOpen() throws Exception {
        EnableJournalForm f = form(made.store());
        assertThat(f.blockedProperty().get()).isEmpty();
        // meanwhile, a shell puts the journal of logs on d7, one of the drives the form chose
        Path logsStore = Files.createDirectories(tmp.resolve("logs-store"));
        assertThat(call(pool -> pool.journals().enable(JournalPools.OTHER, List.of("d7", "d8"), logsStore, 0, 0))
                .await(30_000)).isTrue();

        AtomicInteger closed = new AtomicInteger();
        f.enable(closed::incrementAndGet);
        ui.drain();

        assertThat(closed.get()).isZero();
        assertThat(f.refusedProperty().get()).isEqualTo("drive d7 is ONLINE, holding the journal of logs; a journal"
                + " needs SPARE drives");
        List<String> journaled = call(pool -> pool.journals().volumes());
        assertThat(journaled).as("nothing changed for data").containsExactly(JournalPools.OTHER);
        f.choose("d7", false);
        assertThat(f.refusedProperty().get()).as("a change clears the refusal").isEmpty();
    }
}
