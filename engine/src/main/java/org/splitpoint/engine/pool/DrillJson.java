package org.splitpoint.engine.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A drill's result as JSON, both ways: what {@code drill run --json} prints, and what an app
 * attached to the pool's holder reads back from it. One format in one place, so the two cannot drift
 * apart. Steps carry their start and length in seconds; reason and log mode their words.
 */
public final class DrillJson {

    private DrillJson() {
    }

    /** {@code r} as a JSON document. */
    public static ObjectNode write(Drill.Result r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("volume", r.volume()).put("drive", r.drive()).put("reason", r.reason().word()).put("logMode", r.mode().word());
        n.put("startedAt", r.started().toString());
        n.put("tracksResynced", r.tracksResynced()).put("totalTracks", r.totalTracks())
                .put("resyncFraction", r.resyncFraction()).put("resyncSeconds", r.resyncSeconds())
                .put("estimatedFullRebuildSeconds", r.estimatedFullRebuildSeconds());
        n.put("writes", r.writes()).put("bytesWritten", r.bytesWritten()).put("writesRefused", r.writesRefused())
                .put("workloadErrors", r.workloadErrors()).put("bytesLost", r.bytesLost()).put("lostTracks", r.lostTracks())
                .put("verifyMismatches", r.verifyMismatches());
        n.put("testData", r.testData()).put("deltaTracks", r.deltaTracks()).put("deltaBytes", r.deltaBytes());
        n.put("secondFailure", r.secondFailure());
        n.put("wholeRebuild", r.wholeRebuild());
        ArrayNode t = n.putArray("timeline");
        for (Drill.Step s : r.timeline()) {
            t.addObject().put("step", s.name()).put("start", s.start().toString()).put("seconds", s.seconds())
                    .put("detail", s.detail());
        }
        n.put("summary", r.summary());
        return n;
    }

    /** The result {@link #write} wrote (its derived fields, fraction and summary, are computed again). */
    public static Drill.Result read(JsonNode n) {
        List<Drill.Step> steps = new ArrayList<>();
        for (JsonNode s : n.path("timeline")) {
            Instant start = Instant.parse(s.path("start").asText());
            steps.add(new Drill.Step(s.path("step").asText(), start,
                    // rounded, not cut: cut, a step's end came back a nanosecond early now and then
                    start.plusNanos(Math.round(s.path("seconds").asDouble() * 1e9)), s.path("detail").asText()));
        }
        return new Drill.Result(n.path("volume").asText(), n.path("drive").asText(),
                OfflineReason.parse(n.path("reason").asText()), LogMode.parse(n.path("logMode").asText()),
                Instant.parse(n.path("startedAt").asText()), n.path("tracksResynced").asLong(),
                n.path("totalTracks").asLong(), n.path("resyncSeconds").asDouble(),
                n.path("estimatedFullRebuildSeconds").asDouble(), n.path("writes").asLong(), n.path("bytesWritten").asLong(),
                n.path("writesRefused").asLong(), n.path("workloadErrors").asLong(), n.path("bytesLost").asLong(),
                n.path("lostTracks").asLong(), n.path("verifyMismatches").asLong(), textOrNull(n.path("secondFailure")),
                textOrNull(n.path("wholeRebuild")), steps, n.path("testData").asBoolean(true),
                n.path("deltaTracks").asLong(), n.path("deltaBytes").asLong());
    }

    private static String textOrNull(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? null : n.asText();
    }
}
