package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.pool.Pool;

/**
 * What an open after a crash found is said before the command's own result, on one terminal (stdout
 * and stderr to the same place, in the order written). A session's log that wrote each command's
 * stdout first and then its stderr showed the note after the result; the CLI writes it first.
 */
class CrashNoteOrderTest {

    @TempDir
    Path tmp;

    @Test
    void theCrashNoteOfTheOpenComesBeforeTheCommandsResult() throws Exception {
        Path live = CliRun.pairedPool(tmp.resolve("live"), "8M");
        Path crashed = tmp.resolve("crashed");
        try (Pool pool = Pool.open(live)) {
            pool.device("a").write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            copy(live, crashed); // the files as a kill -9 leaves them: the write done, the volume not closed
        }
        for (List<String> cmd : List.of(List.of("volume", "list", crashed.toString()),
                List.of("volume", "verify", crashed.toString(), "a"))) {
            StringWriter both = new StringWriter();
            PrintWriter w = new PrintWriter(both, true);
            int code = Splitpoint.run(cmd.toArray(String[]::new), w, w);
            List<String> lines = both.toString().lines().toList();
            assertThat(code).as(both.toString()).isZero();
            int note = indexOf(lines, "splitpoint: note: volume a was not shut down cleanly");
            int result = cmd.get(1).equals("list") ? indexOf(lines, "VOLUME  LAYOUT") : indexOf(lines, "0");
            assertThat(note).as(both.toString()).isNotNegative().isLessThan(result);
            if (cmd.get(1).equals("list")) {
                continue; // a look recovers nothing: the verify's writable open says it again, and recovers
            }
            assertThat(lines.get(note)).as(both.toString()).contains("resynced");
        }
    }

    private static int indexOf(List<String> lines, String start) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i;
            }
        }
        return -1;
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (Files.isRegularFile(p)) {
                    Files.copy(p, t);
                }
            }
        }
    }
}
