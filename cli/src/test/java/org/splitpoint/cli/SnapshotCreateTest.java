package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `snapshot create` tells an administrator about the snapshot it took. */
class SnapshotCreateTest {

    @TempDir
    Path tmp;

    /**
     * A snapshot taken while the save area is full is invalid at the first write to its volume:
     * `snapshot create` said only "took snapshot s2 of v", and `snapshot list` showed it invalid a
     * moment later (seen by hand on a pool whose save area a restore had filled). It still takes the
     * snapshot (a volume nobody writes keeps it), and warns on stderr.
     */
    @Test
    void aSnapshotTakenWhileTheSaveAreaIsFullIsTakenWithAWarning() throws Exception {
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 4, "--drive-size", "1M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid1", "--drives", "d1,d2").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "save", "--layout", "raid1", "--drives", "d3,d4").code()).isZero();
        assertThat(CliRun.of("snapshot", "save-area", pool, "save", "--yes").code()).isZero();

        CliRun roomy = CliRun.of("snapshot", "create", pool, "v", "s1");
        assertThat(roomy.code()).as(roomy.err()).isZero();
        assertThat(roomy.err()).doesNotContain("warning");

        Path mib = Files.write(tmp.resolve("mib"), new byte[1 << 20]);
        assertThat(CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", mib).code()).isZero(); // s1 fills the area

        CliRun full = CliRun.of("snapshot", "create", pool, "v", "s2");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(full.out()).contains("took snapshot s2 of v");
        assertThat(full.err()).contains("splitpoint: warning: the save area save is full (16 of 16 tracks)",
                "the first write to v makes snapshot s2 invalid");
    }

    /**
     * A write that finds the save area full goes on and makes the snapshot invalid (the host's write outranks
     * it): 'volume write' said only 'wrote 2097152 bytes to v at offset 0' while snapshot v@s1 was lost (by hand:
     * r3@s1, an 8 MiB save area), and 'snapshot list' told it later. It warns now, naming the snapshot and why;
     * a write the save area has room for says nothing more.
     */
    @Test
    void aWriteThatMakesASnapshotInvalidSaysSo() throws Exception {
        Path pool = tmp.resolve("w");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 4, "--drive-size", "2M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid1", "--drives", "d1,d2").code()).isZero(); // 32 tracks
        assertThat(CliRun.of("volume", "create", pool, "save", "--layout", "raid1", "--drives", "d3,d4", "--size", "1M")
                .code()).isZero(); // 16 tracks
        assertThat(CliRun.of("snapshot", "save-area", pool, "save", "--yes").code()).isZero();
        assertThat(CliRun.of("snapshot", "create", pool, "v", "s1").code()).isZero();

        Path half = Files.write(tmp.resolve("half"), new byte[512 << 10]);
        CliRun roomy = CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", half); // 8 of the area's 16 tracks
        assertThat(roomy.code()).as(roomy.err()).isZero();
        assertThat(roomy.err()).doesNotContain("warning");

        Path all = Files.write(tmp.resolve("all"), new byte[2 << 20]);
        CliRun over = CliRun.of("volume", "write", pool, "v", "--offset", 0, "--in", all); // 24 more tracks do not fit
        assertThat(over.code()).as(over.err()).isZero();
        assertThat(over.err()).contains("wrote 2097152 bytes to v at offset 0",
                "splitpoint: warning: snapshot v@s1 is invalid now: the save area save is full",
                "it can no longer be read or restored");
    }
}
