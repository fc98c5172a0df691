package org.splitpoint.engine.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.DrillLines;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot;

/** The subscription stream of the control socket, as an attached app sees it. */
class PoolFeedTest {

    private static final Duration WAIT = Duration.ofSeconds(60); // a loaded 2-CPU CI box
    private static final ObjectMapper JSON = PoolFeed.json();

    @TempDir
    Path tmp;

    private Pool pool;
    private ControlServer control;
    private PoolFeed feed;

    @AfterEach
    void close() throws Exception {
        if (control != null) {
            control.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    /** A pool with pair p1 (std, bcv: raid1 each), held with its control socket offering the feed, as serve does. */
    private Path hold(String allowedUser) throws Exception {
        Path dir = tmp.resolve("pool");
        Pool.create(dir, 4, 4 << 20, 64 << 10, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("std", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("bcv", Layout.RAID1, List.of("d3", "d4"), 0);
            p.pairs().create("p1", "std", "bcv");
        }
        pool = Pool.open(dir);
        control = ControlServer.start(dir, (args, cwd, terminal, in, out, err) -> 0, m -> { }, allowedUser);
        feed = new PoolFeed(pool, "serve");
        control.offerSubscriptions(feed);
        return dir;
    }

    /** Reads every message of {@code sub} on a thread of its own into the returned list. */
    private static List<JsonNode> collect(FeedSubscription sub) {
        List<JsonNode> got = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            try {
                for (JsonNode m; (m = sub.next()) != null; ) {
                    got.add(m);
                }
            } catch (java.io.IOException ended) {
                // the test closed it
            }
        }, "feed-test-reader");
        t.setDaemon(true);
        t.start();
        return got;
    }

    private static List<JsonNode> ofType(List<JsonNode> got, String type) {
        return got.stream().filter(m -> type.equals(m.path("type").asText())).toList();
    }

    /** The first message of {@code type} the subscriber got, once one came. */
    private static JsonNode first(List<JsonNode> got, String type) {
        await().atMost(WAIT).until(() -> !ofType(got, type).isEmpty());
        return ofType(got, type).get(0);
    }

    @Test
    void subscriberGetsSnapshotsEventsAndJobProgress() throws Exception {
        Path dir = hold(System.getProperty("user.name"));
        try (FeedSubscription sub = FeedSubscription.open(dir)) {
            assertThat(sub.hello().path("version").asInt()).isEqualTo(PoolFeed.VERSION);
            assertThat(sub.holderName()).isEqualTo("serve, pid " + ProcessHandle.current().pid());
            List<JsonNode> got = collect(sub);

            PoolSnapshot first = JSON.treeToValue(first(got, "snapshot").get("snapshot"), PoolSnapshot.class);
            assertThat(first.volumes()).extracting(PoolSnapshot.VolumeView::name).contains("std", "bcv");
            assertThat(first.drives()).hasSize(4);

            pool.events().publish(Event.warning("TEST", "feed-test", "a warning the subscriber must see"));
            await().atMost(WAIT).until(() -> ofType(got, "events").stream().flatMap(m -> eventsOf(m).stream())
                    .anyMatch(e -> e.message().equals("a warning the subscriber must see")));

            pool.pairs().establish("p1", true, 64 << 10); // 64 KiB/s over 4 MiB: running for the whole test
            await().atMost(WAIT).until(() -> ofType(got, "snapshot").stream().anyMatch(m -> {
                PoolSnapshot s = decode(m.get("snapshot"), PoolSnapshot.class);
                PairView[] pairs = decode(m.get("pairs"), PairView[].class);
                return s.jobs().stream().map(JobProgress::target).anyMatch(t -> t.contains("p1"))
                        && pairs.length == 1 && pairs[0].job() != null && pairs[0].job().doneTracks() > 0;
            }));
        }
    }

    @Test
    void watchedPairStreamsItsTrackMap() throws Exception {
        Path dir = hold(System.getProperty("user.name"));
        try (FeedSubscription sub = FeedSubscription.open(dir)) {
            List<JsonNode> got = collect(sub);
            sub.watch("p1");
            JsonNode t = first(got, "track");
            assertThat(t.path("pair").asText()).isEqualTo("p1");
            assertThat(t.path("state").asText()).isEqualTo("NeverEstab");
            assertThat(t.path("totalTracks").asLong()).isEqualTo(64);
            assertThat(PoolFeed.words(t.get("std"))).hasSize(1).containsExactly(-1L); // never established: all invalid
        }
    }

    /**
     * A window opened by any command (here the engine's own call, as `drive offline` makes it) reaches a
     * subscriber that watches its volume: no window, then the tracks written while the drive is out.
     */
    @Test
    void watchedVolumeStreamsItsServiceWindow() throws Exception {
        Path dir = hold(System.getProperty("user.name"));
        try (FeedSubscription sub = FeedSubscription.open(dir)) {
            List<JsonNode> got = collect(sub);
            sub.watchWindow("std");
            DrillLines.Window none = DrillLines.window(first(got, "window"));
            assertThat(none.volume()).isEqualTo("std");
            assertThat(none.map()).as("no window open yet").isNull();

            Job offline = pool.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS);
            assertThat(offline.await(60_000)).isTrue();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4096);
            pool.device("std").write(3L * (64 << 10) + 100, b); // track 3
            pool.device("std").flush();
            await().atMost(WAIT).until(() -> ofType(got, "window").stream().anyMatch(m -> {
                try {
                    var w = DrillLines.window(m);
                    return w.map() != null && w.map().owed().get(3);
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }));
            var last = DrillLines.window(ofType(got, "window").get(ofType(got, "window").size() - 1));
            assertThat(last.map().phase()).isEqualTo("window");
            assertThat(last.map().owed().cardinality()).isEqualTo(1);
            assertThat(last.trackSize()).isEqualTo(64 << 10);

            sub.watchWindow(null);
            Thread.sleep(3 * PoolFeed.TRACK_MILLIS); // one message may be under way when the unwatch lands
            int after = ofType(got, "window").size();
            pool.device("std").write(5L * (64 << 10), java.nio.ByteBuffer.allocate(4096));
            Thread.sleep(4 * PoolFeed.TRACK_MILLIS);
            assertThat(ofType(got, "window")).as("nothing after the unwatch").hasSize(after);
        }
    }

