package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.nbd.NbdServer;
import org.splitpoint.engine.pool.JobHistory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * What a pool remembers of what happened: jobs that ended (result, duration, bytes) across a
 * reopen, when a pair was split, and as events a job's pause and resume and an NBD server's life.
 */
class PairHistoryTest {

    @TempDir
    Path dir;

    @Test
    void anEndedJobStaysInTheHistoryAcrossAReopen() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 4 << 20, 65536, 1);
        String id;
        try (Pool pool = Pool.open(dir)) {
            Job j = pool.pairs().establish("p1", true);
            assertThat(j.await(30_000)).isTrue();
            id = j.id();
            Awaitility.await().until(() -> !pool.jobHistory().list().isEmpty());
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.jobHistory().list()).singleElement().satisfies(e -> {
                assertThat(e.id()).isEqualTo(id);
                assertThat(e.kind()).isEqualTo("establish");
                assertThat(e.target()).isEqualTo("p1");
                assertThat(e.result()).isEqualTo(JobState.DONE);
                assertThat(e.bytes()).isEqualTo(4L << 20);
                assertThat(e.doneTracks()).isEqualTo(64);
                assertThat(e.seconds()).isGreaterThanOrEqualTo(0);
                assertThat(Instant.parse(e.finishedAt())).isAfterOrEqualTo(Instant.parse(e.startedAt()));
                assertThat(e.line()).startsWith("establish p1 DONE in 0:").contains(", 4 MiB, 64/64 tracks");
            });
        }
    }

    @Test
    void theHistoryKeepsTheLastJobsOnly() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 1 << 20, 65536, 1);
        try (Pool pool = Pool.open(dir)) {
            for (int i = 0; i < JobHistory.KEPT + 3; i++) {
                Job j = i % 2 == 0 ? pool.pairs().establish("p1", false) : pool.pairs().restore("p1", false, false);
                assertThat(j.await(30_000)).isTrue();
                pool.pairs().split(List.of("p1"));
            }
            Awaitility.await().until(() -> pool.jobHistory().list().size() == JobHistory.KEPT);
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.jobHistory().list()).hasSize(JobHistory.KEPT);
        }
    }

    @Test
    void theSplitTimeIsKeptAndShownWhileTheBcvHoldsTheImage() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 1 << 20, 65536, 1);
        Instant before = Instant.now().minusSeconds(1);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.pairs().query("p1").get(0).splitAt()).isNull();
            assertThat(pool.pairs().establish("p1", false).await(30_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            PairView v = pool.pairs().query("p1").get(0);
            assertThat(Instant.parse(v.splitAt())).isAfter(before).isBeforeOrEqualTo(Instant.now());
            assertThat(v.holdsImage()).isTrue();
        }
        try (Pool pool = Pool.open(dir)) {
            PairView v = pool.pairs().query("p1").get(0);
            assertThat(v.splitAt()).as("kept in pool.json").isNotNull();
            Job restore = pool.pairs().restore("p1", false, true);
            assertThat(pool.pairs().query("p1").get(0).holdsImage()).as("a protected restore keeps the image").isTrue();
            assertThat(restore.await(30_000)).isTrue();
            assertThat(pool.pairs().establish("p1", false).await(30_000)).isTrue();
            PairView mirrored = pool.pairs().query("p1").get(0);
            assertThat(mirrored.splitAt()).as("the last split, still").isEqualTo(v.splitAt());
            assertThat(mirrored.holdsImage()).as("re-established: the BCV follows the STD again").isFalse();
        }
    }

    @Test
    void pauseResumeAndTheNbdServerAreEvents() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 4 << 20, 65536, 1);
        try (Pool pool = Pool.open(dir)) {
            List<Event> events = new CopyOnWriteArrayList<>();
            pool.addListener(events::add);
            Job j = pool.pairs().establish("p1", true, 1 << 20);
            j.pause();
            j.resume();
            j.cancel();
            j.await(30_000);
            NbdServer server = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), m -> { });
            String address = server.address();
            server.close();
            Awaitility.await().until(() -> events.stream().filter(e -> e.type().equals("NBD")).count() == 2);
            assertThat(events).filteredOn(e -> e.type().equals("JOB_STATE")).extracting(Event::message)
                    .containsExactly("establish p1 paused", "establish p1 resumed");
            assertThat(events).filteredOn(e -> e.type().equals("NBD")).extracting(Event::message)
                    .containsExactly("NBD server started on " + address + " (exports: std, bcv)",
                            "NBD server on " + address + " stopped");
            Awaitility.await().until(() -> !pool.jobHistory().list().isEmpty());
            assertThat(pool.jobHistory().list().get(0).result()).isEqualTo(JobState.CANCELLED);
        }
    }
}
