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
 * 'pair restore' of a Split pair asks on a terminal only when a track changed on either side since the
 * split; one that found nothing to ask about agreed to nothing, so a host's write to the STD between its
 * look and the engine's call (here a pair guard, which runs after the look and before the engine's restore)
 * is not overwritten: the engine refuses and the CLI says so. A write to the BCV meanwhile is what the
 * restore copies, and refuses nothing. The pool is held by this test, as by serve when the command is
 * forwarded to it (the command runs in the holder with the client's terminal and answers).
 */
class UnconfirmedRestoreCliTest {

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

    /** Writes one track of {@code volume} (0x5A) as the restore is about to start, the first time only; counts the writes. */
    private static AtomicInteger writeBeforeTheRestore(Pool pool, String volume) {
        AtomicInteger written = new AtomicInteger();
        pool.pairs().guard(new PairChangeGuard() {
            @Override
            public <T> T around(PairChange change, Callable<T> operation) throws Exception {
                boolean restore = change.kind() == PairChange.Kind.RESTORE || change.kind() == PairChange.Kind.RESTORE_PROTECTED;
                if (restore && written.getAndIncrement() == 0) {
                    pool.device(volume).write(5L * TRACK, ByteBuffer.wrap(filled(TRACK, 0x5A)));
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

    private static byte[] track(Pool pool, String volume) throws Exception {
        byte[] b = new byte[TRACK];
        pool.device(volume).read(5L * TRACK, ByteBuffer.wrap(b));
        return b;
    }

    @Test
    void onATerminalARestoreThatAskedNothingIsRefusedWhenTheStdIsWrittenBeforeItStarts() throws Exception {
        Path dir = splitPair();
        try (Pool pool = Pool.open(dir)) {
            AtomicInteger written = writeBeforeTheRestore(pool, "a");
            CliRun r = run(pool, true, "", "pair", "restore", dir, "p", "--protect", "--no-wait");
            assertThat(written.get()).as("the write came after the look").isEqualTo(1);
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(r)).isEqualTo("splitpoint: a was written since the split (1 track) and the"
                    + " restore of pair p was not confirmed to overwrite them: nothing was restored; restore again"
                    + " to be asked about those writes");
            assertThat(r.out()).doesNotContain("started");
            var p = pool.pairs().query("p").get(0);
            assertThat(p.state()).isEqualTo(PairState.Split);
            assertThat(p.isProtected()).isFalse();
            assertThat(p.stdInvalidTracks()).isEqualTo(1);
            assertThat(track(pool, "a")).as("the host's write to the STD").isEqualTo(filled(TRACK, 0x5A));

            // asked again, the write is there to ask about: the STD's name typed goes on
            CliRun typed = run(pool, true, "a\n", "pair", "restore", dir, "p");
            assertThat(typed.code()).as(typed.err()).isZero();
            assertThat(typed.err()).contains("what was written to a since the split (1 track) is lost", "Type a to go on");
            assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.Restored);
            assertThat(track(pool, "a")).as("the split image's track (never written: zeros)").isEqualTo(new byte[TRACK]);
        }
    }

    /** A host's write to the BCV meanwhile is what the restore copies: one that asked nothing goes on and copies it. */
    @Test
    void onATerminalARestoreThatAskedNothingGoesOnOverABcvWriteThatLandedMeanwhile() throws Exception {
        Path dir = splitPair();
        try (Pool pool = Pool.open(dir)) {
            writeBeforeTheRestore(pool, "b");
            CliRun r = run(pool, true, "", "pair", "restore", dir, "p");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).doesNotContain("Type a");
            assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.Restored);
            assertThat(track(pool, "a")).isEqualTo(filled(TRACK, 0x5A));
        }
    }

    /** --yes agreed to what the STD holds, whatever a host writes after the command was given. */
    @Test
    void onATerminalWithYesARestoreOverwritesAWriteThatLandedMeanwhile() throws Exception {
        Path dir = splitPair();
        try (Pool pool = Pool.open(dir)) {
            writeBeforeTheRestore(pool, "a");
            CliRun r = run(pool, true, "", "pair", "restore", dir, "p", "--yes");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.Restored);
            assertThat(track(pool, "a")).isEqualTo(new byte[TRACK]);
        }
    }

    /** A script's restore (off a terminal, the SPEC's contract has no --yes) goes on as before. */
    @Test
    void offATerminalARestoreGoesOnOverAWriteThatLandedMeanwhile() throws Exception {
        Path dir = splitPair();
        try (Pool pool = Pool.open(dir)) {
            writeBeforeTheRestore(pool, "a");
            CliRun r = run(pool, false, "", "pair", "restore", dir, "p");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.Restored);
            assertThat(track(pool, "a")).isEqualTo(new byte[TRACK]);
        }
    }

    /** --unless-std-written: a script (or the app attached to serve) that agreed to nothing is refused, and asks nothing. */
    @Test
    void unlessStdWrittenRefusesWithoutAskingAndGoesOnOverNone() throws Exception {
        Path dir = splitPair();
        try (Pool pool = Pool.open(dir)) {
            writeBeforeTheRestore(pool, "a");
            CliRun r = run(pool, false, "", "pair", "restore", dir, "p", "--unless-std-written", "--no-wait");
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(CliRun.oneSentence(r)).contains("a was written since the split (1 track)", "was not confirmed");
            assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.Split);
            assertThat(track(pool, "a")).isEqualTo(filled(TRACK, 0x5A));

            CliRun both = run(pool, false, "", "pair", "restore", dir, "p", "--unless-std-written", "--yes");
            assertThat(both.code()).as(both.err()).isEqualTo(2);
            assertThat(both.err()).contains("choose one");

            CliRun asked = run(pool, true, "", "pair", "restore", dir, "p", "--unless-std-written");
            assertThat(asked.code()).as(asked.err()).isEqualTo(1);
            assertThat(asked.err()).as("no question").doesNotContain("Type a");
        }
        Path other = tmp.resolve("other");
        java.nio.file.Files.createDirectories(other);
        Path clean = CliRun.pairedPool(other.resolve("r"), "4M");
        assertThat(CliRun.of("pair", "establish", clean, "p").code()).isZero();
        assertThat(CliRun.of("pair", "split", clean, "p").code()).isZero();
        CliRun none = CliRun.of("pair", "restore", clean, "p", "--unless-std-written");
        assertThat(none.code()).as(none.err()).isZero();
        assertThat(none.err()).contains("restore p: DONE");
    }
}
