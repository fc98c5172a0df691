package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A path with a newline (or another control character) in it is shown escaped in text output, so one line
 * stays one line: a pool at '/tmp/p&lt;newline&gt;problem: ...' printed raw made 'pool status' say a problem the
 * pool did not have, and a store's path split 'backup list' and the refusals in two. JSON escapes it already
 * and still does (its document is printed as it is).
 */
class ControlCharsOutputTest {

    @TempDir
    Path tmp;

    @Test
    void aPoolPathWithANewlineIsOneLineOfPoolStatus() {
        Path pool = tmp.resolve("p\nproblem: volume v FAILED\r\t\u001b[31m");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 2, "--drive-size", "1M").code()).isZero();
        CliRun r = CliRun.of("pool", "status", pool);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("\r", "\t", "\u001b")
                .doesNotContainPattern("(?m)^problem:")
                .contains("pool " + tmp + "/p\\nproblem: volume v FAILED\\r\\t\\x1b[31m  health ");
        CliRun json = CliRun.of("pool", "status", pool, "--json");
        assertThat(json.code()).isZero();
        assertThat(json.out()).contains("p\\nproblem: volume v FAILED\\r\\t\\u001B[31m").contains("\n  \"");
    }

    @Test
    void aStorePathWithANewlineIsOneLineOfBackupListAndOfARefusal() {
        Path store = tmp.resolve("s\nimage 1");
        Path pool = tmp.resolve("p");
        assertThat(CliRun.of("pool", "create", pool, "--drives", 2, "--drive-size", "1M").code()).isZero();
        assertThat(CliRun.of("volume", "create", pool, "v", "--layout", "raid1", "--drives", "d1,d2").code()).isZero();
        CliRun empty = CliRun.of("backup", "list", store);
        assertThat(empty.err().lines().filter(l -> !l.isEmpty()).toList()).as(empty.err())
                .allMatch(l -> l.startsWith("splitpoint: ") || l.startsWith("Try "));
        assertThat(empty.err()).contains("s\\nimage 1");
        CliRun made = CliRun.of("backup", "create", pool, "v", "--store", store, "--full");
        assertThat(made.code()).as(made.err()).isZero();
        assertThat(made.out()).doesNotContainPattern("(?m)^image 1").contains("into " + tmp + "/s\\nimage 1; job ");
        CliRun list = CliRun.of("backup", "list", store);
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out().lines()).hasSize(2); // the heading and the image
    }
}
