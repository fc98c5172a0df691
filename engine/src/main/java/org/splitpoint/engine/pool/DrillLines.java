package org.splitpoint.engine.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Consumer;
import org.splitpoint.engine.bitmap.TrackBitmap;

/**
 * A drill as it runs, as JSON lines, both ways: what {@code drill run --json-lines} prints (one
 * object a line, flushed as it happens) and what an app attached to the pool's holder reads back to
 * show the drill live — the same steps, write count and window map as when the app holds the pool.
 *
 * <p>Why lines on the command's own output, not messages of the subscription stream: the drill is a
 * command the holder runs for one client, and its steps and counts belong to that run; the stream
 * carries the pool's state to every subscriber. The holder already sends a command's output frame by
 * frame as it is written, so nothing new is needed in the protocol, a script reads exactly what the
 * app reads, and {@code --json}'s single document stays as it was ({@link DrillJson}, whose fields
 * the last line repeats).
 *
 * <p>The lines, each with a {@code type}:
 * <ul>
 * <li>{@code step}: {@code step} (its name), {@code detail}, {@code at} (an instant) — a step began;
 * <li>{@code writes}: {@code writes}, {@code bytesWritten} — the drill's workload so far, at most four
 *     times a second and only when it changed;
 * <li>{@code window}: {@code volume}, {@code phase} ({@code window} while the drive is out,
 *     {@code resync} while its delta is written back, null once no window is open), {@code trackSize},
 *     {@code tracks}, {@code owed} (the tracks owed to the drive now: base64 of big-endian 64-bit
 *     words, the subscription stream's encoding) — when the owed tracks changed, at most four times a
 *     second, and at each step (the delta is final when the drive comes back);
 * <li>{@code result}, last: the fields of {@code drill run --json}'s document.
 * </ul>
 * Readers ignore unknown types and fields (a later version may add some).
 */
public final class DrillLines {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The least time between two writes (or window) lines: the app's map samples five times a second. */
    private static final long PACE_NANOS = 250_000_000L;

    private DrillLines() {
    }

    /** One line read back. */
    public sealed interface Line permits Began, Writes, Window, Finished, Other { }

    /** A step began at {@code at}. */
    public record Began(String step, String detail, Instant at) implements Line { }

    /** The workload's figures so far. */
    public record Writes(long writes, long bytes) implements Line { }

    /** {@code volume}'s service window now: {@code map} null once none is open. */
    public record Window(String volume, int trackSize, ServiceAdmin.TrackMap map) implements Line { }

    /** The drill's result, last. */
    public record Finished(Drill.Result result) implements Line { }

    /** A line of a type this version does not know. */
    public record Other(String type) implements Line { }

    // ---- writing

    public static String step(String name, String detail, Instant at) {
        return line("step").put("step", name).put("detail", detail).put("at", at.toString()).toString();
    }

    public static String writes(long writes, long bytes) {
        return line("writes").put("writes", writes).put("bytesWritten", bytes).toString();
    }

    /**
     * {@code volume}'s window line as {@code map} shows it (null: no window open), as a JSON object:
     * also the {@code window} message of the subscription stream (control.PoolFeed), so an attached
     * app draws a window opened by any command, not only a drill's.
     */
    public static ObjectNode windowNode(String volume, int trackSize, ServiceAdmin.TrackMap map) {
        ObjectNode n = line("window").put("volume", volume).put("trackSize", trackSize);
        if (map == null) {
            n.putNull("phase");
            return n;
        }
        return n.put("phase", map.phase()).put("tracks", map.owed().size())
                .put("owed", TrackBitmap.wordBytes(map.owed().toWords())); // base64, as Jackson writes bytes
    }

    /** A window line or message (see {@link #windowNode}) read back; an {@link IOException} when malformed. */
    public static Window window(JsonNode n) throws IOException {
        try {
            return new Window(n.path("volume").asText(), n.path("trackSize").asInt(), trackMap(n));
        } catch (RuntimeException e) {
            throw new IOException("a window could not be read (" + e.getMessage() + ")", e);
        }
    }

    public static String result(Drill.Result r) {
        ObjectNode n = line("result");
        n.setAll(DrillJson.write(r));
        return n.toString();
    }

    private static ObjectNode line(String type) {
        return JsonNodeFactory.instance.objectNode().put("type", type);
    }

    // ---- reading

