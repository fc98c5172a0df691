package org.splitpoint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PoolSnapshot;

/** The {@code --json} documents, with the SPEC's field names. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    static ObjectNode drive(PoolSnapshot.DriveView d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("name", d.name());
        n.put("state", d.state().name());
        n.put("reason", d.reason() == null ? null : d.reason().word());
        n.put("size", d.size());
        n.put("volume", d.volume());
        if (d.journal() != null) {
            n.put("journal", d.journal());
        }
        if (d.rebuildPercent() >= 0) {
            n.put("rebuildPercent", d.rebuildPercent());
        }
        return n;
    }

    static ObjectNode volume(PoolSnapshot.VolumeView v) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("name", v.name());
        n.put("layout", v.layout().word());
        n.put("state", v.state().name());
        n.put("stateReason", v.stateReason());
        n.put("size", v.size());
        ArrayNode drives = n.putArray("drives");
        v.drives().forEach(drives::add);
        if (v.layout() != org.splitpoint.engine.pool.Layout.RAID1) {
            n.put("stripUnit", v.stripUnit());
        }
        n.put("lastBackup", v.lastBackup());
        if (v.restore() != null) {
            ObjectNode r = n.putObject("restore");
            r.put("image", v.restore().image()).put("currentTracks", v.restore().currentTracks())
                    .put("totalTracks", v.restore().totalTracks()).put("onDemandFetches", v.restore().onDemandFetches())
                    .put("waiting", v.restore().waiting());
        }
        return n;
    }

    static ObjectNode job(JobProgress p) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", p.id());
        n.put("kind", p.kind());
        n.put("target", p.target());
        n.put("state", p.state().name());
        n.put("doneTracks", p.doneTracks());
        n.put("totalTracks", p.totalTracks());
        n.put("progress", p.fraction());
        n.put("bytesPerSecond", p.bytesPerSecond());
        n.put("etaSeconds", p.etaSeconds());
        n.put("throttle", p.throttle());
        return n;
    }

    /** The SPEC's pair fields: name, std, bcv, state, stdInvalidTracks, bcvInvalidTracks, ... */
    static ObjectNode pair(org.splitpoint.engine.pool.PairAdmin.PairView v) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("name", v.name());
        n.put("std", v.std());
        n.put("bcv", v.bcv());
        n.put("state", v.state().name());
        n.put("stdInvalidTracks", v.stdInvalidTracks());
        n.put("bcvInvalidTracks", v.bcvInvalidTracks());
        n.put("totalTracks", v.totalTracks());
        n.put("trackSize", v.trackSize());
        n.put("protected", v.isProtected());
        if (v.progress() == null) {
            n.putNull("progress");
        } else {
            n.put("progress", v.progress());
        }
        n.put("onDemandReads", v.onDemandReads());
        return n;
    }

    static ObjectNode status(PoolSnapshot s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("path", s.path());
        n.put("health", s.health().name());
        n.put("trackSize", s.trackSize());
        ArrayNode drives = n.putArray("drives");
        s.drives().forEach(d -> drives.add(drive(d)));
        ArrayNode volumes = n.putArray("volumes");
        s.volumes().forEach(v -> volumes.add(volume(v)));
        ArrayNode jobs = n.putArray("jobs");
        s.jobs().forEach(j -> jobs.add(job(j)));
        ArrayNode problems = n.putArray("problems");
        s.problems().forEach(problems::add);
        return n;
    }

    static void print(PrintWriter out, Object node) throws java.io.IOException {
        out.println(MAPPER.writeValueAsString(node));
        out.flush();
    }
}
