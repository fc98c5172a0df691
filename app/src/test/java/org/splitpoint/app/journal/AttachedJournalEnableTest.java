package org.splitpoint.app.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.Attached;
import org.splitpoint.app.testing.JournalPools;

/**
 * The journal's enable dialog while the app is attached to the pool's holder, no toolkit: the
 * store is checked here by the engine's rules, the journal enabled by the holder, whose base backup
 * runs there.
 */
class AttachedJournalEnableTest {

    @TempDir
    Path tmp;
    private final ActionStatus status = new ActionStatus();
    private JournalPools.Made made;
    private Attached app;
    private JournalCardViewModel card;

    @BeforeEach
    void attach() throws Exception {
        made = JournalPools.fresh(tmp);
        app = new Attached(made.pool());
        card = new JournalCardViewModel(app.bridge, status, new KnownStores(KnownStores.Memory.inMemory(List.of())),
                JournalPools.VOLUME);
        app.bridge.onSnapshot(card::apply);
        app.bridge.onJournals(card::apply);
        app.bridge.start();
        app.shows(() -> card.enableBlockedProperty().get().isEmpty());
    }

    @AfterEach
    void close() throws Exception {
        app.close();
    }

    @Test
    void theStoreIsCheckedHereAndTheJournalEnabledByTheHolder() throws Exception {
        EnableJournalForm f = card.enableForm();
        Path inside = made.pool().resolve("meta");
        f.storeProperty().set(inside.toString());
        app.shows(() -> !f.storeProblemProperty().get().startsWith("looking at"));
        assertThat(f.storeProblemProperty().get()).isEqualTo("the backup store " + inside + " is inside the pool; keep"
                + " backups outside it");
        f.storeProperty().set(made.store().toString());
        app.shows(() -> f.blockedProperty().get().isEmpty());
        AtomicInteger closed = new AtomicInteger();
        f.enable(closed::incrementAndGet);
        app.shows(() -> closed.get() == 1 || !f.refusedProperty().get().isEmpty());
        assertThat(f.refusedProperty().get()).isEmpty();
        assertThat(app.holder.pool.journals().volumes()).containsExactly(JournalPools.VOLUME);
        assertThat(status.messageProperty().get()).contains("Journal of data enabled on d6 and d7; its base backup into "
                + made.store());
        app.holder.pool.awaitJobs(null);
    }
}