    /** The line {@code text} (one of the above); an {@link IOException} when it is not JSON of this format. */
    public static Line read(String text) throws IOException {
        JsonNode n = JSON.readTree(text);
        if (n == null || !n.isObject()) {
            throw new IOException("not a drill line: " + abbreviate(text));
        }
        try {
            String type = n.path("type").asText();
            return switch (type) {
                case "step" -> new Began(n.path("step").asText(), n.path("detail").asText(""),
                        Instant.parse(n.path("at").asText()));
                case "writes" -> new Writes(n.path("writes").asLong(), n.path("bytesWritten").asLong());
                case "window" -> window(n);
                case "result" -> new Finished(DrillJson.read(n));
                default -> new Other(type);
            };
        } catch (RuntimeException | IOException e) { // an IOException here: owed's base64 is malformed
            throw new IOException("a drill line could not be read (" + e.getMessage() + "): " + abbreviate(text), e);
        }
    }

    private static ServiceAdmin.TrackMap trackMap(JsonNode n) throws IOException {
        if (n.path("phase").isNull() || n.path("phase").isMissingNode()) {
            return null;
        }
        long tracks = n.path("tracks").asLong();
        byte[] bytes = n.path("owed").binaryValue(); // null when missing: no words
        long[] words = TrackBitmap.wordsOf(bytes == null ? new byte[0] : bytes);
        if (words.length != (tracks + 63) >>> 6) {
            throw new IllegalArgumentException(tracks + " tracks in " + words.length + " words");
        }
        TrackBitmap owed = new TrackBitmap(tracks);
        owed.loadWords(words);
        return new ServiceAdmin.TrackMap(owed, n.path("phase").asText());
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    /**
     * The drill's listener that prints its lines to {@code out} as it runs (on the drill's thread,
     * which calls a listener every 100-200 ms): steps at once, the write count and the window map
     * paced and only when they changed. {@link #finished} prints the last window and the result.
     */
    public static final class Printer implements Drill.Listener {
        private final Pool pool;
        private final String volume;
        private final Consumer<String> out;
        private long lastPaced = Long.MIN_VALUE / 2;
        private long lastWrites = -1;
        private final WindowChanges windows = new WindowChanges();

        public Printer(Pool pool, String volume, Consumer<String> out) {
            this.pool = pool;
            this.volume = volume;
            this.out = out;
        }

        @Override
        public void step(String name, String detail) {
            window(); // before the step: at "online" the delta is final, and shows whole
            out.accept(DrillLines.step(name, detail == null ? "" : detail, Instant.now()));
        }

        @Override
        public void writes(long writes, long bytes) {
            long now = System.nanoTime();
            if (now - lastPaced < PACE_NANOS) {
                return;
            }
            lastPaced = now;
            if (writes != lastWrites) {
                lastWrites = writes;
                out.accept(DrillLines.writes(writes, bytes));
            }
            window();
        }

        /** The drill ended with {@code r}: its window's last picture (none open), then the result. */
        public void finished(Drill.Result r) {
            window();
            out.accept(result(r));
        }

        private void window() {
            ObjectNode n = windows.next(volume, pool.trackSize(), pool.service().trackMap(volume));
            if (n != null) {
                out.accept(n.toString());
            }
        }
    }

    /**
     * A volume's window pictures, each only when it changed (its phase or its owed tracks): what a
     * drill prints and what the subscription stream sends (control.PoolFeed). Compared as words, so
     * an unchanged window is not encoded again.
     */
    public static final class WindowChanges {
        private static final String NONE_YET = ""; // no phase is empty: the next picture differs
        private String lastPhase = NONE_YET;
        private long[] lastOwed;

        /** {@code map}'s window message (see {@link #windowNode}) when it differs from the last one returned, else null. */
        public ObjectNode next(String volume, int trackSize, ServiceAdmin.TrackMap map) {
            String phase = map == null ? null : map.phase();
            long[] owed = map == null ? null : map.owed().toWords();
            if (java.util.Objects.equals(phase, lastPhase) && Arrays.equals(owed, lastOwed)) {
                return null;
            }
            lastPhase = phase;
            lastOwed = owed;
            return windowNode(volume, trackSize, map);
        }

        /** The next picture is returned whatever it is (a new watch, a heartbeat). */
        public void forget() {
            lastPhase = NONE_YET;
        }
    }
}
