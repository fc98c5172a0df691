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
        CliRun r = CliRun.of("pair", "restore", pool, "p1", "--protect", "--no-wait");
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
        CliRun r = CliRun.of("pair", "restore", pool, "p1", "--no-wait", "--throttle", 1);
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
            assertThat(CliRun.of("pair", "restore", pool, "p1", "--no-wait", "--throttle", 1).code()).isZero();
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
        CliRun r = CliRun.of("pair", "restore", pool, "p", "--no-wait");
        // was "1 tracks to restore" (the event of the same start says "1 track")
        assertThat(r.out()).as(r.err()).contains("started: 1 track to restore (incremental)");
        assertThat(CliRun.of("wait", pool).code()).isZero();
        assertThat(CliRun.of("pair", "split", pool, "p").code()).isZero();
        assertThat(CliRun.withStdin(new byte[] {2}, "volume", "write", pool, "a", "--offset", 0).code()).isZero();
        assertThat(CliRun.of("pair", "establish", pool, "p", "--no-wait").out()).contains("started: 1 track to copy (incremental)");
    }
}
