package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.pair.PairChange;
import org.splitpoint.engine.pair.PairChangeGuard;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.Pool;

/**
 * 'pair establish' of a Split pair asks on a terminal only when the BCV was written since the split; one
 * that found nothing to ask about agreed to nothing, so a host's write to the BCV between its look and the
 * engine's call (here a pair guard, which runs after the look and before the engine's establish) is not
 * overwritten: the engine refuses and the CLI says so. The pool is held by this test, as by serve when the
 * command is forwarded to it (the command runs in the holder with the client's terminal and answers).
 */
class UnconfirmedEstablishCliTest {

    private static final int TRACK = 64 << 10;

    @TempDir
    Path tmp;

    /** A 4 MiB pair p of a and b, established and split, nothing written since. */
    private Path splitPair() {
        Path pool = CliRun.pairedPool(tmp.resolve("r"), "4M");
        assertThat(CliRun.of("pair", "establish", pool, "p").code()).isZero();
        assertThat(CliRun.of("pair", "split", pool, "p").code()).isZero();
        return pool;
    }

    /** Writes one track of the BCV b (0x5A) as the establish is about to start, the first time only; counts the writes. */
    private static AtomicInteger writeBcvBeforeTheEstablish(Pool pool) {
        AtomicInteger written = new AtomicInteger();
        pool.pairs().guard(new PairChangeGuard() {
            @Override
            public <T> T around(PairChange change, Callable<T> operation) throws Exception {
                if (change.kind() == PairChange.Kind.ESTABLISH && written.getAndIncrement() == 0) {
                    pool.device("b").write(5L * TRACK, ByteBuffer.wrap(filled(TRACK, 0x5A)));
                }
                return operation.call();
            }
        });
        return written;
    }

    private static byte[] filled(int n, int b) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, (byte) b);
        return a;
    }

    private static CliRun run(Pool held, boolean terminal, String typed, Object... args) throws Exception {
        CliContext ctx = new CliContext(new java.io.ByteArrayInputStream(typed.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                System.out, Path.of("").toAbsolutePath(), terminal, held, () -> { });
        return ctx.with(() -> CliRun.of(args));
    }

    private static byte[] bcvTrack(Pool pool) throws Exception {
        byte[] b = new byte[TRACK];
        pool.device("b").read(5L * TRACK, ByteBuffer.wrap(b));
        return b;
    }

    @Test
    void onATerminalAnEstablishThatAskedNothingIsRefusedWhenTheBcvIsWrittenBeforeItStarts() throws Exception {
        Path dir = splitPair();
        try (Pool pool = Pool.open(dir)) {
            AtomicInteger written = writeBcvBeforeTheEstablish(pool);
            CliRun r = run(pool, true, "", "pair", "establish", dir, "p", "--no-wait");
            assertThat(written.get()).as("the write came after the look").isEqualTo(1);
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(r)).isEqualTo("splitpoint: b was written since the split (1 track) and the"
                    + " establish of pair p was not confirmed to overwrite them: nothing was established; establish again"
                    + " to be asked about those writes");
            assertThat(r.out()).doesNotContain("started");
            var p = pool.pairs().query("p").get(0);
            assertThat(p.state()).isEqualTo(PairState.Split);
            assertThat(p.bcvInvalidTracks()).isEqualTo(1);
            assertThat(bcvTrack(pool)).as("the host's write to the BCV").isEqualTo(filled(TRACK, 0x5A));

            // asked again, the write is there to ask about: the BCV's name typed goes on
            CliRun typed = run(pool, true, "b\n", "pair", "establish", dir, "p", "--no-wait");
            assertThat(typed.code()).as(typed.err()).isZero();
            assertThat(typed.err()).contains("what was written to b since the split (1 track) is lost", "Type b to go on");
            assertThat(pool.pairs().query("p").get(0).state()).isIn(PairState.SyncInProg, PairState.Synchronized);
        }
    }

    /** --yes agreed to what the BCV holds, whatever a host writes after the command was given. */
    @Test
    void onATerminalWithYesAnEstablishOverwritesAWriteThatLandedMeanwhile() throws Exception {
        Path dir = splitPair();
        try (Pool pool = Pool.open(dir)) {
            writeBcvBeforeTheEstablish(pool);
            CliRun r = run(pool, true, "", "pair", "establish", dir, "p", "--yes");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.Synchronized);
            assertThat(bcvTrack(pool)).isEqualTo(new byte[TRACK]); // the STD's track (never written: zeros)
        }
    }

    /** A script's establish (off a terminal, the SPEC's contract has no --yes) goes on as before. */
    @Test
    void offATerminalAnEstablishGoesOnOverAWriteThatLandedMeanwhile() throws Exception {
        Path dir = splitPair();
        try (Pool pool = Pool.open(dir)) {
            writeBcvBeforeTheEstablish(pool);
            CliRun r = run(pool, false, "", "pair", "establish", dir, "p");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.Synchronized);
            assertThat(bcvTrack(pool)).isEqualTo(new byte[TRACK]);
        }
    }

    /** --unless-bcv-written: a script (or the app attached to serve) that agreed to nothing is refused, and asks nothing. */
    @Test
    void unlessBcvWrittenRefusesWithoutAskingAndGoesOnOverNone() throws Exception {
        Path dir = splitPair();
        try (Pool pool = Pool.open(dir)) {
            writeBcvBeforeTheEstablish(pool);
            CliRun r = run(pool, false, "", "pair", "establish", dir, "p", "--unless-bcv-written", "--no-wait");
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(r)).contains("b was written since the split (1 track)", "was not confirmed");
            assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.Split);
            assertThat(bcvTrack(pool)).isEqualTo(filled(TRACK, 0x5A));

            CliRun both = run(pool, false, "", "pair", "establish", dir, "p", "--unless-bcv-written", "--yes");
            assertThat(both.code()).as(both.err()).isEqualTo(2);
            assertThat(both.err()).contains("choose one");

            CliRun asked = run(pool, true, "", "pair", "establish", dir, "p", "--unless-bcv-written");
            assertThat(asked.code()).as(asked.err()).isEqualTo(1);
            assertThat(asked.err()).as("no question").doesNotContain("Type b");
        }
        Path other = tmp.resolve("other");
        java.nio.file.Files.createDirectories(other);
        Path clean = CliRun.pairedPool(other.resolve("r"), "4M");
        assertThat(CliRun.of("pair", "establish", clean, "p").code()).isZero();
        assertThat(CliRun.of("pair", "split", clean, "p").code()).isZero();
        CliRun none = CliRun.of("pair", "establish", clean, "p", "--unless-bcv-written");
        assertThat(none.code()).as(none.err()).isZero();
        assertThat(none.err()).contains("establish p: DONE");
    }
}
