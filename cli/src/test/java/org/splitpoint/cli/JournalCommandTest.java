package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code splitpoint volume journal ...} and {@code volume rebuild-from-backup} as an administrator
 * runs them (issue 12): enable, write, ship, lose two drives of a RAID 5, rebuild exactly; bad input
 * answered with one sentence, changing nothing.
 */
class JournalCommandTest {

    @org.junit.jupiter.api.io.TempDir
    Path tmp;
    Path pool;
    Path store;
    byte[] expect;

    @BeforeEach
    void poolWithData() throws Exception {
        pool = tmp.resolve("p");
        store = tmp.resolve("store");
        Files.createDirectories(store);
        assertThat(CliRun.of("pool", "create", pool, "--drives", 6, "--drive-size", "4M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid5", "--drives", "d1,d2,d3").code()).isZero();
        expect = new byte[8 << 20];
        write(0, 1 << 20, 1);
    }

    private void write(int offset, int length, int seed) throws Exception {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        Path in = Files.write(tmp.resolve("in-" + seed), data);
        CliRun w = CliRun.of("volume", "write", pool, "v", "--offset", offset, "--in", in);
        assertThat(w.code()).as(w.err()).isZero();
        System.arraycopy(data, 0, expect, offset, length);
    }

    private byte[] volume() throws Exception {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", "8M", "--out", out);
        assertThat(r.code()).as(r.err()).isZero();
        return Files.readAllBytes(out);
    }

    private void assertRefused(int code, String text, Object... args) throws Exception {
        Map<String, String> before = CliRun.fingerprint(pool);
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(CliRun.oneSentence(r)).contains(text);
        assertThat(CliRun.fingerprint(pool)).isEqualTo(before);
    }

    @Test
    void enableWriteShipLoseTwoDrivesAndRebuildExactly() throws Exception {
        CliRun enable = CliRun.of("volume", "journal", "enable", pool, "v", "--drives", "d4,d5", "--store", store,
                "--max-size", "2M", "--max-age", "1h");
        assertThat(enable.code()).as(enable.err()).isZero();
        assertThat(enable.out()).contains("journal of v enabled on d4 and d5");
        write(100_000, 300_000, 2);
        CliRun status = CliRun.of("volume", "journal", "status", pool, "v");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("protecting the volume: it builds on image v-", "1 entry, ", "last ship: never",
                "next ship: at 2 MiB");
        var json = Json.MAPPER.readTree(CliRun.of("volume", "journal", "status", pool, "v", "--json").out());
        assertThat(json.get("entries").asInt()).isEqualTo(1);
        assertThat(json.get("drives").get(0).get("healthy").asBoolean()).isTrue();
        assertThat(json.has("nextBaseTrySeconds")).as("the base backup's next try, as the engine's status has it").isTrue();
        assertThat(json.get("nextBaseTrySeconds").isNull()).as("none due: it has its base").isTrue();
        CliRun ship = CliRun.of("volume", "journal", "ship", pool, "v");
        assertThat(ship.code()).as(ship.err()).isZero();
        assertThat(CliRun.of("volume", "journal", "status", pool, "v").out()).contains("0 entries", "ok: image v-");
        write(5_000_000, 70_000, 3); // after the ship: only in the journal
        assertThat(CliRun.of("pool", "status", pool).out()).contains("d4", "journal of v");
        assertThat(CliRun.of("drive", "fail", pool, "d1").code()).isZero();
        Files.delete(pool.resolve("drives/d2.img"));
        CliRun preview = CliRun.of("volume", "rebuild-from-backup", pool, "v", "--preview");
        // exit 1 for the pool's standing problem (d2's image is missing), said after the preview
        assertThat(preview.err()).contains("the image of drive d2").doesNotContain("Exception");
        // a person reads lines; JSON with --json, as the other commands do
        assertThat(preview.out()).contains("volume v is FAILED (", "); lost: d1, d2\n", "  would rebuild from v-",
                "  plus 1 journal entry (", "), then copy 8 MiB (128 tracks)\n",
                "nothing was started: the same command without --preview rebuilds it").doesNotContain("{");
        CliRun asJson = CliRun.of("volume", "rebuild-from-backup", pool, "v", "--preview", "--json");
        assertThat(asJson.out()).contains("\"lostDrives\" : [ \"d1\", \"d2\" ]", "\"entries\" : 1");
        assertThat(Json.MAPPER.readTree(asJson.out()).get("chain").size()).isPositive();
        assertThat(CliRun.of("pool", "status", pool).out()).as("a preview starts nothing").doesNotContain("rebuild", "restoring", "instant-restore");
        // a refusal says only why: it printed the plan first ('lost: d1, d2 (replaced by d4, d5) … then copying 8 MiB')
        CliRun refused = CliRun.of("volume", "rebuild-from-backup", pool, "v", "--drives", "d4,d5");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(CliRun.oneSentence(refused)).contains("drive d4 is ONLINE, holding the journal of v");
        assertThat(refused.out()).isEmpty();
        CliRun rebuild = CliRun.of("volume", "rebuild-from-backup", pool, "v");
        assertThat(rebuild.code()).as(rebuild.err()).isZero();
        assertThat(rebuild.out()).containsPattern("; job \\S+");
        assertThat(rebuild.out()).contains("volume v is FAILED", "lost: d1, d2", "-journal in ", "plus 1 journal entry");
        assertThat(Arrays.mismatch(volume(), expect)).as("the rebuilt volume").isEqualTo(-1);
    }

