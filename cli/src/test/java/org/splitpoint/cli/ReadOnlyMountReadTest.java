package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'volume read' of a pool whose files cannot be written (a read-only mount) was refused, pool.lock could not be
 * taken, though 'pool status' of the same pool answered: a read now opens it read-only, as status does, and says so;
 * one that needs a recovery from an unclean shutdown (which a read-only open cannot do) is refused with the reason.
 */
class ReadOnlyMountReadTest {

    @TempDir
    Path tmp;
    Path pool;
    byte[] data;

    @BeforeEach
    void poolWithData() throws Exception {
        pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 3, "--drive-size", "2M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid5", "--drives", "d1,d2,d3").code()).isZero();
        data = new byte[300_000];
        new Random(5).nextBytes(data);
        Path in = Files.write(tmp.resolve("in.bin"), data);
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", in).code()).isZero();
    }

    /** Every file and directory of the pool unwritable, as on a read-only mount (root: chattr -R +i). */
    private AutoCloseable readOnlyMount() throws Exception {
        boolean root = ReadOnly.isRoot();
        String[] on = root ? new String[] {"chattr", "-R", "+i", pool.toString()} : new String[] {"chmod", "-R", "a-w", pool.toString()};
        String[] off = root ? new String[] {"chattr", "-R", "-i", pool.toString()} : new String[] {"chmod", "-R", "u+w", pool.toString()};
        assumeTrue(run(on), "needs " + on[0] + " to make the pool read-only");
        return () -> run(off);
    }

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void aReadOfAPoolOnAReadOnlyMountOpensItReadOnlyAndSaysSo() throws Exception {
        Path out = tmp.resolve("out.bin");
        Map<String, String> before = CliRun.fingerprint(pool);
        CliRun r;
        try (AutoCloseable ro = readOnlyMount()) {
            r = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", data.length, "--out", out);
        }
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("note: the pool's directory cannot be written", "read-only, as last saved");
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
        assertThat(CliRun.fingerprint(pool)).isEqualTo(before);
    }

    @Test
    void aPoolThatNeedsRecoveryIsNotReadReadOnly() throws Exception {
        org.splitpoint.engine.pool.Pool crashed = org.splitpoint.engine.pool.Pool.open(pool);
        crashed.volume("v").write(0, java.nio.ByteBuffer.wrap(new byte[70_000]));
        crashed.abandon();
        Path out = tmp.resolve("out.bin");
        CliRun r;
        try (AutoCloseable ro = readOnlyMount()) {
            r = CliRun.of("volume", "read", pool, "v", "--offset", 0, "--length", data.length, "--out", out);
        }
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        // the open's note says what a writable open will recover; the refusal, why it stops here
        assertThat(r.err().lines().filter(l -> l.startsWith("splitpoint: ") && !l.startsWith("splitpoint: note: ")))
                .singleElement().asString().contains("cannot be written", "needs a recovery from an unclean shutdown");
        assertThat(out).doesNotExist();
    }
}
