package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `volume delete`, `pair delete` and `drive replace --spare`: refusals as one sentence, confirmation, the result. */
class CliLifecycleTest {

    @TempDir
    Path tmp;

    private Path poolWithAPair() {
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 6, "--drive-size", "4M", "--track-size", "16K").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "a", "--layout", "raid1", "--drives", "d1,d2").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "b", "--layout", "raid1", "--drives", "d3,d4").code()).isZero();
        assertThat(CliRun.of("pair", "create", pool, "p", "--std", "a", "--bcv", "b").code()).isZero();
        return pool;
    }

    @Test
    void aVolumeInAPairIsDeletedOnlyAfterThePairAndOnlyWhenConfirmed() throws Exception {
        Path pool = poolWithAPair();
        CliRun refused = CliRun.of("volume", "delete", pool, "a", "--yes");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(refused)).isEqualTo("splitpoint: volume a is the STD of pair p; delete the pair first");

        var before = CliRun.fingerprint(pool.resolve("drives"));
        CliRun unconfirmed = CliRun.of("pair", "delete", pool, "p");
        assertThat(unconfirmed.code()).isEqualTo(2);
        assertThat(CliRun.oneSentence(unconfirmed)).contains("deleting pair p ends the tracking between a and b")
                .contains("add --yes to confirm");
        assertThat(CliRun.of("pair", "query", pool, "p").code()).isZero();

        CliRun deleted = CliRun.of("pair", "delete", pool, "p", "--yes");
        assertThat(deleted.code()).as(deleted.err()).isZero();
        assertThat(deleted.out()).contains("deleted pair p; volumes a and b are independent");

        CliRun noYes = CliRun.of("volume", "delete", pool, "a");
        assertThat(noYes.code()).isEqualTo(2);
        assertThat(CliRun.oneSentence(noYes)).contains("deleting volume a loses the 4 MiB it holds (raid1 over d1,d2)");
        CliRun gone = CliRun.of("volume", "delete", pool, "a", "--yes");
        assertThat(gone.code()).as(gone.err()).isZero();
        assertThat(gone.out()).contains("deleted volume a; drives d1,d2 are back in the bay");
        assertThat(CliRun.fingerprint(pool.resolve("drives"))).isEqualTo(before);

        JsonNode status = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        assertThat(status.at("/volumes").size()).isEqualTo(1);
        assertThat(status.at("/drives/0/state").asText()).isEqualTo("SPARE");
        assertThat(status.at("/drives/1/state").asText()).isEqualTo("SPARE");
    }

    @Test
    void checkSaysWhetherTheEngineWouldGoAheadAndChangesNothing() throws Exception {
        Path pool = poolWithAPair();
        var before = CliRun.fingerprint(pool.resolve("drives"));
        CliRun no = CliRun.of("volume", "delete", pool, "a", "--check");
        assertThat(no.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(no)).isEqualTo("splitpoint: volume a is the STD of pair p; delete the pair first");
        CliRun yes = CliRun.of("pair", "delete", pool, "p", "--check");
        assertThat(yes.code()).as(yes.err()).isZero();
        assertThat(yes.out()).contains("pair p may be deleted");
        assertThat(CliRun.of("pair", "query", pool, "p").code()).as("--check deleted nothing").isZero();
        assertThat(CliRun.of("drive", "fail", pool, "d3").code()).isZero();
        CliRun spare = CliRun.of("drive", "replace", pool, "d3", "--spare", "d5", "--check");
        assertThat(spare.code()).as(spare.err()).isZero();
        assertThat(spare.out()).contains("spare drive d5 may take the place of d3");
        JsonNode status = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        assertThat(status.at("/volumes/1/drives").toString()).as("--check replaced nothing").contains("d3");
        assertThat(CliRun.fingerprint(pool.resolve("drives"))).isEqualTo(before);
    }

    @Test
    void checkAnsweredNoInTheHolderIsNoWarning() throws Exception {
        Path pool = poolWithAPair();
        try (Holder h = new Holder(pool)) {
            java.util.List<org.splitpoint.engine.event.Event> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            h.pool.addListener(seen::add);
            assertThat(CliRun.of("volume", "delete", pool, "a", "--check").code()).isEqualTo(1);
            h.pool.events().drain();
            assertThat(seen).extracting(e -> e.severity() + " " + e.message())
                    .contains("INFO check answered no: splitpoint volume delete " + pool + " a --check: volume a is the STD"
                            + " of pair p; delete the pair first")
                    .noneMatch(l -> l.startsWith("WARNING"));
        }
    }

    @Test
    void driveAddCountAddsThatManySpares() {
        Path pool = poolWithAPair();
        CliRun added = CliRun.of("drive", "add", pool, "--count", 2);
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("added drive d7 (SPARE)\nadded drive d8 (SPARE)\n");
        assertThat(CliRun.oneSentence(CliRun.of("drive", "add", pool, "--count", 0))).isEqualTo("splitpoint: --count must be 1"
                + " or more, not 0");
    }

    @Test
    void aSpareTakesAFailedDrivesPlaceAndIsRebuilt() throws Exception {
        Path pool = poolWithAPair();
        assertThat(CliRun.of("drive", "fail", pool, "d3").code()).isZero();
        CliRun notSpare = CliRun.of("drive", "replace", pool, "d3", "--spare", "d1");
        assertThat(notSpare.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(notSpare))
                .isEqualTo("splitpoint: drive d1 is ONLINE in volume a; only a SPARE drive can take d3's place");

        CliRun replaced = CliRun.of("drive", "replace", pool, "d3", "--spare", "d5");
        assertThat(replaced.code()).as(replaced.err()).isZero();
        assertThat(replaced.out()).contains("spare drive d5 takes the place of d3 in volume b; rebuild job")
                .contains("d3 stays FAILED");
        JsonNode status = Json.MAPPER.readTree(CliRun.of("pool", "status", pool, "--json").out());
        JsonNode b = status.at("/volumes/1");
        assertThat(b.get("state").asText()).isEqualTo("OPTIMAL");
        assertThat(b.get("drives").toString()).isEqualTo("[\"d5\",\"d4\"]");
        assertThat(status.at("/drives/2/state").asText()).isEqualTo("FAILED");
        assertThat(status.at("/drives/4/state").asText()).isEqualTo("ONLINE");
        assertThat(CliRun.of("volume", "verify", pool, "b").out().trim()).isEqualTo("0");
    }

    @Test
    void aRunningCopyHoldsThePairUntilStopped() {
        Path pool = poolWithAPair();
        assertThat(CliRun.of("pair", "establish", pool, "p", "--no-wait").code()).isZero();
        CliRun refused = CliRun.of("pair", "delete", pool, "p", "--yes");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(refused)).isEqualTo("splitpoint: pair p is SyncInProg (the BCV is being copied from"
                + " the STD); stop the copy first, or wait until it finishes (--stop)");
        CliRun stopped = CliRun.of("pair", "delete", pool, "p", "--stop", "--yes");
        assertThat(stopped.code()).as(stopped.err()).isZero();
        assertThat(CliRun.of("pair", "query", pool).out()).doesNotContain("SyncInProg");
    }

    @Test
    void aRestoreOfASideHoldsThePairEvenWithStop() {
        Path pool = poolWithAPair();
        assertThat(CliRun.of("volume", "create", pool, "save", "--layout", "raid1", "--drives", "d5,d6").code()).isZero();
        assertThat(CliRun.of("snapshot", "save-area", pool, "save", "--yes").code()).isZero();
        assertThat(CliRun.of("snapshot", "create", pool, "a", "s1").code()).isZero();
        CliRun written = CliRun.withStdin(new byte[65536], "volume", "write", pool, "a", "--offset", 0);
        assertThat(written.code()).as(written.err()).isZero();
        CliRun restore = CliRun.of("snapshot", "restore", pool, "a", "s1", "--no-wait", "--no-safety", "--yes");
        assertThat(restore.code()).as(restore.err()).isZero();
        String sentence = "splitpoint: volume a (the STD of pair p) is being restored from a snapshot; wait for that"
                + " restore or cancel it before deleting the pair";
        CliRun check = CliRun.of("pair", "delete", pool, "p", "--check");
        assertThat(check.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(check)).isEqualTo(sentence);
        CliRun refused = CliRun.of("pair", "delete", pool, "p", "--stop", "--yes");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(refused)).isEqualTo(sentence);
        assertThat(CliRun.of("pair", "query", pool, "p").code()).as("the pair stays").isZero();
        assertThat(CliRun.of("wait", pool).code()).isZero();
        CliRun deleted = CliRun.of("pair", "delete", pool, "p", "--yes");
        assertThat(deleted.code()).as(deleted.err()).isZero();
    }

    @Test
    void aPairIsNotMadeOfAVolumeBeingRestoredAndNothingChanges() throws Exception {
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 6, "--drive-size", "4M", "--track-size", "16K").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "a", "--layout", "raid1", "--drives", "d1,d2").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "b", "--layout", "raid1", "--drives", "d3,d4").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "save", "--layout", "raid1", "--drives", "d5,d6").code()).isZero();
        assertThat(CliRun.of("snapshot", "save-area", pool, "save", "--yes").code()).isZero();
        assertThat(CliRun.of("snapshot", "create", pool, "a", "s1").code()).isZero();
        CliRun written = CliRun.withStdin(new byte[65536], "volume", "write", pool, "a", "--offset", 0);
        assertThat(written.code()).as(written.err()).isZero();
        CliRun restore = CliRun.of("snapshot", "restore", pool, "a", "s1", "--no-wait", "--no-safety", "--yes");
        assertThat(restore.code()).as(restore.err()).isZero();
        CliRun refused = CliRun.of("pair", "create", pool, "p", "--std", "a", "--bcv", "b");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(refused)).isEqualTo("splitpoint: volume a (the STD of pair p) is being restored from"
                + " a snapshot; wait for that restore or cancel it before creating the pair");
        assertThat(pool.resolve("meta").resolve("p.std.inv")).as("no pair bitmap made").doesNotExist();
        assertThat(CliRun.of("pair", "query", pool, "p").code()).as("no pair").isEqualTo(1);
        assertThat(CliRun.of("wait", pool).code()).isZero();
        CliRun made = CliRun.of("pair", "create", pool, "p", "--std", "a", "--bcv", "b");
        assertThat(made.code()).as(made.err()).isZero();
    }
}
