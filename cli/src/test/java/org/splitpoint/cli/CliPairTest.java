package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pair commands as the SPEC's CLI contract describes them. */
class CliPairTest {

    @TempDir
    Path tmp;

    @Test
    void establishSplitAndProtectedRestoreWithReadsOnDemand() throws Exception {
        Path pool = tmp.resolve("p");
        CliRun.of("pool", "create", pool, "--drives", 6, "--drive-size", "4M");
        CliRun.of("volume", "create", pool, "prod", "--layout", "raid5", "--drives", "d1,d2,d3");
        CliRun.of("volume", "create", pool, "copy", "--layout", "raid5", "--drives", "d4,d5,d6");
        assertThat(CliRun.of("pair", "create", pool, "p1", "--std", "prod", "--bcv", "copy").out())
                .contains("created pair p1: STD prod, BCV copy, NeverEstab");

        byte[] a = new byte[8 << 20];
        new Random(1).nextBytes(a);
        Path fa = tmp.resolve("a.bin");
        Files.write(fa, a);
        assertThat(CliRun.of("volume", "write", pool, "prod", "--offset", 0, "--in", fa).code()).isZero();
        CliRun est = CliRun.of("pair", "establish", pool, "p1");
        assertThat(est.code()).as(est.err()).isZero();
        assertThat(est.err()).contains("establish p1: DONE");
        assertThat(CliRun.of("pair", "split", pool, "p1").code()).isZero();

        byte[] b = new byte[1 << 20];
        new Random(2).nextBytes(b);
        Path fb = tmp.resolve("b.bin");
        Files.write(fb, b);
        CliRun.of("volume", "write", pool, "prod", "--offset", "1M", "--in", fb);
        JsonNode q = Json.MAPPER.readTree(CliRun.of("pair", "query", pool, "p1", "--json").out()).get(0);
        assertThat(q.get("state").asText()).isEqualTo("Split");
        assertThat(q.get("stdInvalidTracks").asLong()).isEqualTo(16); // 1 MiB of 64 KiB tracks
        assertThat(q.get("bcvInvalidTracks").asLong()).isZero();
        assertThat(q.get("totalTracks").asLong()).isEqualTo(128);
        assertThat(q.get("trackSize").asLong()).isEqualTo(65536);
        assertThat(q.get("protected").asBoolean()).isFalse();
        assertThat(q.get("progress").isNull()).isTrue();

        // the command returns at once; the copy waits for a process that holds the pool
        CliRun r = CliRun.of("pair", "restore", pool, "p1", "--protect", "--no-wait", "--yes");
        assertThat(r.code()).as(r.err()).isZero();
        Path out = tmp.resolve("out.bin");
        assertThat(CliRun.of("volume", "read", pool, "prod", "--offset", 0, "--length", a.length, "--out", out).code()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(a);
        CliRun w = CliRun.of("wait", pool);
        assertThat(w.code()).as(w.err()).isZero();
        q = Json.MAPPER.readTree(CliRun.of("pair", "query", pool, "--json").out()).get(0);
        assertThat(q.get("state").asText()).isEqualTo("Split");
        assertThat(q.get("protected").asBoolean()).isTrue();
        assertThat(CliRun.of("volume", "read", pool, "copy", "--offset", 0, "--length", a.length, "--out", out).code()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(a);

        CliRun text = CliRun.of("pair", "query", pool);
        assertThat(text.out()).contains("PAIR", "STD INV", "BCV INV", "p1", "prod", "copy", "Split (protected)");
    }

    /**
     * The engine keeps a pair's recorded state when a side's drives fail; {@code pair query} said
     * "Synchronized" for a pair whose BCV was FAILED, as if the sides were in sync.
     */
    @Test
    void aPairWithAFailedSideSaysSoBesideItsRecordedState() throws Exception {
        Path pool = tmp.resolve("p");
        CliRun.pairedPool(pool, "2M");
        assertThat(CliRun.of("pair", "establish", pool, "p").code()).isZero();
        assertThat(CliRun.of("drive", "fail", pool, "d3").code()).isZero();
        Files.move(pool.resolve("drives/d4.img"), tmp.resolve("d4.img.away")); // a disk not mounted

        CliRun text = CliRun.of("pair", "query", pool);
        assertThat(text.err()).as("a pool with a problem exits 1 after its answer").contains("image of drive d4");
        assertThat(text.out()).contains("Synchronized, BCV FAILED")
                .contains("pair p: volume b (the BCV) is FAILED (d3 FAILED, d4 MISSING): host writes to the STD are not"
                        + " mirrored");
        JsonNode q = Json.MAPPER.readTree(CliRun.of("pair", "query", pool, "p", "--json").out()).get(0);
        assertThat(q.get("state").asText()).isEqualTo("Synchronized");
        assertThat(q.get("failedSide").asText()).isEqualTo("BCV");

        Files.move(tmp.resolve("d4.img.away"), pool.resolve("drives/d4.img"));
        q = Json.MAPPER.readTree(CliRun.of("pair", "query", pool, "p", "--json").out()).get(0);
        assertThat(q.get("failedSide").isNull()).as("b is DEGRADED, not FAILED, with d4 back").isTrue();
        assertThat(CliRun.of("pair", "query", pool).out()).doesNotContain("FAILED");
    }

    @Test
    void refusedPairOperationsExitOneWithTheirSentence() throws Exception {
        Path pool = tmp.resolve("p");
        CliRun.pairedPool(pool, "2M");
        CliRun split = CliRun.of("pair", "split", pool, "p");
        assertThat(split.code()).isEqualTo(1);
        assertThat(split.err()).isEqualTo("splitpoint: pair p was never established; establish it first\n");
        CliRun.of("pair", "establish", pool, "p");
        Path one = Files.write(tmp.resolve("one.bin"), new byte[] {1});
        CliRun write = CliRun.of("volume", "write", pool, "b", "--offset", 0, "--in", one);
        assertThat(write.code()).isEqualTo(1);
        assertThat(write.err()).contains("volume b is the BCV of pair p, which is Synchronized; a BCV is writable only while the pair is Split");
        assertThat(CliRun.of("pair", "query", pool, "nope").err()).contains("no pair named 'nope'");
        CliRun twice = CliRun.of("pair", "split", pool, "p", "p");
        assertThat(twice.code()).as(twice.err()).isZero();
        assertThat(twice.out()).as("split once, said once").startsWith("split p in ");
    }

    /** A split pair of 512 tracks whose STD has 384 tracks written since the split; returns the BCV's image. */
    private byte[] splitWith384ChangedTracks(Path pool) throws Exception {
        CliRun.of("pool", "create", pool, "--drives", 6, "--drive-size", "16M");
        CliRun.of("volume", "create", pool, "prod", "--layout", "raid5", "--drives", "d1,d2,d3");
        CliRun.of("volume", "create", pool, "copy", "--layout", "raid5", "--drives", "d4,d5,d6");
        CliRun.of("pair", "create", pool, "p1", "--std", "prod", "--bcv", "copy");
        byte[] a = new byte[32 << 20];
        new Random(5).nextBytes(a);
        CliRun.of("volume", "write", pool, "prod", "--offset", 0, "--in", Files.write(tmp.resolve("a.bin"), a));
        assertThat(CliRun.of("pair", "establish", pool, "p1").code()).isZero();
        assertThat(CliRun.of("pair", "split", pool, "p1").code()).isZero();
        byte[] b = new byte[24 << 20];
        new Random(6).nextBytes(b);
        CliRun.of("volume", "write", pool, "prod", "--offset", 0, "--in", Files.write(tmp.resolve("b.bin"), b));
        return a;
    }

    /** Lifts the job's limit in the pool's record, so that 'wait' finishes it quickly. */
    private static void unthrottle(Path pool, String job) throws Exception {
        try (var p = org.splitpoint.engine.pool.Pool.open(pool, org.splitpoint.engine.io.StorageFactory.real(),
                new org.splitpoint.engine.pool.PoolOptions(false))) {
            p.job(job).setThrottle(0);
        }
    }

    private static JsonNode query(Path pool) throws Exception {
        return Json.MAPPER.readTree(CliRun.of("pair", "query", pool, "p1", "--json").out()).get(0);
    }

    @Test
    void restoreNoWaitReturnsAtOnceAndCopiesNothingUntilAProcessHoldsThePool() throws Exception {
        Path pool = tmp.resolve("p");
        byte[] bcv = splitWith384ChangedTracks(pool);
        long start = System.nanoTime();
        CliRun r = CliRun.of("pair", "restore", pool, "p1", "--no-wait", "--throttle", 1, "--yes");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(millis).as("the command returned at once").isLessThan(1000);
        JsonNode q = query(pool);
        assertThat(q.get("state").asText()).isEqualTo("RestInProg");
        assertThat(q.get("bcvInvalidTracks").asLong()).as("no track was copied by the short command").isEqualTo(384);
        assertThat(CliRun.of("volume", "verify", pool, "copy").code()).isZero(); // a short command that takes a while
        assertThat(query(pool).get("bcvInvalidTracks").asLong()).as("nor by the next one").isEqualTo(384);

        unthrottle(pool, "restore-p1");
        CliRun w = CliRun.of("wait", pool);
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(w.err()).contains("restore p1: DONE");
        assertThat(query(pool).get("state").asText()).isEqualTo("Restored");
        Path out = tmp.resolve("out.bin");
        CliRun.of("volume", "read", pool, "prod", "--offset", 0, "--length", bcv.length, "--out", out);
        assertThat(Files.readAllBytes(out)).isEqualTo(bcv);
    }

    @Test
    void establishNoWaitReturnsAtOnceAndCopiesNothingUntilAProcessHoldsThePool() throws Exception {
        Path pool = tmp.resolve("p");
        splitWith384ChangedTracks(pool);
        long start = System.nanoTime();
        CliRun r = CliRun.of("pair", "establish", pool, "p1", "--no-wait", "--throttle", 1);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(millis).as("the command returned at once").isLessThan(1000);
        JsonNode q = query(pool);
        assertThat(q.get("state").asText()).isEqualTo("SyncInProg");
        assertThat(q.get("stdInvalidTracks").asLong()).as("no track was copied by the short command").isEqualTo(384);
        assertThat(CliRun.of("volume", "verify", pool, "prod").code()).isZero();
        assertThat(query(pool).get("stdInvalidTracks").asLong()).as("nor by the next one").isEqualTo(384);
        unthrottle(pool, "establish-p1");
        CliRun w = CliRun.of("wait", pool);
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(query(pool).get("state").asText()).isEqualTo("Synchronized");
    }

    @Test
    void theThrottleHoldsFromTheFirstStep() throws Exception {
        Path pool = tmp.resolve("p");
        splitWith384ChangedTracks(pool);
        try (Holder h = new Holder(pool)) { // the holder runs the copy as soon as it starts
            assertThat(CliRun.of("pair", "restore", pool, "p1", "--no-wait", "--throttle", 1, "--yes").code()).isZero();
            Thread.sleep(500);
            long copied = 384 - h.pool.pairs().get("p1").bcvInvalidTracks();
            // 1 MB/s for half a second is 8 tracks of 64 KiB; one step of a quarter second's worth more at most
            assertThat(copied).as("tracks copied in the first half second at 1 MB/s").isLessThanOrEqualTo(12);
        }
    }

    @Test
    void aCopyOfOneTrackSaysTrack() throws Exception {
        Path pool = tmp.resolve("one");
        CliRun.pairedPool(pool, "1M");
        CliRun first = CliRun.of("pair", "establish", pool, "p");
        assertThat(first.code()).isZero();
        // was "(incremental)", though a first establish copies every track
        assertThat(first.out()).contains("to copy (full: its first establish)");
        assertThat(CliRun.of("pair", "split", pool, "p").code()).isZero();
        assertThat(CliRun.withStdin(new byte[] {1}, "volume", "write", pool, "b", "--offset", 0).code()).isZero();
        CliRun r = CliRun.of("pair", "restore", pool, "p", "--no-wait", "--yes");
        // was "1 tracks to restore" (the event of the same start says "1 track")
        assertThat(r.out()).as(r.err()).contains("started: 1 track to restore (incremental)");
        assertThat(CliRun.of("wait", pool).code()).isZero();
        assertThat(CliRun.of("pair", "split", pool, "p").code()).isZero();
        assertThat(CliRun.withStdin(new byte[] {2}, "volume", "write", pool, "a", "--offset", 0).code()).isZero();
        assertThat(CliRun.of("pair", "establish", pool, "p", "--no-wait").out()).contains("started: 1 track to copy (incremental)");
    }

    /** Pair p of a and b (4 MiB, 64 tracks) established and split, then 1 MiB (16 tracks) written to the STD a. */
    private Path splitPairWithWritesOnTheStd() throws Exception {
        Path pool = CliRun.pairedPool(tmp.resolve("r"), "4M");
        assertThat(CliRun.of("pair", "establish", pool, "p").code()).isZero();
        assertThat(CliRun.of("pair", "split", pool, "p").code()).isZero();
        byte[] b = new byte[1 << 20];
        new Random(3).nextBytes(b);
        Path fb = Files.write(tmp.resolve("w.bin"), b);
        assertThat(CliRun.of("volume", "write", pool, "a", "--offset", 0, "--in", fb).code()).isZero();
        return pool;
    }

    private String state(Path pool) throws Exception {
        return Json.MAPPER.readTree(CliRun.of("pair", "query", pool, "p", "--json").out()).get(0).get("state").asText();
    }

    /**
     * 'pair restore' overwrites the STD, the volume hosts use, with the BCV's image, and what was written to it
     * since the split is lost. A script's restore (the SPEC's contract has no --yes for it) goes on, and its
     * stderr says in one line what it overwrote and lost, for the log that keeps it.
     */
    @Test
    void aRestoreOffATerminalGoesOnAndSaysWhatItOverwrites() throws Exception {
        Path pool = splitPairWithWritesOnTheStd();
        CliRun r = CliRun.of("pair", "restore", pool, "p", "--protect", "--no-wait");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("splitpoint: restoring pair p overwrites 16 tracks (1 MiB) of a with b's point-in-time"
                + " image; what was written to a since the split (16 tracks) is lost; b stays Split and unchanged (--protect)");
        assertThat(r.out()).contains("restore of p started: 16 tracks to restore (incremental)");
        assertThat(CliRun.of("wait", pool).code()).isZero();

        CliRun full = CliRun.of("pair", "restore", pool, "p", "--full", "--no-wait");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(full.err()).contains("overwrites all 64 tracks (4 MiB) of a", "the pair ends Restored");
    }

    /** A split pair that nothing was written to since the split overwrites nothing: its restore asks nothing. */
    @Test
    void aRestoreThatOverwritesNothingAsksNothing() throws Exception {
        Path pool = CliRun.pairedPool(tmp.resolve("n"), "4M");
        assertThat(CliRun.of("pair", "establish", pool, "p").code()).isZero();
        assertThat(CliRun.of("pair", "split", pool, "p").code()).isZero();
        CliRun r = CliRun.of("pair", "restore", pool, "p", "--protect"); // the pair stays Split
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("restore of p started: 0 tracks to restore (incremental), BCV protected");
        assertThat(r.err()).doesNotContain("overwrites");
        CliRun full = onTerminal("no\n", "pair", "restore", pool, "p", "--full");
        assertThat(full.code()).as("--full overwrites every track: " + full.err()).isEqualTo(1);
        assertThat(full.err()).contains("overwrites all 64 tracks (4 MiB) of a", "Type a to go on");
    }

    /**
     * A --no-wait restore whose tracks hosts all read (each served from the BCV and restored) before a process
     * ran its copy: 'pair query' and 'wait' said "restore p  100.0%  16/16 tracks  starting".
     */
    @Test
    void aRestoreFinishedByOnDemandReadsSaysNothingIsLeftNotStarting() throws Exception {
        Path pool = splitPairWithWritesOnTheStd();
        assertThat(CliRun.of("pair", "restore", pool, "p", "--protect", "--no-wait").code()).isZero();
        Path out = tmp.resolve("read.bin");
        CliRun read = CliRun.of("volume", "read", pool, "a", "--offset", 0, "--length", "4M", "--out", out);
        assertThat(read.code()).as(read.err()).isZero();
        CliRun q = CliRun.of("pair", "query", pool, "p");
        assertThat(q.out()).contains("RestInProg", "restore p  100.0%  16/16 tracks  nothing left to copy")
                .doesNotContain("starting");
        CliRun w = CliRun.of("wait", pool);
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(w.err()).contains("restore p: DONE").doesNotContain("starting");
        assertThat(state(pool)).isEqualTo("Split");
    }

    /**
     * A --no-wait copy with no process holding the pool said "started" and its PROGRESS "starting", though
     * nothing ran it until 'wait' (job list said so; the pair's own verbs did not). A holder runs it: no note.
     */
    @Test
    void aNoWaitCopyThatNoProcessRunsSaysItWaitsForOne() throws Exception {
        Path pool = splitPairWithWritesOnTheStd();
        CliRun r = CliRun.of("pair", "restore", pool, "p", "--protect", "--no-wait");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("restore of p started: 16 tracks to restore (incremental), BCV protected\n"
                + JobCommand.WAITING_FOR_A_HOLDER + "\n");
        assertThat(CliRun.of("pair", "query", pool, "p").out()).contains("RestInProg", JobCommand.WAITING_FOR_A_HOLDER);
        assertThat(CliRun.of("wait", pool).code()).isZero();
        assertThat(CliRun.of("pair", "query", pool, "p").out()).doesNotContain("no process holds the pool");

        try (Holder h = new Holder(pool)) {
            CliRun held = CliRun.of("pair", "establish", pool, "p", "--no-wait");
            assertThat(held.code()).as(held.err()).isZero();
            assertThat(held.out()).contains("establish of p started").doesNotContain("no process holds the pool");
        }
    }

    /** On a terminal the STD's name is typed to go on; any other answer restores nothing (exit 1). */
    @Test
    void onATerminalARestoreGoesOnOnlyWhenTheStdsNameIsTyped() throws Exception {
        Path pool = splitPairWithWritesOnTheStd();
        CliRun no = onTerminal("p\n", "pair", "restore", pool, "p", "--no-wait"); // the pair's name is not the STD's
        assertThat(no.code()).as(no.err()).isEqualTo(1);
        assertThat(no.err()).contains("Type a to go on", "splitpoint: nothing was restored");
        assertThat(state(pool)).isEqualTo("Split");

        CliRun yes = onTerminal("a\n", "pair", "restore", pool, "p", "--no-wait");
        assertThat(yes.code()).as(yes.err()).isZero();
        assertThat(yes.out()).contains("restore of p started: 16 tracks to restore (incremental)");
        assertThat(state(pool)).isEqualTo("RestInProg");
        // asked again, a restore under way is the engine's refusal, not a question about what it would overwrite
        CliRun again = CliRun.of("pair", "restore", pool, "p", "--no-wait");
        assertThat(again.code()).as(again.err()).isEqualTo(1);
        assertThat(CliRun.oneSentence(again)).contains("pair p is already restoring").doesNotContain("--yes");
    }

    /**
     * Pair p of a and b (4 MiB, 64 tracks) established and split, then 1 MiB (16 tracks) written to the STD a
     * and 128 KiB (2 tracks, one of them among the STD's) to the BCV b, as a backup host that mounted it would.
     */
    private Path splitPairWithWritesOnTheBcv() throws Exception {
        Path pool = splitPairWithWritesOnTheStd();
        byte[] w = new byte[128 << 10];
        new Random(4).nextBytes(w);
        Path fw = Files.write(tmp.resolve("bcv.bin"), w);
        assertThat(CliRun.of("volume", "write", pool, "b", "--offset", "960K", "--in", fw).code()).isZero();
        return pool;
    }

    /**
     * 'pair establish' of a Split pair overwrites what hosts wrote to the BCV since the split with the STD's
     * data; it did so without a word. A script's establish (the SPEC's contract has no --yes, and scripts
     * establish daily) goes on, and its stderr says in one line what it overwrote and lost, as a restore's does.
     */
    @Test
    void anEstablishOffATerminalGoesOnAndSaysWhatItOverwroteOnTheBcv() throws Exception {
        Path pool = splitPairWithWritesOnTheBcv();
        CliRun r = CliRun.of("pair", "establish", pool, "p");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("splitpoint: establishing pair p overwrites 17 tracks (1.1 MiB) of b with a's data;"
                + " what was written to b since the split (2 tracks) is lost; the pair ends Synchronized (writes to a go"
                + " to b too, until the next split)");
        assertThat(r.out()).contains("establish of p started: 17 tracks to copy (incremental)");
        assertThat(state(pool)).isEqualTo("Synchronized");
        Path a = tmp.resolve("a.out");
        Path b = tmp.resolve("b.out");
        CliRun.of("volume", "read", pool, "a", "--offset", 0, "--length", "4M", "--out", a);
        CliRun.of("volume", "read", pool, "b", "--offset", 0, "--length", "4M", "--out", b);
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));

        assertThat(CliRun.of("pair", "split", pool, "p").code()).isZero();
        assertThat(CliRun.withStdin(new byte[] {7}, "volume", "write", pool, "b", "--offset", 0).code()).isZero();
        CliRun full = CliRun.of("pair", "establish", pool, "p", "--full", "--no-wait");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(full.err()).contains("overwrites all 64 tracks (4 MiB) of b", "(1 track) is lost");
    }

