package org.splitpoint.engine.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;

/**
 * An event log far larger than the bus ever writes (it rotates at 16 MiB; a copy, an older build, a hand edit) is
 * read for its last events in bounded time and memory, and a line no event of this engine is (megabytes long) is
 * passed over as a torn one is. Before, the tail read backwards until it had found enough line ends, and then read
 * the whole span into one buffer: a 3 GiB log without a line end ended the open of the app (and the holder's feed to
 * an attached app) in "IllegalArgumentException: capacity < 0" ((int) of 3 GiB), a 1.5 GiB one in an
 * OutOfMemoryError; and a 10 MB line came back as an event with a 10 MB message for the event view to show.
 */
class EventLogHugeTest {

    @TempDir
    Path tmp;

    private static String line(String message) throws Exception {
        return EventBus.JSON.writeValueAsString(Event.info("TEST", "v", message)) + "\n";
    }

    @Test
    @Timeout(60)
    void aLogOfGigabytesWithoutALineEndIsPassedOver() throws Exception {
        Path log = tmp.resolve("events.jsonl");
        try (RandomAccessFile f = new RandomAccessFile(EventBus.previous(log).toFile(), "rw")) {
            f.setLength(3L << 30); // 3 GiB of zeros (a sparse file), no line end
        }
        try (EventBus bus = new EventBus(StorageFactory.real(), log)) {
            bus.publish(Event.info("TEST", "v", "first"));
            bus.publish(Event.info("TEST", "v", "second"));
            bus.drain();
        }
        assertThat(EventBus.readLog(log, 200)).extracting(Event::message).containsExactly("first", "second");
    }

    @Test
    @Timeout(60)
    void aLineOfMegabytesIsPassedOver() throws Exception {
        Path log = tmp.resolve("events.jsonl");
        String huge = line("x".repeat(10_000_000));
        Files.writeString(log, line("before") + huge + line("after"), StandardCharsets.UTF_8);
        assertThat(EventBus.readLog(log, 200)).extracting(Event::message).containsExactly("before", "after");
        // and at the very end, unterminated, or alone
        Files.writeString(log, line("before") + huge.strip(), StandardCharsets.UTF_8);
        assertThat(EventBus.readLog(log, 200)).extracting(Event::message).containsExactly("before");
        Files.writeString(log, huge, StandardCharsets.UTF_8);
        assertThat(EventBus.readLog(log, 200)).isEmpty();
        // lines of a usual size, many: the last ones
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            many.append(line("event " + i));
        }
        Files.writeString(log, many, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        List<Event> last = EventBus.readLog(log, 200);
        assertThat(last).hasSize(200);
        assertThat(last.get(199).message()).isEqualTo("event 49999");
        assertThat(last.get(0).message()).isEqualTo("event 49800");
    }
}