    /**
     * A preview opened the pool writable: it took pool.json's lock, ran the crash recovery and rewrote the pool's
     * state, so "start nothing" still changed files. It now opens the pool read-only: every file of the pool and
     * of the store is byte-identical after it.
     */
    @Test
    void aPreviewChangesNoFile() throws Exception {
        assertThat(CliRun.of("volume", "journal", "enable", pool, "v", "--drives", "d4,d5", "--store", store).code()).isZero();
        write(100_000, 300_000, 2);
        assertThat(CliRun.of("volume", "journal", "ship", pool, "v").code()).isZero();
        assertThat(CliRun.of("drive", "fail", pool, "d1").code()).isZero();
        // the process writing it dies (no close): the next writable open finds a crash to recover from
        org.splitpoint.engine.pool.Pool crashed = org.splitpoint.engine.pool.Pool.open(pool);
        crashed.volume("v").write(5_000_000, java.nio.ByteBuffer.wrap(new byte[70_000]));
        crashed.abandon();
        Files.delete(pool.resolve("drives/d2.img"));
        Map<String, String> before = CliRun.fingerprint(pool);
        Map<String, String> storeBefore = CliRun.fingerprint(store);
        for (Object[] args : new Object[][] {{"volume", "rebuild-from-backup", pool, "v", "--preview"},
                {"volume", "rebuild-from-backup", pool, "v", "--preview", "--json"}}) {
            CliRun preview = CliRun.of(args);
            assertThat(preview.out()).as(preview.err()).contains("d1", "d2");
            assertThat(CliRun.fingerprint(pool)).as(preview.err()).isEqualTo(before);
            assertThat(CliRun.fingerprint(store)).isEqualTo(storeBefore);
        }
    }

    @Test
    void badInputIsOneSentenceAndChangesNothing() throws Exception {
        assertRefused(2, "--max-size must be larger than 0", "volume", "journal", "enable", pool, "v", "--drives", "d4,d5",
                "--store", store, "--max-size", "0");
        // a bare number was taken for bytes ("64" meant as 64 MiB shipped an image every second): the unit is asked for
        assertRefused(2, "--max-size '64' has no unit: write 64K, 64M or 64G (64B for bytes)", "volume", "journal",
                "enable", pool, "v", "--drives", "d4,d5", "--store", store, "--max-size", "64");
        assertRefused(2, "--max-age must be longer than 0", "volume", "journal", "enable", pool, "v", "--drives", "d4,d5",
                "--store", store, "--max-age", "0s");
        assertRefused(2, "is not a duration", "volume", "journal", "enable", pool, "v", "--drives", "d4,d5",
                "--store", store, "--max-age", "soon");
        // a bare number was taken for seconds: the unit is asked for, with the forms taken
        assertRefused(2, "--max-age '5' has no unit: write 5s, 5m, 5h or 5d; durations are a whole number with s, m, h"
                + " or d (90s, 15m, 2h, 1d) or ISO-8601 (PT15M)", "volume", "journal", "enable", pool, "v", "--drives",
                "d4,d5", "--store", store, "--max-age", "5");
        assertRefused(1, "drive d3 is a member of volume v", "volume", "journal", "enable", pool, "v", "--drives", "d3,d4",
                "--store", store);
        assertRefused(1, "the directory does not exist", "volume", "journal", "enable", pool, "v", "--drives", "d4,d5",
                "--store", tmp.resolve("nowhere"));
        assertRefused(1, "no drive named 'd9'", "volume", "journal", "enable", pool, "v", "--drives", "d4,d9",
                "--store", store);
        // a store named through a symbolic link to the pool is inside it too (the journal's images went there)
        Files.createDirectories(pool.resolve("j"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), pool);
        assertRefused(1, "is inside the pool", "volume", "journal", "enable", pool, "v", "--drives", "d4,d5",
                "--store", link.resolve("j"));
        assertRefused(1, "has no journal; enable one", "volume", "journal", "ship", pool, "v");
        assertRefused(1, "has no journal; enable one", "volume", "journal", "status", pool, "v");
        assertRefused(1, "it is within its redundancy", "volume", "rebuild-from-backup", pool, "v");
        assertRefused(1, "no volume named", "volume", "journal", "status", pool, "nosuch");
    }

