package org.splitpoint.app.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.JournalPools;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.ServeHolder;
import org.splitpoint.app.testing.TestPools;

/**
 * The journal's enable dialog while the app is attached to the pool's holder, no toolkit: the
 * store is checked here by the engine's rules, the journal enabled by the holder, whose base backup
 * runs there.
 */
class AttachedJournalEnableTest {

    private static final Duration WAIT = Duration.ofSeconds(60); // a loaded 2-CPU CI box

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private JournalPools.Made made;
    private ServeHolder holder;
    private PoolBridge bridge;
    private JournalCardViewModel card;

    @BeforeEach
    void attach() throws Exception {
        made = JournalPools.fresh(tmp);
        holder = new ServeHolder(made.pool());
        bridge = PoolBridge.open(made.pool(), new CurrentThreadTaskExecutor(), ui);
        assertThat(bridge.attachedTo()).startsWith("serve, pid ");
        card = new JournalCardViewModel(bridge, status, new KnownStores(KnownStores.Memory.inMemory(List.of())),
                JournalPools.VOLUME);
        bridge.onSnapshot(card::apply);
        bridge.onJournals(card::apply);
        bridge.start();
        shows(() -> card.enableBlockedProperty().get().isEmpty());
    }

    @AfterEach
    void close() throws Exception {
        bridge.close();
        holder.close();
    }

    private void shows(BooleanSupplier condition) throws InterruptedException {
        assertThat(TestPools.await(WAIT, ui::drain, condition)).as("shown within " + WAIT).isTrue();
    }

    @Test
    void theStoreIsCheckedHereAndTheJournalEnabledByTheHolder() throws Exception {
        EnableJournalForm f = card.enableForm();
        Path inside = made.pool().resolve("meta");
        f.storeProperty().set(inside.toString());
        shows(() -> !f.storeProblemProperty().get().startsWith("looking at"));
        assertThat(f.storeProblemProperty().get()).isEqualTo("the backup store " + inside + " is inside the pool; keep"
                + " backups outside it");
        f.storeProperty().set(made.store().toString());
        shows(() -> f.blockedProperty().get().isEmpty());
        AtomicInteger closed = new AtomicInteger();
        f.enable(closed::incrementAndGet);
        shows(() -> closed.get() == 1 || !f.refusedProperty().get().isEmpty());
        assertThat(f.refusedProperty().get()).isEmpty();
        assertThat(holder.pool.journals().volumes()).containsExactly(JournalPools.VOLUME);
        assertThat(status.messageProperty().get()).contains("Journal of data enabled on d6 and d7; its base backup into "
                + made.store());
        holder.pool.awaitJobs(null);
    }
}