    /** An establish of a Split pair whose BCV nobody wrote loses nothing but the image it is meant to replace: it asks nothing. */
    @Test
    void anEstablishOfABcvNobodyWroteAsksNothing() throws Exception {
        Path pool = splitPairWithWritesOnTheStd();
        CliRun asked = onTerminal("", "pair", "establish", pool, "p", "--no-wait");
        assertThat(asked.code()).as(asked.err()).isZero();
        assertThat(asked.err()).doesNotContain("overwrites", "Type");
        assertThat(asked.out()).contains("establish of p started: 16 tracks to copy (incremental)");
        assertThat(CliRun.of("wait", pool).code()).isZero();
        assertThat(CliRun.of("pair", "split", pool, "p").code()).isZero();
        CliRun script = CliRun.of("pair", "establish", pool, "p", "--full");
        assertThat(script.code()).as(script.err()).isZero();
        assertThat(script.err()).doesNotContain("overwrites").contains("establish p: DONE");
    }

    /** On a terminal the BCV's name is typed to go on; any other answer establishes nothing (exit 1); --yes asks nothing. */
    @Test
    void onATerminalAnEstablishOverBcvWritesGoesOnOnlyWhenTheBcvsNameIsTyped() throws Exception {
        Path pool = splitPairWithWritesOnTheBcv();
        var before = CliRun.fingerprint(pool);
        CliRun no = onTerminal("a\n", "pair", "establish", pool, "p", "--no-wait"); // the STD's name, not the BCV's
        assertThat(no.code()).as(no.err()).isEqualTo(1);
        assertThat(no.err()).contains("establishing pair p overwrites 17 tracks", "Type b to go on",
                "splitpoint: nothing was established");
        assertThat(CliRun.fingerprint(pool)).isEqualTo(before);
        assertThat(state(pool)).isEqualTo("Split");

        CliRun yes = onTerminal("b\n", "pair", "establish", pool, "p", "--no-wait");
        assertThat(yes.code()).as(yes.err()).isZero();
        assertThat(yes.err()).as("said once, in the question").containsOnlyOnce("overwrites");
        assertThat(state(pool)).isEqualTo("SyncInProg");
        assertThat(CliRun.of("wait", pool).code()).isZero();

        assertThat(CliRun.of("pair", "split", pool, "p").code()).isZero();
        assertThat(CliRun.withStdin(new byte[] {7}, "volume", "write", pool, "b", "--offset", 0).code()).isZero();
        CliRun confirmed = onTerminal("", "pair", "establish", pool, "p", "--yes");
        assertThat(confirmed.code()).as(confirmed.err()).isZero();
        assertThat(confirmed.err()).doesNotContain("overwrites");
    }