    @Test
    void aSyncIsAnsweredAfterTheSnapshotThatShowsWhatWasJustDone() throws Exception {
        Path dir = hold(System.getProperty("user.name"));
        try (FeedSubscription sub = FeedSubscription.open(dir)) {
            List<JsonNode> got = collect(sub);
            await().atMost(WAIT).until(() -> !ofType(got, "snapshot").isEmpty());
            pool.admin().failDrive("d4"); // as a forwarded command would, just before the client syncs
            sub.sync(7);
            JsonNode syncedMessage = first(got, "synced");
            int synced = got.indexOf(syncedMessage);
            assertThat(syncedMessage.path("id").asLong()).isEqualTo(7);
            JsonNode before = got.subList(0, synced).stream().filter(m -> "snapshot".equals(m.path("type").asText()))
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(decode(before.get("snapshot"), PoolSnapshot.class).drive("d4").state())
                    .isEqualTo(org.splitpoint.engine.pool.DriveState.FAILED);
        }
    }

    @Test
    void anotherUsersSubscriptionIsRefused() throws Exception {
        Path dir = hold("someone-else");
        assertThatThrownBy(() -> FeedSubscription.open(dir)).isInstanceOf(ControlClient.Refused.class)
                .hasMessageContaining("held by user someone-else")
                .hasMessageContaining("may not use its control socket");
        assertThat(feed.subscribers()).isZero();
    }

    @Test
    void holderClosingSaysBye() throws Exception {
        Path dir = hold(System.getProperty("user.name"));
        try (FeedSubscription sub = FeedSubscription.open(dir)) {
            List<JsonNode> got = collect(sub);
            await().atMost(WAIT).until(() -> !ofType(got, "snapshot").isEmpty());
            control.close();
            control = null;
            assertThat(first(got, "bye").path("message").asText()).contains("closed the pool");
        }
    }

    private static List<Event> eventsOf(JsonNode m) {
        return List.of(decode(m.get("events"), Event[].class));
    }

    private static <T> T decode(JsonNode n, Class<T> type) {
        try {
            return JSON.treeToValue(n, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("the feed sent what does not decode as " + type.getSimpleName() + ": " + e, e);
        }
    }
}
