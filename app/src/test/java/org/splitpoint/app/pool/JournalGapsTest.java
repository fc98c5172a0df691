package org.splitpoint.app.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.JournalPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The status bar's journal lines come from two pictures the app gets apart: the journals' and the
 * pool's. Just after 'Enable journal', the journals' picture has the journal (no base yet) while the
 * pool's could still be from before the enable, without its base backup's job: the bar said WARNING
 * "not protected by its journal: it has no base image" for a moment while that backup ran (seen by
 * hand). A pool picture that does not show the journal's drives yet is older than the journal, and
 * says nothing of it; a newer one says what it must.
 */
class JournalGapsTest {

    @TempDir
    Path tmp;

    @Test
    void aPoolPictureFromBeforeTheJournalSaysNothingOfItAndANewerOneDoes() throws Exception {
        JournalPools.Made m = JournalPools.fresh(tmp);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Path store = m.store().toAbsolutePath().normalize();
        try (Pool pool = Pool.open(m.pool(), inj); AutoCloseable letGo = inj::releaseHolds) {
            PoolSnapshot before = pool.snapshot();
            // its base backup under way, held at its first write of the image's data
            inj.hold(FaultInjector.Op.WRITE, f -> f.toAbsolutePath().normalize().startsWith(store)
                    && f.getFileName().toString().equals("data"), t -> true, 60_000);
            Job base = pool.journals().enable(JournalPools.VOLUME, List.of("d6", "d7"), m.store(), 1 << 20, 0);
            Map<String, JournalAdmin.Status> journals = Map.of(JournalPools.VOLUME, pool.journals().status(JournalPools.VOLUME));
            assertThat(journals.get(JournalPools.VOLUME).protecting()).isFalse();

            assertThat(JournalGaps.lines(journals, before)).as("a picture from before the enable").isEmpty();
            assertThat(JournalGaps.lines(journals, pool.snapshot())).as("one with the base backup running").isEmpty();

            base.cancel(); // no base: the journal protects nothing
            inj.releaseHolds();
            assertThat(base.await(30_000)).isTrue();
            Map<String, JournalAdmin.Status> after = Map.of(JournalPools.VOLUME, pool.journals().status(JournalPools.VOLUME));
            assertThat(JournalGaps.lines(after, pool.snapshot())).singleElement().asString()
                    .startsWith("volume data is not protected by its journal: it has no base image");
        }
    }
}