    /**
     * A pair's first establish overwrites every track of the BCV, whose data from before the pair was made
     * nobody tracked. The app asks for the BCV's name; on a terminal the CLI began at once. It now asks as the
     * app does (any other answer leaves the pool as it was, NeverEstab); a script's goes on and says it.
     */
    @Test
    void onATerminalAFirstEstablishGoesOnOnlyWhenTheBcvsNameIsTyped() throws Exception {
        Path pool = CliRun.pairedPool(tmp.resolve("first"), "4M");
        byte[] held = new byte[64 << 10];
        new Random(5).nextBytes(held);
        assertThat(CliRun.of("volume", "write", pool, "b", "--offset", 0, "--in",
                Files.write(tmp.resolve("held.bin"), held)).code()).isZero();
        var before = CliRun.fingerprint(pool);
        CliRun no = onTerminal("a\n", "pair", "establish", pool, "p", "--no-wait");
        assertThat(no.code()).as(no.err()).isEqualTo(1);
        assertThat(no.err()).contains("establishing pair p overwrites all 64 tracks (4 MiB) of b with a's data (its first"
                + " establish); what b holds now is lost; the pair ends Synchronized", "Type b to go on",
                "splitpoint: nothing was established");
        assertThat(CliRun.fingerprint(pool)).isEqualTo(before);
        assertThat(state(pool)).isEqualTo("NeverEstab");

        CliRun yes = onTerminal("b\n", "pair", "establish", pool, "p");
        assertThat(yes.code()).as(yes.err()).isZero();
        assertThat(yes.out()).contains("establish of p started: 64 tracks to copy (full: its first establish)");
        assertThat(state(pool)).isEqualTo("Synchronized");

        Path script = CliRun.pairedPool(tmp.resolve("script"), "4M");
        CliRun r = CliRun.of("pair", "establish", script, "p");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("splitpoint: establishing pair p overwrites all 64 tracks (4 MiB) of b with a's data"
                + " (its first establish); what b holds now is lost");
    }

    private static CliRun onTerminal(String typed, Object... args) throws Exception {
        CliContext terminal = new CliContext(new java.io.ByteArrayInputStream(typed.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                System.out, Path.of("").toAbsolutePath(), true, null, () -> { });
        return terminal.with(() -> CliRun.of(args));
    }
}