    /**
     * An enable while a backup of the volume runs was recorded, then its base backup was refused:
     * exit 1, and the journal enabled all the same. Now it is refused before anything is recorded.
     */
    @Test
    void enableWhileABackupRunsIsRefusedAndEnablesNothing() throws Exception {
        try (Holder h = new Holder(pool)) {
            var backup = h.pool.backups().backup("v", store, true, 64 * 1024); // a track a second
            CliRun enable = CliRun.of("volume", "journal", "enable", pool, "v", "--drives", "d4,d5", "--store", store);
            assertThat(enable.code()).as(enable.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(enable)).contains("a backup of v is running (job backup-v); enable its journal"
                    + " once it ended");
            CliRun status = CliRun.of("volume", "journal", "status", pool, "v");
            assertThat(status.code()).isEqualTo(1);
            assertThat(CliRun.oneSentence(status)).contains("has no journal");
            assertThat(h.pool.snapshot().drive("d4").state()).isEqualTo(org.splitpoint.engine.pool.DriveState.SPARE);
            backup.setThrottle(0);
            assertThat(backup.await(60_000)).isTrue();
            enable = CliRun.of("volume", "journal", "enable", pool, "v", "--drives", "d4,d5", "--store", store);
            assertThat(enable.code()).as(enable.err()).isZero();
        }
    }

    @Test
    void aReplacedJournalDriveSaysItHoldsTheJournalAgain() throws Exception {
        assertThat(CliRun.of("volume", "journal", "enable", pool, "v", "--drives", "d4,d5", "--store", store).code()).isZero();
        write(0, 1000, 4);
        assertThat(CliRun.of("drive", "fail", pool, "d4").code()).isZero();
        assertThat(CliRun.of("volume", "journal", "status", pool, "v").out()).contains("d4 (FAILED)");
        CliRun replace = CliRun.of("drive", "replace", pool, "d4");
        assertThat(replace.code()).as(replace.err()).isZero();
        assertThat(replace.out()).contains("it holds the journal of v again");
        assertThat(CliRun.of("volume", "journal", "status", pool, "v").out()).doesNotContain("FAILED").contains("1 entry");
    }

    /**
     * Disabling wipes the journal's drives: its entries not yet shipped are then in no backup. The app
     * asks for the volume's name; the CLI disabled at once, saying nothing of them.
     */
    @Test
    void disablingAsksFirstAndNamesTheEntriesNotYetShipped() throws Exception {
        assertThat(CliRun.of("volume", "journal", "enable", pool, "v", "--drives", "d4,d5", "--store", store).code()).isZero();
        write(0, 200_000, 5);
        assertRefused(2, "disabling the journal of v drops what d4 and d5 hold: its 1 entry (", "volume", "journal",
                "disable", pool, "v");
        assertRefused(2, "not yet shipped to " + store + " are then in no backup ('volume journal ship' first keeps them);"
                + " add --yes to confirm", "volume", "journal", "disable", pool, "v");
        assertRefused(1, "no volume named", "volume", "journal", "disable", pool, "nosuch");
        CliRun yes = CliRun.of("volume", "journal", "disable", pool, "v", "--yes");
        assertThat(yes.code()).as(yes.err()).isZero();
        assertThat(yes.out()).contains("journal of v disabled");
        assertRefused(1, "has no journal; enable one", "volume", "journal", "disable", pool, "v", "--yes");
    }
}
