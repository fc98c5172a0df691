package org.splitpoint.engine.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;

/**
 * The pool's event log is bounded: it was never rotated, so a pool served for months (or a client
 * looping on bad handshakes, 20 lines every 10 s) grew meta/events.jsonl on the file system that
 * holds pool.json until it was full. Past its limit it becomes events.1.jsonl and a new one begins;
 * the history is read across the two.
 */
class EventLogRotationTest {

    @TempDir
    Path tmp;

    @Test
    void theLogIsRotatedPastItsLimitAndReadAcrossTheTwo() throws Exception {
        Path log = tmp.resolve("events.jsonl");
        long limit = 4096;
        int n = 400; // about 100 bytes a line: several rotations
        try (EventBus bus = new EventBus(StorageFactory.real(), log, limit)) {
            for (int i = 0; i < n; i++) {
                bus.publish(Event.info("TEST", "v", "event " + i));
            }
            bus.drain();
        }
        Path before = tmp.resolve("events.1.jsonl");
        assertThat(Files.size(log)).isLessThan(limit + 512);
        assertThat(Files.size(before)).isBetween(limit, limit + 512);
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("events.1.jsonl", "events.jsonl");
        }
        List<String> last = EventBus.readLog(log, 30).stream().map(Event::message).toList();
        assertThat(last).containsExactlyElementsOf(IntStream.range(n - 30, n).mapToObj(i -> "event " + i).toList());
        List<String> all = EventBus.readLog(log, 10_000).stream().map(Event::message).toList();
        assertThat(all.size()).as("the two logs' lines").isGreaterThan(40).isLessThan(n);
        assertThat(all).containsExactlyElementsOf(IntStream.range(n - all.size(), n).mapToObj(i -> "event " + i).toList());
    }

    @Test
    void anOpeningAfterARotationCutBeforeTheNewLogWasMadeBeginsOne() throws Exception {
        Path log = tmp.resolve("events.jsonl");
        try (EventBus bus = new EventBus(StorageFactory.real(), log, 1 << 20)) {
            bus.publish(Event.info("TEST", "v", "before"));
            bus.drain();
        }
        Files.move(log, tmp.resolve("events.1.jsonl")); // a crash between the rename and the create
        try (EventBus bus = new EventBus(StorageFactory.real(), log, 1 << 20)) {
            bus.publish(Event.info("TEST", "v", "after"));
            bus.drain();
        }
        assertThat(EventBus.readLog(log, 10).stream().map(Event::message).toList()).containsExactly("before", "after");
    }
}
