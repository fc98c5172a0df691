package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The administrator's path through the CLI: create, write, fail, replace, verify, status. */
class CliFlowTest {

    @TempDir
    Path tmp;

    @Test
    void dataSurvivesFailAndReplaceAndStatusReportsIt() throws Exception {
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 6, "--drive-size", "4M", "--track-size", "16K").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "db", "--layout", "raid5", "--drives", "d1,d2,d3,d4").out())
                .contains("created volume db: raid5 over d1,d2,d3,d4, 12 MiB, OPTIMAL");
        assertThat(CliRun.of("volume", "create", pool, "logs", "--layout", "raid1", "--drives", "d5,d6",
                "--size", "3M").code()).isZero();

        byte[] data = new byte[3_000_000];
        new Random(1).nextBytes(data);
        Path in = tmp.resolve("in.bin");
        Files.write(in, data);
        assertThat(CliRun.of("volume", "write", pool, "db", "--offset", "1000", "--in", in).code()).isZero();

        CliRun fail = CliRun.of("drive", "fail", pool, "d3");
        assertThat(fail.out()).contains("drive d3 is FAILED; volume db is DEGRADED");

        JsonNode degraded = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        assertThat(degraded.at("/volumes/0/state").asText()).isEqualTo("DEGRADED");
        assertThat(degraded.at("/volumes/0/stateReason").asText()).isEqualTo("d3 FAILED");
        assertThat(degraded.at("/health").asText()).isEqualTo("WARNING");

        Path out = tmp.resolve("out.bin");
        assertThat(CliRun.of("volume", "read", pool, "db", "--offset", "1000", "--length", data.length, "--out", out).code()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(data);

        CliRun replace = CliRun.of("drive", "replace", pool, "d3");
        assertThat(replace.code()).as(replace.err()).isZero();
        assertThat(replace.err()).contains("rebuild d3 of db: DONE");

        CliRun verify = CliRun.of("volume", "verify", pool, "db");
        assertThat(verify.out().trim()).isEqualTo("0");
        assertThat(verify.err()).as("the check's end is said, not left at its last progress line").contains("verify db: DONE in ");

        JsonNode status = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        assertThat(status.at("/health").asText()).isEqualTo("HEALTHY");
        JsonNode d3 = status.at("/drives/2");
        assertThat(d3.get("name").asText()).isEqualTo("d3");
        assertThat(d3.get("state").asText()).isEqualTo("ONLINE");
        assertThat(d3.get("size").asLong()).isEqualTo(4 << 20);
        assertThat(d3.has("reason")).isTrue();
        JsonNode logs = status.at("/volumes/1");
        assertThat(logs.get("name").asText()).isEqualTo("logs");
        assertThat(logs.get("layout").asText()).isEqualTo("raid1");
        assertThat(logs.get("size").asLong()).isEqualTo(3 << 20);
        assertThat(logs.get("drives").toString()).isEqualTo("[\"d5\",\"d6\"]");

        assertThat(CliRun.of("volume", "read", pool, "db", "--offset", "1000", "--length", data.length, "--out", out).code()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
    }

    @Test
    void replaceWithNoWaitLeavesTheRebuildForWait() throws Exception {
        Path pool = tmp.resolve("p");
        CliRun.of("pool", "create", pool, "--drives", 2, "--drive-size", "8M");
        CliRun.of("volume", "create", pool, "m", "--layout", "raid1", "--drives", "d1,d2");
        CliRun.of("drive", "fail", pool, "d2");
        assertThat(CliRun.of("drive", "replace", pool, "d2", "--no-wait").code()).isZero();
        JsonNode s = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        assertThat(s.at("/drives/1/state").asText()).isIn("REBUILDING", "ONLINE");
        CliRun w = CliRun.of("wait", pool);
        assertThat(w.code()).as(w.err()).isZero();
        s = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        assertThat(s.at("/drives/1/state").asText()).isEqualTo("ONLINE");
        assertThat(s.at("/volumes/0/state").asText()).isEqualTo("OPTIMAL");
    }

    /** Snapshots from the CLI: one instant for two volumes, list --json with the SPEC's fields, restore, status. */
    @Test
    void snapshotsAreTakenListedAndRestoredFromTheCli() throws Exception {
        Path p = tmp.resolve("snap");
        assertThat(CliRun.of("pool", "create", p, "--drives", 7, "--drive-size", "4M", "--track-size", "16K").code()).isZero();
        CliRun.of("volume", "create", p, "a", "--layout", "raid1", "--drives", "d1,d2");
        CliRun.of("volume", "create", p, "b", "--layout", "raid1", "--drives", "d3,d4");
        CliRun.of("volume", "create", p, "save", "--layout", "raid5", "--drives", "d5,d6,d7");
        assertThat(CliRun.of("snapshot", "save-area", p, "save", "--yes").out()).contains("save area save: 0 B of 8 MiB used");
        byte[] one = new byte[64 << 10];
        new java.util.Random(1).nextBytes(one);
        Path f = java.nio.file.Files.write(tmp.resolve("one"), one);
        assertThat(CliRun.of("volume", "write", p, "a", "--offset", 0, "--in", f).code()).isZero();
        CliRun take = CliRun.of("snapshot", "create", p, "a", "b", "--name", "both");
        assertThat(take.out()).as(take.err()).startsWith("took snapshot both of a, b in ");
        byte[] two = new byte[32 << 10];
        java.util.Arrays.fill(two, (byte) 7);
        Path g = java.nio.file.Files.write(tmp.resolve("two"), two);
        assertThat(CliRun.of("volume", "write", p, "a", "--offset", "16K", "--in", g).code()).isZero();
        JsonNode list = Json.MAPPER.readTree(CliRun.of("snapshot", "list", p, "--json").out());
        assertThat(list).hasSize(2);
        JsonNode a = list.get(0);
        assertThat(a.get("name").asText()).isEqualTo("both");
        assertThat(a.get("volume").asText()).isEqualTo("a");
        assertThat(a.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(a.get("tracksHeld").asLong()).isEqualTo(2);
        assertThat(a.get("bytesHeld").asLong()).isEqualTo(32 << 10);
        assertThat(a.get("state").asText()).isEqualTo("valid");
        assertThat(list.get(1).get("tracksHeld").asLong()).isZero();
        Path out = tmp.resolve("out");
        assertThat(CliRun.of("volume", "read", p, "a@both", "--offset", 0, "--length", "64K", "--out", out).code()).isZero();
        assertThat(java.nio.file.Files.readAllBytes(out)).isEqualTo(one);
        CliRun restore = CliRun.of("snapshot", "restore", p, "a", "both", "--yes");
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(restore.out()).startsWith("restore of a to a@both started: 2 tracks to copy back; safety snapshot"
                + " a@before-restore-");
        assertThat(restore.err()).contains("snapshot-restore a: DONE");
        assertThat(CliRun.of("volume", "read", p, "a", "--offset", 0, "--length", "64K", "--out", out).code()).isZero();
        assertThat(java.nio.file.Files.readAllBytes(out)).isEqualTo(one);
        JsonNode status = Json.MAPPER.readTree(CliRun.of("pool", "status", p, "--json").out());
        assertThat(status.at("/saveArea/volume").asText()).isEqualTo("save");
        assertThat(status.at("/saveArea/usedTracks").asLong()).isEqualTo(4); // both's 2, the safety snapshot's 2
        assertThat(status.at("/snapshots")).hasSize(3);
        assertThat(CliRun.of("pool", "status", p).out()).contains("save area save: 64 KiB of 8 MiB used", "3 snapshots");
        CliRun del = CliRun.of("snapshot", "delete", p, "a", "both", "--yes");
        assertThat(del.out()).startsWith("deleted snapshot a@both; the save area is now 32 KiB of 8 MiB used");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(CliRun.of().code()).isEqualTo(2);
        assertThat(CliRun.of("pool", "frobnicate").code()).isEqualTo(2);
        assertThat(CliRun.of("--help").code()).isZero();
    }

    @Test
    void aDriveTakenOfflineShowsItsDeltaAndComesBackWithItAlone() throws Exception {
        Path p = tmp.resolve("svc");
        assertThat(CliRun.of("pool", "create", p, "--drives", 5, "--drive-size", "8M").code()).isZero();
        assertThat(CliRun.of("volume", "create", p, "v", "--layout", "raid5", "--drives", "d1,d2,d3,d4").code()).isZero();
        CliRun off = CliRun.of("drive", "offline", p, "d3", "--reason", "diagnostics", "--log", "data");
        assertThat(off.code()).as(off.err()).isZero();
        assertThat(off.out()).contains("drive d3 is OFFLINE (diagnostics); volume v is SERVICE, writes logged as data");
        assertThat(off.err()).contains("diagnostics d3").contains("DONE");
        byte[] data = new byte[300_000];
        new java.util.Random(3).nextBytes(data);
        Path in = Files.write(tmp.resolve("svc-in"), data);
        assertThat(CliRun.of("volume", "write", p, "v", "--offset", "1000000", "--in", in).code()).isZero();
        var status = Json.MAPPER.readTree(CliRun.of("pool", "status", p, "--json").out());
        var d3 = status.get("drives").get(2);
        assertThat(d3.get("state").asText()).isEqualTo("OFFLINE");
        assertThat(d3.get("reason").asText()).isEqualTo("diagnostics");
        assertThat(d3.get("logMode").asText()).isEqualTo("data");
        assertThat(d3.get("deltaTracks").asLong()).isPositive();
        assertThat(d3.get("deltaBytes").asLong()).isPositive();
        assertThat(d3.get("since").asText()).startsWith("20");
        assertThat(status.get("volumes").get(0).get("state").asText()).isEqualTo("SERVICE");
        long delta = d3.get("deltaTracks").asLong();
        CliRun on = CliRun.of("drive", "online", p, "d3");
        assertThat(on.code()).as(on.err()).isZero();
        assertThat(on.out()).contains("drive d3 is ONLINE: " + delta + " of ").contains("volume v is OPTIMAL");
        assertThat(CliRun.of("volume", "verify", p, "v").out().trim()).isEqualTo("0");
        Path out = tmp.resolve("svc-out");
        assertThat(CliRun.of("volume", "read", p, "v", "--offset", "1000000", "--length", "300000", "--out", out).code()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
    }

    /**
     * RAID 3 keeps every stripe's parity on one drive, the last named at the creation: the CLI says
     * which, as the app's layout diagram does, so that an administrator knows what a failure of it means.
     */
    @Test
    void raid3SaysWhichDriveHoldsItsParity() throws Exception {
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 4, "--drive-size", "4M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid3", "--drives", "d3,d1,d2").out())
                .contains("created volume v: raid3 over d3,d1,d2 (parity on d2), 8 MiB, OPTIMAL");
        assertThat(CliRun.of("volume", "list", pool).out()).contains("d3,d1,d2 (parity on d2)");
        JsonNode status = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        assertThat(status.at("/volumes/0/parityDrive").asText()).isEqualTo("d2");
    }
}
