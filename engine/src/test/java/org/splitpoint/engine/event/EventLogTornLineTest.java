package org.splitpoint.engine.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * A line of the event log cut short (a full disk, a kill during the write) costs that line only:
 * the next event starts a line of its own, in the same process and after a restart. A real client
 * audit filled the disk once: the server's log kept half a line and the next open's "was not shut
 * down cleanly" warning was glued onto it, unreadable.
 */
class EventLogTornLineTest {

    @TempDir
    Path tmp;

    private static List<String> messages(Path log) throws IOException {
        return EventBus.readLog(log, 100).stream().map(Event::message).toList();
    }

    @Test
    void anEventAfterAnUnterminatedLastLineStartsALineOfItsOwn() throws Exception {
        Path log = tmp.resolve("events.jsonl");
        try (EventBus bus = new EventBus(StorageFactory.real(), log)) {
            bus.publish(Event.info("TEST", "v", "first"));
            bus.drain();
        }
        String whole = Files.readString(log);
        Files.writeString(log, whole + whole.substring(0, whole.length() / 2)); // a second line, cut halfway

        try (EventBus bus = new EventBus(StorageFactory.real(), log)) {
            bus.publish(Event.warning("POOL", "v", "volume v was not shut down cleanly"));
            bus.drain();
        }
        assertThat(messages(log)).containsExactly("first", "volume v was not shut down cleanly");
    }

    /**
     * A line that is JSON but no whole event (a hand edit: 'null', '{}', an event without its severity) is passed
     * over as a torn one is. readLog returned null for 'null' and an Event of null fields for the others, and the
     * app's event view filters by e.severity().ordinal() and formats e.time(): a NullPointerException on the FX thread.
     */
    @Test
    void aLineThatIsNoWholeEventIsPassedOverAsATornOneIs() throws Exception {
        Path log = tmp.resolve("events.jsonl");
        try (EventBus bus = new EventBus(StorageFactory.real(), log)) {
            bus.publish(Event.info("TEST", "v", "first"));
            bus.drain();
        }
        String first = Files.readString(log);
        String noSeverity = first.replace("\"severity\":\"INFO\",", "");
        String noTime = first.replaceFirst("\"time\":\"[^\"]*\",", "");
        String noMessage = first.replace("\"message\":\"first\"", "\"message\":null");
        Files.writeString(log, first + "null\n{}\n[]\n\"text\"\n" + noSeverity + noTime + noMessage
                + first.replace("first", "last"));
        assertThat(noSeverity).isNotEqualTo(first);
        assertThat(noTime).isNotEqualTo(first);
        assertThat(noMessage).isNotEqualTo(first);
        List<Event> read = EventBus.readLog(log, 100);
        assertThat(read).extracting(Event::message).containsExactly("first", "last");
    }

    @Test
    void aWriteThatFailsHalfwayLeavesNothingTheNextLinesAreGluedTo() throws Exception {
        Path log = tmp.resolve("events.jsonl");
        AtomicBoolean diskFull = new AtomicBoolean();
        StorageFactory fills = new ForwardingStorage() {
            @Override
            protected StorageFile wrap(Path path, StorageFile file) {
                return halfWrites(file, diskFull);
            }
        };
        try (EventBus bus = new EventBus(fills, log)) {
            bus.publish(Event.info("TEST", "v", "before"));
            bus.drain();
            diskFull.set(true);
            // longer than two of the next line: half of it outlasts the next line written over it
            bus.publish(Event.info("TEST", "v", "a long message cut in the middle of its line " + "x".repeat(400)));
            bus.drain();
            diskFull.set(false);
            bus.publish(Event.info("TEST", "v", "short"));
            bus.drain();
        }
        try (EventBus bus = new EventBus(fills, log)) {
            bus.publish(Event.info("TEST", "v", "after a restart"));
            bus.drain();
        }
        assertThat(messages(log)).containsExactly("before", "short", "after a restart");
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            assertThat(line).as("every line whole").startsWith("{").endsWith("}");
        }
    }

    /** A file whose writes, while {@code full}, put half their bytes down and then fail (ENOSPC). */
    private static StorageFile halfWrites(StorageFile f, AtomicBoolean full) {
        return new ForwardingStorage.ForwardingFile(f) {
            @Override
            public void writeFully(long position, ByteBuffer src) throws IOException {
                if (full.get()) {
                    ByteBuffer half = src.duplicate();
                    half.limit(half.position() + half.remaining() / 2);
                    file.writeFully(position, half);
                    throw new IOException("No space left on device");
                }
                file.writeFully(position, src);
            }
        };
    }
}
