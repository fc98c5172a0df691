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
        if (d.service() != null) {
            var w = d.service();
            n.put("reason", w.reason().word());
            n.put("logMode", w.logMode().word());
            n.put("deltaTracks", w.deltaTracks());
            n.put("deltaBytes", w.deltaBytes());
            n.put("since", w.since());
            n.put("phase", w.phase());
            if (w.repository() != null) {
                n.put("repositoryDrive", w.repository());
            }
        }
        if (d.repository() != null) {
            n.put("repositoryOf", d.repository());
        }
        return n;
    }

    /** A snapshot as {@code snapshot list --json} shows it (SPEC: name, volume, createdAt, tracksHeld, bytesHeld, state). */
    static ObjectNode snapshot(org.splitpoint.engine.pool.SnapshotAdmin.Info i) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("name", i.name());
        n.put("volume", i.volume());
        n.put("createdAt", i.createdAt());
        n.put("tracksHeld", i.tracksHeld());
        n.put("bytesHeld", i.bytesHeld());
        n.put("state", i.state());
        if (i.why() != null) {
            n.put("why", i.why());
        }
        n.put("restoring", i.restoring());
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
        if (v.parityDrive() != null) {
            n.put("parityDrive", v.parityDrive());
        }
        n.put("lastBackup", v.lastBackup());
        if (v.stripeJournal() != null) {
            n.putObject("stripeJournal").put("liveBytes", v.stripeJournal().liveBytes())
                    .put("capacity", v.stripeJournal().capacity()).put("fileBytes", v.stripeJournal().fileBytes());
        }
        if (!v.lostTracks().isEmpty()) {
            ArrayNode lost = n.putArray("lostTracks");
            v.lostTracks().forEach(lost::add);
        }
        ArrayNode problems = n.putArray("problems");
        v.problems().forEach(p -> problems.addObject().put("kind", p.kind().word()).put("count", p.count())
                .put("since", p.since()).put("detail", p.detail()).put("sentence", p.sentence()));
        if (v.restore() != null) {
            ObjectNode r = n.putObject("restore");
            r.put("image", v.restore().image()).put("currentTracks", v.restore().currentTracks())
                    .put("totalTracks", v.restore().totalTracks()).put("onDemandFetches", v.restore().onDemandFetches())
                    .put("waiting", v.restore().waiting()).put("copyStopped", v.restore().copyStopped());
        }
        return n;
    }

    /**
     * A job's fields. A firmware update's or a reset's job counts ticks of a clock, not tracks: it
     * says its steps in doneSteps/totalSteps, its tracks are 0 (as in 'job history --json'), and
     * {@code unit} says which of the two counts its progress ("tracks" or "steps"; a diagnostics scan's
     * doneTracks/totalTracks count mebibytes read: "MiB").
     */
    static ObjectNode job(JobProgress p) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", p.id());
        n.put("kind", p.kind());
        n.put("target", p.target());
        n.put("state", p.state().name());
        n.put("unit", p.timed() ? "steps" : p.unit());
        n.put("doneTracks", p.timed() ? 0 : p.doneTracks());
        n.put("totalTracks", p.timed() ? 0 : p.totalTracks());
        n.put("doneSteps", p.doneSteps());
        n.put("totalSteps", p.totalSteps());
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
        n.put("splitAt", v.splitAt()); // SPEC: ISO time of the last split, else null
        n.put("failedSide", v.failedSide()); // "STD" / "BCV" FAILED under a mirroring state, else null
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
        ArrayNode warnings = n.putArray("warnings");
        s.warnings().forEach(warnings::add);
        if (s.saveArea() != null) {
            var a = s.saveArea();
            n.putObject("saveArea").put("volume", a.volume()).put("bytes", a.bytes()).put("usedBytes", a.usedBytes())
                    .put("tracks", a.slots()).put("usedTracks", a.usedSlots()).put("percentUsed", a.percentUsed());
        }
        ArrayNode snaps = n.putArray("snapshots");
        s.snapshots().forEach(i -> snaps.add(snapshot(i)));
        ArrayNode sr = n.putArray("snapshotRestores");
        for (var r : s.snapshotRestores()) {
            sr.addObject().put("volume", r.volume()).put("snapshot", r.source() + "@" + r.snapshot())
                    .put("safety", r.safety()).put("tracksToRestore", r.owedTracks()).put("totalTracks", r.totalTracks())
                    .put("onDemandReads", r.onDemandFetches());
        }
        return n;
    }

    /** A drill's result: its figures and its timeline. */
    static void print(PrintWriter out, Object node) throws java.io.IOException {
        out.print(MAPPER.writeValueAsString(node)); // its lines are the document's, not one (LineWriter)
        out.println();
        out.flush();
    }
}
