package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `volume verify` by the SPEC's exit codes: a script tells a volume whose copies disagree (exit 1,
 * the count still on stdout) from a clean one (exit 0), and a repair that rewrote them succeeded (exit 0).
 */
class CliVerifyTest {

    @TempDir
    Path tmp;

    /** A mirror v over d1, d2 with its first 64 KiB written, then 4 KiB of d2's image overwritten behind the engine's back. */
    private Path mirrorWithAScribbledCopy() throws Exception {
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 2, "--drive-size", "4M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid1", "--drives", "d1,d2").code()).isZero();
        Path data = tmp.resolve("data");
        byte[] bytes = new byte[64 * 1024];
        new java.util.Random(3).nextBytes(bytes);
        Files.write(data, bytes);
        CliRun write = CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", data);
        assertThat(write.code()).as(write.err()).isZero();
        byte[] junk = new byte[4096];
        Arrays.fill(junk, (byte) 0xFF);
        try (FileChannel ch = FileChannel.open(pool.resolve("drives/d2.img"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(junk), 0);
        }
        return pool;
    }

    @Test
    void aVerifyThatFindsMismatchesExitsOneWithTheCount() throws Exception {
        Path pool = mirrorWithAScribbledCopy();
        CliRun found = CliRun.of("volume", "verify", pool, "v");
        assertThat(found.code()).as(found.err()).isEqualTo(1);
        assertThat(found.out().trim()).as("the count, for scripts").isEqualTo("8");
        assertThat(CliRun.oneSentence(found)).isEqualTo("splitpoint: v has 8 mismatched sectors; run with --repair to fix them");
    }

    @Test
    void aRepairThatRewroteTheMismatchesExitsZeroAndTheVolumeIsCleanAfter() throws Exception {
        Path pool = mirrorWithAScribbledCopy();
        CliRun repaired = CliRun.of("volume", "verify", pool, "v", "--repair");
        assertThat(repaired.code()).as(repaired.err()).isZero();
        assertThat(repaired.out().trim()).isEqualTo("8");
        assertThat(repaired.err()).contains("repaired 8 mismatched sectors in v");
        CliRun clean = CliRun.of("volume", "verify", pool, "v");
        assertThat(clean.code()).as(clean.err()).isZero();
        assertThat(clean.out().trim()).isEqualTo("0");
    }
}
