package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.event.Event;

/**
 * What the CLI shows of what happened: `job history`, `pair query`'s splitAt, a volume's problem in
 * `pool status` until `volume verify --repair`, and the sentence of a failed forwarded command in
 * the holder's event log.
 */
class CliHistoryTest {

    @TempDir
    Path tmp;

    private Path pairPool() {
        Path pool = tmp.resolve("pool");
        CliRun.of("pool", "create", pool, "--drives", 4, "--drive-size", "4M");
        CliRun.of("volume", "create", pool, "prod", "--layout", "raid1", "--drives", "d1,d2");
        CliRun.of("volume", "create", pool, "copy", "--layout", "raid1", "--drives", "d3,d4");
        CliRun.of("pair", "create", pool, "p1", "--std", "prod", "--bcv", "copy");
        return pool;
    }

    @Test
    void jobHistoryAndSplitAt() throws Exception {
        Path pool = pairPool();
        assertThat(CliRun.of("job", "history", pool).out()).contains("no job has ended yet");
        assertThat(CliRun.of("pair", "establish", pool, "p1").code()).isZero();
        assertThat(CliRun.of("pair", "split", pool, "p1").code()).isZero();

        JsonNode history = Json.MAPPER.readTree(CliRun.of("job", "history", pool, "--json").out());
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("kind").asText()).isEqualTo("establish");
        assertThat(history.get(0).get("result").asText()).isEqualTo("DONE");
        assertThat(history.get(0).get("bytes").asLong()).isEqualTo(4L << 20);
        assertThat(CliRun.of("job", "history", pool).out()).contains("establish-p1", "DONE", "4 MiB", "64/64");

        JsonNode pair = Json.MAPPER.readTree(CliRun.of("pair", "query", pool, "--json").out()).get(0);
        assertThat(Instant.parse(pair.get("splitAt").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(CliRun.of("pair", "query", pool).out()).contains("SPLIT AT", pair.get("splitAt").asText());
    }

    @Test
    void aResetsHistorySaysItsStepsNotBytesAndTracks() throws Exception {
        Path pool = pairPool();
        CliRun drill = CliRun.of("drill", "run", pool, "--volume", "prod", "--drive", "d2", "--reason", "reset", "--log",
                "pointers", "--writes-for", "0s", "--no-writes");
        assertThat(drill.code()).as(drill.err()).isZero();

        JsonNode reset = null;
        for (JsonNode e : Json.MAPPER.readTree(CliRun.of("job", "history", pool, "--json").out())) {
            reset = e.get("kind").asText().equals("reset") ? e : reset;
        }
        assertThat(reset).as("the reset's entry").isNotNull();
        // it waited through one timed step: 40 ticks of 20 ms were shown as '0 B, 40/40 tracks'
        assertThat(reset.get("doneSteps").asLong()).isEqualTo(1);
        assertThat(reset.get("totalSteps").asLong()).isEqualTo(1);
        assertThat(reset.get("totalTracks").asLong()).isZero();
        String line = CliRun.of("job", "history", pool).out().lines().filter(l -> l.contains("reset-d2")).findFirst().orElseThrow();
        assertThat(line).contains("reset-d2", "DONE", " - ", "1 of 1 steps").doesNotContain("tracks", "0 B");
    }

    /**
     * 'job list' in the holder that ran a reset: its JSON gave the reset's 40 ticks of 20 ms as
     * "doneTracks": 40, "totalTracks": 40, tracks it never copied, where 'job history' says its steps.
     */
    @Test
    void aResetInJobListSaysItsStepsNotTracks() throws Exception {
        Path pool = pairPool();
        try (Holder h = new Holder(pool)) {
            CliRun off = CliRun.of("drive", "offline", pool, "d2", "--reason", "reset");
            assertThat(off.code()).as(off.err()).isZero();
            h.pool.jobs().stream().filter(j -> j.id().equals("reset-d2")).findFirst().orElseThrow().await(30_000);

            JsonNode reset = null;
            for (JsonNode j : Json.MAPPER.readTree(CliRun.of("job", "list", pool, "--json").out())) {
                reset = j.get("id").asText().equals("reset-d2") ? j : reset;
            }
            assertThat(reset).as("the reset's job").isNotNull();
            assertThat(reset.path("unit").asText()).isEqualTo("steps");
            assertThat(reset.path("doneSteps").asLong()).isEqualTo(1);
            assertThat(reset.path("totalSteps").asLong()).isEqualTo(1);
            assertThat(reset.path("doneTracks").asLong()).isZero();
            assertThat(reset.path("totalTracks").asLong()).isZero();
            assertThat(reset.path("progress").asDouble()).isEqualTo(1.0);
            assertThat(reset.path("line").asText()).contains("1 of 1 steps");
            assertThat(CliRun.of("job", "list", pool).out()).contains("reset d2", "1 of 1 steps");

            JsonNode history = Json.MAPPER.readTree(CliRun.of("job", "history", pool, "--json").out());
            assertThat(history.findValuesAsText("unit")).as("the history says what its counts count too").contains("steps");
            assertThat(CliRun.of("drive", "online", pool, "d2").code()).isZero();
        }
    }

    @Test
    void aVolumeProblemShowsInPoolStatusUntilRepaired() throws Exception {
        Path pool = pairPool();
        CliRun.withStdin(new byte[1 << 20], "volume", "write", pool, "prod", "--offset", 0);
        try (FileChannel ch = FileChannel.open(pool.resolve("drives/d2.img"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 100);
        }
        assertThat(CliRun.of("volume", "verify", pool, "prod").out()).contains("1");
        CliRun status = CliRun.of("pool", "status", pool);
        assertThat(status.out()).contains("OPTIMAL (problem)", "problem: verify found 1 mismatched sector in volume prod");
        JsonNode v = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out()).get("volumes").get(0);
        assertThat(v.get("problems").get(0).get("kind").asText()).isEqualTo("verify-mismatch");
        assertThat(CliRun.of("volume", "verify", pool, "prod", "--repair").code()).isZero();
        assertThat(CliRun.of("pool", "status", pool).out()).doesNotContain("problem");
    }

    @Test
    void aFailedForwardedCommandLogsItsSentence() throws Exception {
        Path pool = pairPool();
        try (Holder h = new Holder(pool)) {
            List<Event> events = new CopyOnWriteArrayList<>();
            h.pool.addListener(events::add);
            CliRun r = CliRun.of("pair", "split", pool, "p1");
            assertThat(r.code()).isEqualTo(1);
            long end = System.nanoTime() + 20_000_000_000L; // the bus delivers on its own thread
            while (events.stream().noneMatch(e -> e.message().startsWith("command failed")) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(events).filteredOn(e -> e.message().startsWith("command failed")).singleElement()
                    .extracting(Event::message).asString()
                    .endsWith(": pair p1 was never established; establish it first");
        }
    }
}
